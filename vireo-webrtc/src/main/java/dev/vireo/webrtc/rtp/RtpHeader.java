package dev.vireo.webrtc.rtp;

import io.netty.buffer.ByteBuf;

/**
 * The fixed RTP header and its variable parts, RFC 3550 §5.1 (CSRC list) and §5.3.1 (header
 * extension), as parsed from a packet. Offsets are relative to the packet start.
 *
 * @param marker             M bit
 * @param payloadType        PT (7 bits)
 * @param sequenceNumber     16-bit sequence number
 * @param timestamp          32-bit timestamp (unsigned)
 * @param ssrc               synchronization source (32 bits, as a Java int)
 * @param csrcCount          CC
 * @param extensionProfile   the 16-bit "defined by profile" field, or -1 without extension
 * @param extensionOffset    offset of the extension data (after its 4-byte header), or -1
 * @param extensionLength    extension data length in bytes
 * @param headerLength       total header length: 12 + 4·CC + extension
 * @param payloadLength      payload bytes, without padding
 * @param paddingLength      padding bytes at the end including the count byte (§5.1 P bit)
 */
public record RtpHeader(boolean marker, int payloadType, int sequenceNumber, long timestamp, int ssrc,
                        int csrcCount, int extensionProfile, int extensionOffset, int extensionLength,
                        int headerLength, int payloadLength, int paddingLength) {

    public static final int VERSION = 2;
    public static final int FIXED_SIZE = 12;
    /** RFC 8285 §4.2: "defined by profile" value of the one-byte header form. */
    public static final int ONE_BYTE_PROFILE = 0xBEDE;
    /** RFC 8285 §4.3: the two-byte header form uses 0x100 in the upper 12 bits. */
    public static final int TWO_BYTE_PROFILE = 0x1000;

    /**
     * Parses the RTP packet in the readable bytes of {@code packet} without moving its indices.
     *
     * @throws RtpException when the packet is shorter than its header says, not version 2, or
     *                      its padding is inconsistent
     */
    public static RtpHeader parse(ByteBuf packet) {
        int start = packet.readerIndex();
        int len = packet.readableBytes();
        if (len < FIXED_SIZE) {
            throw new RtpException("RTP packet of " + len + " bytes is shorter than the fixed header");
        }
        int b0 = packet.getUnsignedByte(start);
        if (b0 >>> 6 != VERSION) {
            throw new RtpException("RTP version " + (b0 >>> 6) + " is not 2");
        }
        int b1 = packet.getUnsignedByte(start + 1);
        int cc = b0 & 0x0F;
        int hdr = FIXED_SIZE + 4 * cc;
        int extProfile = -1;
        int extOffset = -1;
        int extLength = 0;
        if ((b0 & 0x10) != 0) {
            if (len < hdr + 4) {
                throw new RtpException("RTP header extension header runs past the packet");
            }
            extProfile = packet.getUnsignedShort(start + hdr);
            extLength = 4 * packet.getUnsignedShort(start + hdr + 2);
            extOffset = hdr + 4;
            hdr += 4 + extLength;
        }
        if (hdr > len) {
            throw new RtpException("RTP header of " + hdr + " bytes exceeds the " + len + "-byte packet");
        }
        int padding = 0;
        if ((b0 & 0x20) != 0) {
            // RFC 3550 §5.1: the last octet counts the padding octets, itself included
            padding = packet.getUnsignedByte(start + len - 1);
            if (padding == 0 || padding > len - hdr) {
                throw new RtpException("RTP padding of " + padding + " bytes does not fit the packet");
            }
        }
        return new RtpHeader((b1 & 0x80) != 0, b1 & 0x7F, packet.getUnsignedShort(start + 2),
                packet.getUnsignedInt(start + 4), packet.getInt(start + 8), cc, extProfile, extOffset, extLength,
                hdr, len - hdr - padding, padding);
    }

    /** The CSRC at {@code i} (0 ≤ i < CC) of {@code packet}. */
    public int csrc(ByteBuf packet, int i) {
        if (i < 0 || i >= csrcCount) {
            throw new IndexOutOfBoundsException("CSRC " + i + " of " + csrcCount);
        }
        return packet.getInt(packet.readerIndex() + FIXED_SIZE + 4 * i);
    }

    /** A slice (not retained) of the payload, without header and padding. */
    public ByteBuf payload(ByteBuf packet) {
        return packet.slice(packet.readerIndex() + headerLength, payloadLength);
    }

    public boolean hasExtension() {
        return extensionProfile >= 0;
    }

    /**
     * Writes a 12-byte header without CSRCs or extension. Hot path: no allocation.
     */
    public static void write(ByteBuf out, boolean marker, int payloadType, int sequenceNumber, long timestamp, int ssrc) {
        out.writeByte(VERSION << 6);
        out.writeByte((marker ? 0x80 : 0) | (payloadType & 0x7F));
        out.writeShort(sequenceNumber);
        out.writeInt((int) timestamp);
        out.writeInt(ssrc);
    }

    // Fast accessors for the hot path, on a packet starting at the reader index.

    public static int sequenceNumber(ByteBuf packet) {
        return packet.getUnsignedShort(packet.readerIndex() + 2);
    }

    public static int payloadType(ByteBuf packet) {
        return packet.getUnsignedByte(packet.readerIndex() + 1) & 0x7F;
    }

    public static int ssrc(ByteBuf packet) {
        return packet.getInt(packet.readerIndex() + 8);
    }

    public static long timestamp(ByteBuf packet) {
        return packet.getUnsignedInt(packet.readerIndex() + 4);
    }

    public static boolean marker(ByteBuf packet) {
        return (packet.getByte(packet.readerIndex() + 1) & 0x80) != 0;
    }
}
