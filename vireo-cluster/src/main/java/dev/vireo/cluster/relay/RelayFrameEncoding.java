package dev.vireo.cluster.relay;

import dev.vireo.core.FrameEncoding;
import dev.vireo.core.MediaFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * The relay MEDIA header of a hub frame ({@link RelayFrameWriter#mediaHeader}), computed once per
 * frame and shared by every edge pulling the stream; the payload follows as a duplicate.
 */
final class RelayFrameEncoding extends FrameEncoding {

    static final RelayFrameEncoding INSTANCE = new RelayFrameEncoding();

    private RelayFrameEncoding() {
        super("relay");
    }

    @Override
    protected ByteBuf encode(MediaFrame frame) {
        return RelayFrameWriter.mediaHeader(PooledByteBufAllocator.DEFAULT, frame);
    }
}
