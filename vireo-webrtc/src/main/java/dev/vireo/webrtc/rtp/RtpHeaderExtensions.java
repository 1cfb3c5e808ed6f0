package dev.vireo.webrtc.rtp;

import io.netty.buffer.ByteBuf;

/**
 * RTP header extensions in the RFC 8285 forms: one-byte headers (profile 0xBEDE, ids 1..14,
 * 1..16 data bytes, §4.2) and two-byte headers (profile 0x100x, ids 1..255, 0..255 bytes, §4.3).
 */
public final class RtpHeaderExtensions {

    /** The abs-send-time extension (24-bit 6.18 fixed-point seconds), used by Chrome's REMB. */
    public static final String ABS_SEND_TIME_URI = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
    /** The transport-wide sequence number (16 bits), draft-holmer-rmcat-transport-wide-cc-extensions-01 §2. */
    public static final String TRANSPORT_WIDE_CC_URI =
            "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
    /** Highest id of the one-byte form; 15 is reserved (RFC 8285 §4.2). */
    public static final int MAX_ONE_BYTE_ID = 14;

    private RtpHeaderExtensions() {
    }

    /**
     * The data of extension element {@code id} in {@code packet} (a slice, not retained), or null
     * when the packet has no such element or uses another extension profile.
     *
     * @throws RtpException when the extension block is malformed
     */
    public static ByteBuf find(ByteBuf packet, RtpHeader header, int id) {
        if (!header.hasExtension()) {
            return null;
        }
        int profile = header.extensionProfile();
        boolean oneByte = profile == RtpHeader.ONE_BYTE_PROFILE;
        if (!oneByte && (profile & 0xFFF0) != RtpHeader.TWO_BYTE_PROFILE) {
            return null;
        }
        int base = packet.readerIndex();
        int pos = base + header.extensionOffset();
        int end = pos + header.extensionLength();
        while (pos < end) {
            int b = packet.getUnsignedByte(pos);
            if (b == 0) {
                pos++; // padding between elements (§4.1)
                continue;
            }
            int elementId;
            int len;
            if (oneByte) {
                elementId = b >>> 4;
                if (elementId == 15) {
                    return null; // §4.2: id 15 stops processing of the block
                }
                len = (b & 0x0F) + 1;
                pos++;
            } else {
                if (pos + 1 >= end) {
                    throw new RtpException("truncated two-byte RTP header extension element");
                }
                elementId = b;
                len = packet.getUnsignedByte(pos + 1);
                pos += 2;
            }
            if (pos + len > end) {
                throw new RtpException("RTP header extension element " + elementId + " of " + len
                        + " bytes runs past the block");
            }
            if (elementId == id) {
                return packet.slice(pos, len);
            }
            pos += len;
        }
        return null;
    }

    /**
     * The abs-send-time value for a time in nanoseconds: seconds in 6.18 fixed point, the low 24
     * bits (wraps every 64 s). Any clock works as long as one sender uses the same one.
     */
    public static int absSendTime(long nanos) {
        // 2^18 / 10^9 = 2^9 / 5^9 * ... computed without overflow for any positive nanos
        long fixed = (nanos / 1_000_000_000L << 18) + ((nanos % 1_000_000_000L << 18) / 1_000_000_000L);
        return (int) (fixed & 0xFF_FFFF);
    }

    /**
     * Writes a complete extension block (the 4-byte header with profile and length, the elements
     * and zero padding to a 32-bit boundary) in the one-byte form when every id ≤ 14 and every
     * value has 1..16 bytes, in the two-byte form otherwise.
     *
     * @param ids    element ids, 1..255
     * @param values element data, in the same order
     */
    public static void writeBlock(ByteBuf out, int[] ids, byte[][] values) {
        if (ids.length != values.length) {
            throw new IllegalArgumentException(ids.length + " ids for " + values.length + " values");
        }
        boolean oneByte = true;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 1 || ids[i] > 255 || values[i].length > 255) {
                throw new IllegalArgumentException("extension id " + ids[i] + " with " + values[i].length + " bytes");
            }
            if (ids[i] > MAX_ONE_BYTE_ID || values[i].length == 0 || values[i].length > 16) {
                oneByte = false;
            }
        }
        int start = out.writerIndex();
        out.writeShort(oneByte ? RtpHeader.ONE_BYTE_PROFILE : RtpHeader.TWO_BYTE_PROFILE);
        out.writeShort(0);
        for (int i = 0; i < ids.length; i++) {
            if (oneByte) {
                out.writeByte(ids[i] << 4 | values[i].length - 1);
            } else {
                out.writeByte(ids[i]).writeByte(values[i].length);
            }
            out.writeBytes(values[i]);
        }
        while ((out.writerIndex() - start) % 4 != 0) {
            out.writeByte(0);
        }
        out.setShort(start + 2, (out.writerIndex() - start - 4) / 4);
    }
}
