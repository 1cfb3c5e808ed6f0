package dev.vireo.media;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;

/**
 * A value that owns one {@link ByteBuf} and is reference counted through it: its count is the
 * buffer's, and retaining, touching and releasing it retain, touch and release the buffer, so
 * Netty's own release points (encoders, the pipeline tail, failed writes) free it as they would
 * the buffer. For records and final classes that cannot extend Netty's {@code
 * DefaultByteBufHolder}: they name their buffer in {@link #countedBuffer()} and get the rest.
 *
 * @param <T> the implementing type, which {@code retain} and {@code touch} return
 */
public interface BufferOwner<T extends BufferOwner<T>> extends ReferenceCounted {

    /** The buffer whose reference count is this value's. */
    ByteBuf countedBuffer();

    @Override
    default int refCnt() {
        return countedBuffer().refCnt();
    }

    @Override
    default T retain() {
        countedBuffer().retain();
        return self();
    }

    @Override
    default T retain(int increment) {
        countedBuffer().retain(increment);
        return self();
    }

    @Override
    default T touch() {
        countedBuffer().touch();
        return self();
    }

    @Override
    default T touch(Object hint) {
        countedBuffer().touch(hint);
        return self();
    }

    @Override
    default boolean release() {
        return countedBuffer().release();
    }

    @Override
    default boolean release(int decrement) {
        return countedBuffer().release(decrement);
    }

    @SuppressWarnings("unchecked")
    private T self() {
        return (T) this;
    }
}
