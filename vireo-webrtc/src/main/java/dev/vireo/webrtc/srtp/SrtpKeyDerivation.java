package dev.vireo.webrtc.srtp;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * The SRTP key derivation function, RFC 3711 §4.3 with the AES-CM PRF (§4.3.3), for a key
 * derivation rate of 0 (the only rate DTLS-SRTP uses, RFC 5764 §4.1.2): each session key is
 * the AES-CM keystream of the master key with IV = (master salt XOR (label || 0^48)) * 2^16.
 */
final class SrtpKeyDerivation {

    // RFC 3711 §4.3.1 labels; 0x03..0x05 are the SRTCP ones (§4.3.2)
    static final int LABEL_RTP_ENCRYPTION = 0x00;
    static final int LABEL_RTP_AUTH = 0x01;
    static final int LABEL_RTP_SALT = 0x02;
    static final int LABEL_RTCP_ENCRYPTION = 0x03;
    static final int LABEL_RTCP_AUTH = 0x04;
    static final int LABEL_RTCP_SALT = 0x05;

    private SrtpKeyDerivation() {
    }

    /**
     * The first {@code length} bytes of the PRF output for {@code label}. A master salt shorter
     * than 112 bits (the 96-bit salt of AES-GCM, RFC 7714 §12) is padded with zeros on the right.
     */
    static byte[] derive(byte[] masterKey, byte[] masterSalt, int label, int length) {
        if (masterSalt.length > 14) {
            throw new IllegalArgumentException("master salt of " + masterSalt.length + " bytes");
        }
        byte[] x = new byte[16]; // (salt || 00 00) as the 128-bit counter block, x * 2^16
        System.arraycopy(masterSalt, 0, x, 0, masterSalt.length);
        // key_id = label || r (48 bits, r = 0 for KDR 0), aligned to the right of the 112-bit salt
        x[7] ^= (byte) label;
        int blocks = (length + 15) / 16;
        byte[] counters = new byte[blocks * 16];
        for (int b = 0; b < blocks; b++) {
            System.arraycopy(x, 0, counters, b * 16, 14);
            counters[b * 16 + 14] = (byte) (b >>> 8);
            counters[b * 16 + 15] = (byte) b;
        }
        try {
            Cipher aes = Cipher.getInstance("AES/ECB/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(masterKey, "AES"));
            byte[] out = aes.doFinal(counters);
            byte[] result = new byte[length];
            System.arraycopy(out, 0, result, 0, length);
            return result;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES is not available", e);
        }
    }
}
