package dev.vireo.webrtc.ice;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * ICE credentials of the media port's reachability probe (used by the troubleshooter): a Binding
 * request with USERNAME "{ufrag}:..." and MESSAGE-INTEGRITY keyed with {@code password}
 * (RFC 8489 §9.1) is answered with a success response like a session's check, and nothing else
 * happens. Random per process; the password is a secret kept out of {@link #toString()}.
 */
public record ProbeCredentials(String ufrag, String password) {

    public static ProbeCredentials random() {
        SecureRandom random = new SecureRandom();
        byte[] u = new byte[6];
        byte[] p = new byte[16];
        random.nextBytes(u);
        random.nextBytes(p);
        // Session ufrags are alphanumeric; the '-' keeps the probe's out of their space.
        return new ProbeCredentials("probe-" + HexFormat.of().formatHex(u), HexFormat.of().formatHex(p));
    }

    @Override
    public String toString() {
        return "ProbeCredentials[" + ufrag + "]";
    }
}
