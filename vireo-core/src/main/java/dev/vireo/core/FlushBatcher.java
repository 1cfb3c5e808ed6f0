package dev.vireo.core;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.channel.EventLoop;

/**
 * Writes for one viewer channel, flushed once per delivery batch instead of once per frame: the
 * hub hands a loop's viewers all queued frames in one task ({@link LoopQueue}), and the flush task
 * scheduled here runs right after it, so one batch costs one syscall per viewer. A large burst
 * (the GOP cache) is flushed as it goes once {@code flushBytes} are pending, so it does not sit
 * in memory. Use on the channel's event loop only.
 */
public final class FlushBatcher {

    private final ChannelOutboundInvoker out;
    private final EventLoop loop;
    private final int flushBytes;
    private final Runnable flushTask = this::flushNow;
    private boolean scheduled;
    private int pending;

    public FlushBatcher(Channel channel, int flushBytes) {
        this(channel, channel.eventLoop(), flushBytes);
    }

    /**
     * Writes through {@code out}: the channel (the whole pipeline), or a handler context, e.g.
     * the first one so that bytes needing no handler skip them all.
     */
    public FlushBatcher(ChannelOutboundInvoker out, EventLoop loop, int flushBytes) {
        this.out = out;
        this.loop = loop;
        this.flushBytes = flushBytes;
    }

    /** Writes {@code msg} of {@code size} bytes and makes sure a flush follows soon. */
    public void write(Object msg, int size) {
        out.write(msg, out.voidPromise());
        pending += size;
        if (pending >= flushBytes) {
            flushNow();
        } else if (!scheduled) {
            scheduled = true;
            loop.execute(flushTask);
        }
    }

    private void flushNow() {
        scheduled = false;
        pending = 0;
        out.flush();
    }
}
