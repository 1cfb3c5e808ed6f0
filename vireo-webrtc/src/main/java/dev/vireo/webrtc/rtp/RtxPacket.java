package dev.vireo.webrtc.rtp;

import io.netty.buffer.ByteBuf;

/**
 * RTP retransmission payload format, RFC 4588 §4: a retransmission is sent on its own SSRC and
 * payload type with its own sequence numbers; its payload is the original sequence number (OSN,
 * 16 bits) followed by the original payload. Timestamp, marker, CSRCs and header extensions are
 * those of the original packet (§4).
 *
 * <p>With shared {@link PacketizedFrame}s a sender writes the RTX header itself, then
 * {@code out.writeShort(osn)} and {@link PacketizedFrame#writePayload}; the methods here work
 * on whole stored packets.
 */
public final class RtxPacket {

    private RtxPacket() {
    }

    /**
     * Writes the retransmission of the RTP packet in the readable bytes of {@code original}:
     * its header with payload type, sequence number and SSRC replaced, the OSN, and its payload
     * (padding included, the P bit kept).
     *
     * @throws RtpException when {@code original} is not a valid RTP packet
     */
    public static void write(ByteBuf out, ByteBuf original, int rtxPayloadType, int rtxSequenceNumber, int rtxSsrc) {
        RtpHeader h = RtpHeader.parse(original);
        int start = original.readerIndex();
        int outStart = out.writerIndex();
        out.writeBytes(original, start, h.headerLength());
        out.setByte(outStart + 1, (h.marker() ? 0x80 : 0) | rtxPayloadType & 0x7F);
        out.setShort(outStart + 2, rtxSequenceNumber);
        out.setInt(outStart + 8, rtxSsrc);
        out.writeShort(h.sequenceNumber());
        out.writeBytes(original, start + h.headerLength(), original.readableBytes() - h.headerLength());
    }

    /** The original sequence number carried by the RTX packet in {@code rtx}'s readable bytes. */
    public static int originalSequenceNumber(ByteBuf rtx) {
        RtpHeader h = RtpHeader.parse(rtx);
        if (h.payloadLength() < 2) {
            throw new RtpException("RTX packet without an original sequence number");
        }
        return rtx.getUnsignedShort(rtx.readerIndex() + h.headerLength());
    }

    /**
     * Rebuilds the original packet from an RTX packet (RFC 4588 §4): original payload type,
     * sequence number (the OSN) and SSRC, payload without the OSN.
     *
     * @throws RtpException when {@code rtx} is not a valid RTX packet
     */
    public static void restore(ByteBuf out, ByteBuf rtx, int originalPayloadType, int originalSsrc) {
        RtpHeader h = RtpHeader.parse(rtx);
        if (h.payloadLength() < 2) {
            throw new RtpException("RTX packet without an original sequence number");
        }
        int start = rtx.readerIndex();
        int outStart = out.writerIndex();
        out.writeBytes(rtx, start, h.headerLength());
        out.setByte(outStart + 1, (h.marker() ? 0x80 : 0) | originalPayloadType & 0x7F);
        out.setShort(outStart + 2, rtx.getUnsignedShort(start + h.headerLength()));
        out.setInt(outStart + 8, originalSsrc);
        out.writeBytes(rtx, start + h.headerLength() + 2, rtx.readableBytes() - h.headerLength() - 2);
    }
}
