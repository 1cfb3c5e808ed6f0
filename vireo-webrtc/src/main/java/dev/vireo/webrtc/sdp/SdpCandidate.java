package dev.vireo.webrtc.sdp;

import java.util.Locale;
import java.util.Objects;

/**
 * An {@code a=candidate} attribute, RFC 8839 §5.1 (with {@code tcptype}, RFC 6544 §4.5):
 * {@code foundation component transport priority address port typ type [raddr a rport p] [tcptype t]}.
 *
 * @param tcpType "active", "passive" or "so" for TCP candidates, null for UDP
 */
public record SdpCandidate(String foundation, int component, String transport, long priority, String address, int port,
                           String type, String tcpType) {

    /** RFC 8445 §5.1.2.2: type preference of host candidates. */
    public static final int HOST_TYPE_PREFERENCE = 126;
    /** Type preference of TCP host candidates, below every UDP one (libwebrtc's ICE_TYPE_PREFERENCE_HOST_TCP). */
    public static final int TCP_HOST_TYPE_PREFERENCE = 90;

    public SdpCandidate {
        Objects.requireNonNull(foundation, "foundation");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(type, "type");
        transport = transport.toLowerCase(Locale.ROOT);
        if (component < 1 || component > 256 || port < 0 || port > 65535 || priority < 0 || priority > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("candidate " + component + " " + priority + " " + port);
        }
    }

    /**
     * A UDP host candidate for component 1 (RTP and RTCP muxed). Priority per RFC 8445 §5.1.2.1:
     * 2^24·126 + 2^8·localPreference + 255.
     */
    public static SdpCandidate udpHost(String foundation, String address, int port, int localPreference) {
        return new SdpCandidate(foundation, 1, "udp", priority(HOST_TYPE_PREFERENCE, localPreference), address, port,
                "host", null);
    }

    /**
     * A passive TCP host candidate (RFC 6544 §4.5: a passive candidate advertises its real
     * listening port). Local preference per RFC 6544 §4.2: 2^13·directionPreference +
     * otherPreference, direction preference 4 for passive host candidates; the type preference
     * {@link #TCP_HOST_TYPE_PREFERENCE} ranks it below every UDP host candidate.
     */
    public static SdpCandidate tcpPassiveHost(String foundation, String address, int port, int otherPreference) {
        int local = (4 << 13) + Math.max(0, Math.min(otherPreference, 8191));
        return new SdpCandidate(foundation, 1, "tcp", priority(TCP_HOST_TYPE_PREFERENCE, local), address, port, "host",
                "passive");
    }

    private static long priority(int typePreference, int localPreference) {
        if (localPreference < 0 || localPreference > 65535) {
            throw new IllegalArgumentException("local preference " + localPreference);
        }
        return ((long) typePreference << 24) + ((long) localPreference << 8) + (256 - 1);
    }

    /** Parses an attribute value (without {@code a=candidate:}). */
    public static SdpCandidate parse(String value) {
        String[] f = value.trim().split(" +");
        if (f.length < 8 || !f[6].equals("typ")) {
            throw new SdpException("malformed a=candidate: " + value);
        }
        String tcpType = null;
        for (int i = 8; i + 1 < f.length; i += 2) {
            if (f[i].equals("tcptype")) {
                tcpType = f[i + 1];
            }
        }
        long priority;
        try {
            priority = Long.parseLong(f[3]);
        } catch (NumberFormatException e) {
            throw new SdpException("a=candidate priority '" + f[3] + "' is not a number");
        }
        if (priority < 0 || priority > 0xFFFF_FFFFL) {
            throw new SdpException("a=candidate priority " + priority + " out of range");
        }
        return new SdpCandidate(f[0], SessionDescription.parseInt(f[1], 1, 256, "a=candidate component"), f[2],
                priority, f[4], SessionDescription.parseInt(f[5], 0, 65535, "a=candidate port"), f[7], tcpType);
    }

    /** The attribute value. */
    public String sdpValue() {
        return foundation + " " + component + " " + transport + " " + priority + " " + address + " " + port + " typ " + type
                + (tcpType != null ? " tcptype " + tcpType : "");
    }
}
