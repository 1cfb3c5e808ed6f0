package dev.vireo.rtmp;

import dev.vireo.core.FrameEncoding;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.flv.FlvBodyEncoding;
import dev.vireo.core.flv.FlvFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A frame as complete RTMP chunks, computed once per frame and written (as retained duplicates)
 * to every RTMP viewer: "encode once, send many". The message is the frame's FLV tag body (audio
 * 8, video 9, data 18) on message stream 1, with a type-0 header carrying the absolute timestamp
 * (the frame's dts; the composition offset is inside the FLV body) and type-3 continuations.
 * Each track has its own chunk stream so a viewer's decoder can interleave them.
 *
 * <p>The chunk size is fixed per encoding and must be what the viewer was told with Set Chunk
 * Size; the server announces {@link RtmpConfig#outChunkSize()} and uses the matching encoding.
 */
final class RtmpChunkEncoding extends FrameEncoding {

    /** Message stream id of the one NetStream every connection gets from createStream. */
    static final int STREAM_ID = 1;

    static final RtmpChunkEncoding INSTANCE = new RtmpChunkEncoding(4096);

    private static final ConcurrentHashMap<Integer, RtmpChunkEncoding> OTHERS = new ConcurrentHashMap<>();

    private final int chunkSize;

    private RtmpChunkEncoding(int chunkSize) {
        super("rtmp-chunks-" + chunkSize);
        this.chunkSize = chunkSize;
    }

    /**
     * The encoding for a chunk size. Frame encodings are a scarce process-wide resource, so a
     * server configured with a non-default chunk size costs one more slot, once.
     */
    static RtmpChunkEncoding forChunkSize(int chunkSize) {
        if (chunkSize == INSTANCE.chunkSize) {
            return INSTANCE;
        }
        return OTHERS.computeIfAbsent(chunkSize, RtmpChunkEncoding::new);
    }

    int chunkSize() {
        return chunkSize;
    }

    static int messageType(MediaFrame frame) {
        return switch (frame.track()) {
            case VIDEO -> MessageType.VIDEO;
            case AUDIO -> MessageType.AUDIO;
            case DATA -> MessageType.DATA_AMF0;
        };
    }

    static int chunkStreamId(MediaFrame frame) {
        return switch (frame.track()) {
            case VIDEO -> RtmpMessage.CSID_VIDEO;
            case AUDIO -> RtmpMessage.CSID_AUDIO;
            case DATA -> RtmpMessage.CSID_DATA;
        };
    }

    @Override
    protected ByteBuf encode(MediaFrame frame) {
        // The FLV body is itself shared (HTTP-FLV viewers use the same bytes).
        ByteBuf body = frame.encoded(FlvBodyEncoding.INSTANCE);
        int csid = chunkStreamId(frame);
        long ts = FlvFrames.tagTimestamp(frame) & 0xFFFF_FFFFL;
        int length = body.readableBytes();
        ByteBuf out = ByteBufAllocator.DEFAULT.directBuffer(ChunkEncoder.encodedLength(csid, ts, length, chunkSize));
        ChunkEncoder.writeChunks(out, csid, messageType(frame), ts, STREAM_ID, body, body.readerIndex(), length,
                chunkSize);
        return out;
    }
}
