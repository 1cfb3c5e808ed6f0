package dev.vireo.webrtc.rtp;

import io.netty.buffer.ByteBuf;

/**
 * RTP padding (RFC 3550 §5.1): the P bit set in the first octet, and octets after the payload
 * whose last one counts them all, itself included (so 1 to 255). A padding-only packet — no
 * payload, only padding — is what a sender probing its link sends on the RTX stream, as
 * libwebrtc does (RFC 4588 §4: the receiver finds no original sequence number in it and drops it,
 * while transport-wide congestion control still counts it).
 */
public final class RtpPadding {

    /** The most padding one packet carries: the count is one octet. */
    public static final int MAX_LENGTH = 255;

    private RtpPadding() {
    }

    /**
     * Appends {@code length} octets of padding (zeros, the last one the count) to the packet whose
     * RTP header starts at {@code headerStart} of {@code packet}, and sets its P bit.
     *
     * @throws IllegalArgumentException when {@code length} is not 1..{@link #MAX_LENGTH}
     */
    public static void append(ByteBuf packet, int headerStart, int length) {
        if (length < 1 || length > MAX_LENGTH) {
            throw new IllegalArgumentException("RTP padding of " + length + " octets (1.." + MAX_LENGTH + ")");
        }
        packet.setByte(headerStart, packet.getUnsignedByte(headerStart) | 0x20);
        packet.writeZero(length - 1);
        packet.writeByte(length);
    }
}
