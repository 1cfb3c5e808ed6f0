package dev.vireo.webrtc.ice;

import java.security.SecureRandom;
import java.util.Objects;

/**
 * An ICE agent's username fragment and password (RFC 8445 §5.3, SDP syntax RFC 8839 §5.4). The
 * password keys the MESSAGE-INTEGRITY of every connectivity check: it is a secret and is never
 * logged ({@link #toString()} leaves it out).
 *
 * @param ufrag 4 to 256 ice-chars
 * @param pwd 22 to 256 ice-chars
 */
public record IceCredentials(String ufrag, String pwd) {

    /** RFC 8839 §5.4 ice-char, minus '+' and '/' so the values are safe in URLs and logs. */
    private static final char[] ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    public IceCredentials {
        Objects.requireNonNull(ufrag, "ufrag");
        Objects.requireNonNull(pwd, "pwd");
        if (ufrag.length() < 4 || ufrag.length() > 256 || !isIceChars(ufrag)) {
            throw new IllegalArgumentException("ice-ufrag must be 4 to 256 ice-chars");
        }
        if (pwd.length() < 22 || pwd.length() > 256 || !isIceChars(pwd)) {
            throw new IllegalArgumentException("ice-pwd must be 22 to 256 ice-chars");
        }
    }

    /**
     * Fresh random credentials: an 8-character ufrag (48 bits, unique among live sessions in
     * practice; the caller still checks) and a 32-character password (190 bits; RFC 8445 §5.3
     * asks for at least 128).
     */
    public static IceCredentials generate(SecureRandom random) {
        return new IceCredentials(random(random, 8), random(random, 32));
    }

    private static String random(SecureRandom random, int length) {
        char[] c = new char[length];
        for (int i = 0; i < length; i++) {
            c[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(c);
    }

    /** RFC 8839 §5.4: ice-char = ALPHA / DIGIT / "+" / "/". */
    static boolean isIceChars(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "IceCredentials[ufrag=" + ufrag + "]";
    }
}
