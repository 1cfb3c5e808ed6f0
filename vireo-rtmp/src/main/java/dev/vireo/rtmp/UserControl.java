package dev.vireo.rtmp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * User Control messages (RTMP spec §6.2, §7.1.7): a 2-byte event type and its event data, sent on
 * chunk stream 2, message stream 0.
 */
record UserControl(int eventType, long value, long extra) {

    static final int STREAM_BEGIN = 0;
    static final int STREAM_EOF = 1;
    static final int STREAM_DRY = 2;
    static final int SET_BUFFER_LENGTH = 3;
    static final int STREAM_IS_RECORDED = 4;
    static final int PING_REQUEST = 6;
    static final int PING_RESPONSE = 7;

    /** Parses an event; {@code value} is the first 32-bit field (stream id or timestamp). */
    static UserControl parse(RtmpMessage msg) {
        ByteBuf p = msg.payload();
        int r = p.readerIndex();
        int len = p.readableBytes();
        if (len < 2) {
            throw new RtmpProtocolException("User Control message with " + len + " bytes");
        }
        int type = p.getUnsignedShort(r);
        long value = len >= 6 ? p.getUnsignedInt(r + 2) : 0;
        long extra = len >= 10 ? p.getUnsignedInt(r + 6) : 0;
        // §7.1.7: every event carries at least 4 bytes of data, Set Buffer Length 8.
        int needed = type == SET_BUFFER_LENGTH ? 10 : 6;
        if (type <= PING_RESPONSE && type != 5 && len < needed) {
            throw new RtmpProtocolException("User Control event " + type + " with " + len + " bytes");
        }
        return new UserControl(type, value, extra);
    }

    static RtmpMessage streamBegin(ByteBufAllocator alloc, int streamId) {
        return event(alloc, STREAM_BEGIN, streamId);
    }

    static RtmpMessage streamEof(ByteBufAllocator alloc, int streamId) {
        return event(alloc, STREAM_EOF, streamId);
    }

    static RtmpMessage pingRequest(ByteBufAllocator alloc, long timestamp) {
        return event(alloc, PING_REQUEST, (int) timestamp);
    }

    static RtmpMessage pingResponse(ByteBufAllocator alloc, long timestamp) {
        return event(alloc, PING_RESPONSE, (int) timestamp);
    }

    static RtmpMessage setBufferLength(ByteBufAllocator alloc, int streamId, int millis) {
        ByteBuf b = alloc.buffer(10);
        b.writeShort(SET_BUFFER_LENGTH);
        b.writeInt(streamId);
        b.writeInt(millis);
        return new RtmpMessage(RtmpMessage.CSID_CONTROL, MessageType.USER_CONTROL, 0, 0, b);
    }

    private static RtmpMessage event(ByteBufAllocator alloc, int type, int data) {
        ByteBuf b = alloc.buffer(6);
        b.writeShort(type);
        b.writeInt(data);
        return new RtmpMessage(RtmpMessage.CSID_CONTROL, MessageType.USER_CONTROL, 0, 0, b);
    }
}
