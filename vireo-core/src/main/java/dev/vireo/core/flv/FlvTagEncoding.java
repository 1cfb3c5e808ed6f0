package dev.vireo.core.flv;

import dev.vireo.core.FrameEncoding;
import dev.vireo.core.MediaFrame;
import dev.vireo.media.flv.FlvTag;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A frame as one complete FLV tag (FLV v10.1 §E.4.1): 11-byte header with the frame's dts as
 * time stamp (0 for metadata, see {@link FlvFrames#tagTimestamp}), the tag body, and the PreviousTagSize that follows every tag. HTTP-FLV viewers
 * write these bytes as they are, after the FLV header.
 */
public final class FlvTagEncoding extends FrameEncoding {

    public static final FlvTagEncoding INSTANCE = new FlvTagEncoding();

    private FlvTagEncoding() {
        super("flv-tag");
    }

    @Override
    protected ByteBuf encode(MediaFrame frame) {
        int bodySize = FlvFrames.bodySize(frame);
        ByteBuf out = ByteBufAllocator.DEFAULT.buffer(FlvTag.size(bodySize));
        try {
            FlvTag.writeHeader(out, FlvFrames.tagType(frame), bodySize, FlvFrames.tagTimestamp(frame));
            FlvFrames.writeBody(out, frame);
            out.writeInt(FlvTag.HEADER_SIZE + bodySize);
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        return out;
    }
}
