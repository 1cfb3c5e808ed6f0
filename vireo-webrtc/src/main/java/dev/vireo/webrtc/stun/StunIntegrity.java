package dev.vireo.webrtc.stun;

import java.security.GeneralSecurityException;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The two checksums of a STUN message: MESSAGE-INTEGRITY(-SHA256) (RFC 8489 §14.5, §14.6) and
 * FINGERPRINT (§14.7). Both cover the message up to the attribute, with the header length field
 * set as if the message ended right after the attribute.
 */
final class StunIntegrity {

    /** RFC 8489 §14.7: the CRC-32 is XOR-ed with the 32-bit value 0x5354554e ("STUN"). */
    static final int FINGERPRINT_XOR = 0x5354554E;

    private StunIntegrity() {
    }

    /**
     * HMAC over {@code msg[0, attrOffset)} with the length field replaced by
     * {@code attrOffset - 20 + 4 + attrValueLength}.
     */
    static byte[] hmac(boolean sha256, byte[] key, byte[] msg, int attrOffset, int attrValueLength) {
        if (key.length == 0) {
            throw new IllegalArgumentException("empty STUN integrity key");
        }
        String alg = sha256 ? "HmacSHA256" : "HmacSHA1";
        try {
            Mac mac = Mac.getInstance(alg);
            mac.init(new SecretKeySpec(key, alg));
            int adjusted = attrOffset - StunMessage.HEADER_SIZE + 4 + attrValueLength;
            mac.update(msg, 0, 2);
            mac.update((byte) (adjusted >>> 8));
            mac.update((byte) adjusted);
            mac.update(msg, 4, attrOffset - 4);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(alg + " is not available", e);
        }
    }

    /** CRC-32 of {@code msg[0, attrOffset)} (length field already covering the FINGERPRINT), XOR "STUN". */
    static int fingerprint(byte[] msg, int attrOffset) {
        int adjusted = attrOffset - StunMessage.HEADER_SIZE + 8;
        CRC32 crc = new CRC32();
        crc.update(msg, 0, 2);
        crc.update(adjusted >>> 8);
        crc.update(adjusted);
        crc.update(msg, 4, attrOffset - 4);
        return (int) crc.getValue() ^ FINGERPRINT_XOR;
    }
}
