package dev.vireo.webrtc.whep;

import dev.vireo.webrtc.RtcTransport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Where an event loop builds and encrypts packets before they leave in a pooled direct buffer.
 * The JCE encrypts byte arrays fastest, and the epoll socket sends only native memory (Netty
 * would copy a heap buffer into a new direct one on write): building in one reused array per loop
 * and copying once ({@link #copyOut}) saves a heap buffer's allocation and release per run.
 */
final class LoopScratch {

    /** A GSO run's bytes (at most 65,000, {@code SegmentationOffload.MAX_BYTES}) and some margin. */
    private static final int RUN_BYTES = 66 * 1024;
    private static final FastThreadLocal<ByteBuf> RUN = new FastThreadLocal<>() {
        @Override
        protected ByteBuf initialValue() {
            return Unpooled.buffer(RUN_BYTES, RUN_BYTES);
        }
    };

    private LoopScratch() {
    }

    /** This loop's buffer for a run of packets (or one packet). */
    static ByteBuf run() {
        return RUN.get();
    }

    /** The first {@code length} bytes of {@code scratch} in a pooled direct buffer of the socket's allocator. */
    static ByteBuf copyOut(RtcTransport transport, ByteBuf scratch, int length) {
        ByteBuf out = transport.alloc().directBuffer(length);
        out.writeBytes(scratch, 0, length);
        return out;
    }
}
