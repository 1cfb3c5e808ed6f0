package dev.vireo.webrtc.srtp;

import java.util.Optional;

/**
 * The SRTP protection profiles negotiated by the DTLS use_srtp extension (RFC 5764 §4.1.2,
 * RFC 7714 §14.2) that this package implements.
 */
public enum SrtpProfile {
    /** RFC 5764 §4.1.2: AES-CM 128-bit key, 112-bit salt, HMAC-SHA1 80-bit tag for SRTP and SRTCP. */
    AES_CM_128_HMAC_SHA1_80(0x0001, 16, 14, 10, 10),
    /** RFC 5764 §4.1.2: as _80 but a 32-bit SRTP tag; SRTCP keeps the 80-bit tag. */
    AES_CM_128_HMAC_SHA1_32(0x0002, 16, 14, 4, 10),
    /** RFC 7714 §14.2: AES-GCM with a 128-bit key, 96-bit salt and a 16-byte tag. */
    AEAD_AES_128_GCM(0x0007, 16, 12, 16, 16);

    private final int id;
    private final int keyLength;
    private final int saltLength;
    private final int rtpTagLength;
    private final int rtcpTagLength;

    SrtpProfile(int id, int keyLength, int saltLength, int rtpTagLength, int rtcpTagLength) {
        this.id = id;
        this.keyLength = keyLength;
        this.saltLength = saltLength;
        this.rtpTagLength = rtpTagLength;
        this.rtcpTagLength = rtcpTagLength;
    }

    /** The SRTPProtectionProfile value of the use_srtp extension. */
    public int id() {
        return id;
    }

    /** Master (and session) key length in bytes. */
    public int keyLength() {
        return keyLength;
    }

    /** Master (and session) salt length in bytes. */
    public int saltLength() {
        return saltLength;
    }

    /** Bytes appended to an RTP packet by protection. */
    public int rtpTagLength() {
        return rtpTagLength;
    }

    /** Bytes of the SRTCP authentication tag. */
    public int rtcpTagLength() {
        return rtcpTagLength;
    }

    /** Bytes appended to an RTCP packet by protection: the E flag and SRTCP index word plus the tag. */
    public int rtcpOverhead() {
        return 4 + rtcpTagLength;
    }

    public boolean isAead() {
        return this == AEAD_AES_128_GCM;
    }

    /** The profile with this use_srtp id, if implemented. */
    public static Optional<SrtpProfile> ofId(int id) {
        for (SrtpProfile p : values()) {
            if (p.id == id) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
