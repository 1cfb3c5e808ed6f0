package dev.vireo.webrtc.rtcp;

import io.netty.buffer.ByteBuf;

/** The 4-byte common header of RTCP packets, RFC 3550 §6.4.1. */
final class RtcpHeader {

    static final int SIZE = 4;

    private RtcpHeader() {
    }

    /** Writes a header with a zero length; returns its index for {@link #end}. */
    static int begin(ByteBuf out, int countOrFormat, int packetType) {
        if (countOrFormat < 0 || countOrFormat > 31) {
            throw new IllegalArgumentException("RTCP count/FMT " + countOrFormat + " is not 5-bit");
        }
        int start = out.writerIndex();
        out.writeByte(0x80 | countOrFormat);
        out.writeByte(packetType);
        out.writeShort(0);
        return start;
    }

    /** Zero-pads the packet to a 32-bit boundary and fills in its length (words minus one). */
    static void end(ByteBuf out, int start) {
        while ((out.writerIndex() - start) % 4 != 0) {
            out.writeByte(0);
        }
        int words = (out.writerIndex() - start) / 4 - 1;
        if (words > 0xFFFF) {
            throw new IllegalArgumentException("RTCP packet of " + (words + 1) * 4 + " bytes is too long");
        }
        out.setShort(start + 2, words);
    }

    static void need(ByteBuf body, int bytes, String what) {
        if (body.readableBytes() < bytes) {
            throw new RtcpException(what + " needs " + bytes + " bytes, has " + body.readableBytes());
        }
    }
}
