package dev.vireo.rtmp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Protocol control messages (RTMP spec §5.4): built on chunk stream 2, message stream 0, and read
 * with their exact sizes checked.
 */
final class ProtocolControl {

    /** Set Peer Bandwidth limit types (RTMP spec §5.4.5). */
    static final int LIMIT_HARD = 0;
    static final int LIMIT_SOFT = 1;
    static final int LIMIT_DYNAMIC = 2;

    private ProtocolControl() {
    }

    // RTMP spec §5.4.1: 31-bit chunk size.
    static RtmpMessage setChunkSize(ByteBufAllocator alloc, int size) {
        return int32(alloc, MessageType.SET_CHUNK_SIZE, size & 0x7FFF_FFFF);
    }

    // RTMP spec §5.4.3: sequence number = bytes received so far (mod 2^32).
    static RtmpMessage acknowledgement(ByteBufAllocator alloc, long sequence) {
        return int32(alloc, MessageType.ACKNOWLEDGEMENT, (int) sequence);
    }

    // RTMP spec §5.4.4.
    static RtmpMessage windowAckSize(ByteBufAllocator alloc, int size) {
        return int32(alloc, MessageType.WINDOW_ACK_SIZE, size);
    }

    // RTMP spec §5.4.5.
    static RtmpMessage setPeerBandwidth(ByteBufAllocator alloc, int size, int limitType) {
        ByteBuf b = alloc.buffer(5);
        b.writeInt(size);
        b.writeByte(limitType);
        return new RtmpMessage(RtmpMessage.CSID_CONTROL, MessageType.SET_PEER_BANDWIDTH, 0, 0, b);
    }

    /** The 32-bit value of a Window Acknowledgement Size / Acknowledgement / Set Chunk Size message. */
    static long readUnsignedInt(RtmpMessage msg, String what) {
        ByteBuf p = msg.payload();
        if (p.readableBytes() < 4) {
            throw new RtmpProtocolException(what + " message with " + p.readableBytes() + " bytes (needs 4)");
        }
        return p.getUnsignedInt(p.readerIndex());
    }

    private static RtmpMessage int32(ByteBufAllocator alloc, int type, int value) {
        ByteBuf b = alloc.buffer(4);
        b.writeInt(value);
        return new RtmpMessage(RtmpMessage.CSID_CONTROL, type, 0, 0, b);
    }
}
