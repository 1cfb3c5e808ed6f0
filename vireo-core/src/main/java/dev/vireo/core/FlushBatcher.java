package dev.vireo.core;

import io.netty.channel.Channel;

/**
 * Writes for one viewer channel, flushed once per delivery batch instead of once per frame: the
 * hub hands a loop's viewers all queued frames in one task ({@link LoopQueue}), and the flush task
 * scheduled here runs right after it, so one batch costs one syscall per viewer. A large burst
 * (the GOP cache) is flushed as it goes once {@code flushBytes} are pending, so it does not sit
 * in memory. Use on the channel's event loop only.
 */
public final class FlushBatcher {

    private final Channel channel;
    private final int flushBytes;
    private final Runnable flushTask = this::flushNow;
    private boolean scheduled;
    private int pending;

    public FlushBatcher(Channel channel, int flushBytes) {
        this.channel = channel;
        this.flushBytes = flushBytes;
    }

    /** Writes {@code msg} of {@code size} bytes and makes sure a flush follows soon. */
    public void write(Object msg, int size) {
        channel.write(msg, channel.voidPromise());
        pending += size;
        if (pending >= flushBytes) {
            flushNow();
        } else if (!scheduled) {
            scheduled = true;
            channel.eventLoop().execute(flushTask);
        }
    }

    private void flushNow() {
        scheduled = false;
        pending = 0;
        channel.flush();
    }
}
