package dev.vireo.core.flv;

import dev.vireo.core.FrameEncoding;
import dev.vireo.core.MediaFrame;
import io.netty.buffer.ByteBuf;

/** A frame as an FLV tag body only: the payload of an RTMP audio/video/data message. */
public final class FlvBodyEncoding extends FrameEncoding {

    public static final FlvBodyEncoding INSTANCE = new FlvBodyEncoding();

    private FlvBodyEncoding() {
        super("flv-body");
    }

    @Override
    protected ByteBuf encode(MediaFrame frame) {
        return FlvFrames.body(frame);
    }
}
