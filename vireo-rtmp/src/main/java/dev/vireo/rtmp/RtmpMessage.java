package dev.vireo.rtmp;

import dev.vireo.media.BufferOwner;
import io.netty.buffer.ByteBuf;

/**
 * One complete RTMP message (RTMP spec §6.1): type, message stream id, 32-bit timestamp and
 * payload, plus the chunk stream it travels on. The record owns {@code payload}: whoever receives a
 * message must {@link #release()} it (or hand it on). Reference counting delegates to the payload,
 * so Netty's own release points (encoders, the pipeline tail, failed writes) free it too.
 *
 * @param chunkStreamId chunk stream id (2..65599)
 * @param typeId message type id, see {@link MessageType}
 * @param timestamp message timestamp in ms, 0..2^32-1 (it wraps, RTMP spec §5.3.1.2)
 * @param messageStreamId message stream id (0 for NetConnection and protocol control)
 * @param payload the message body
 */
record RtmpMessage(int chunkStreamId, int typeId, long timestamp, int messageStreamId, ByteBuf payload)
        implements BufferOwner<RtmpMessage> {

    /** Chunk stream id for protocol control messages, RTMP spec §5.4. */
    static final int CSID_CONTROL = 2;
    /** Chunk stream id this server uses for command messages. */
    static final int CSID_COMMAND = 3;
    /** Chunk stream ids this server uses for media, one per track so they can interleave. */
    static final int CSID_AUDIO = 4;
    static final int CSID_DATA = 5;
    static final int CSID_VIDEO = 6;

    RtmpMessage {
        if (chunkStreamId < 2 || chunkStreamId > ChunkHeader.MAX_CSID) {
            throw new IllegalArgumentException("chunk stream id out of range: " + chunkStreamId);
        }
        timestamp &= 0xFFFF_FFFFL;
    }

    int length() {
        return payload.readableBytes();
    }

    /** The payload buffer carries this RtmpMessage's reference count ({@link BufferOwner}). */
    @Override
    public ByteBuf countedBuffer() {
        return payload;
    }

    @Override
    public String toString() {
        return "RtmpMessage[csid=" + chunkStreamId + " type=" + typeId + " ts=" + timestamp + " msid="
                + messageStreamId + " len=" + payload.readableBytes() + "]";
    }
}
