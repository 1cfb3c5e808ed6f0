package dev.vireo.core;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A per-frame serialization that is the same for every viewer of one egress format (for example
 * the FLV tag of a frame, or its RTMP chunks at a fixed chunk size). Each encoding is a singleton
 * created once at class-load time; {@link MediaFrame#encoded(FrameEncoding)} computes it at most
 * once per frame ("encode once, send many").
 */
public abstract class FrameEncoding {

    /** Upper bound on distinct encodings in one process; a frame keeps one slot per encoding. */
    static final int MAX_ENCODINGS = 8;

    private static final AtomicInteger NEXT = new AtomicInteger();

    private final int index;
    private final String name;

    protected FrameEncoding(String name) {
        this.name = name;
        this.index = NEXT.getAndIncrement();
        if (index >= MAX_ENCODINGS) {
            throw new IllegalStateException("too many frame encodings; raise MAX_ENCODINGS for " + name);
        }
    }

    final int index() {
        return index;
    }

    public String name() {
        return name;
    }

    /** Encodes {@code frame}; the result is owned by the frame's cache. Must not modify the frame. */
    protected abstract ByteBuf encode(MediaFrame frame);
}
