package dev.vireo.rtmp;

import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Write coalescing for the playing connections of one event loop. With few viewers every frame
 * is written and flushed as it comes (lowest latency). From {@code minViewers} on a loop, a
 * frame's per-viewer cost is dominated by one write and one system call per viewer per frame
 * (≈ 80 frames/s at 600 kbit/s with audio), so viewers then collect their frames and all of them
 * are written once per window: a few frames per writev instead of one, at the price of at most
 * {@code window} more delay, which TCP players (seconds of buffer) do not notice. One per event
 * loop of the server ({@link RtmpServer}); used on that loop only.
 */
final class EgressWindow {

    private final EventLoop loop;
    private final int minViewers;
    private final long windowNanos;
    private final Runnable flushTask = this::flushAll;
    private final List<Runnable> pending = new ArrayList<>();
    private int viewers;
    private boolean scheduled;

    EgressWindow(EventLoop loop, int minViewers, long windowNanos) {
        this.loop = loop;
        this.minViewers = minViewers;
        this.windowNanos = windowNanos;
    }

    EgressWindow(EventLoop loop, RtmpConfig config) {
        this(loop, config.egressBatchViewers(), config.egressWindow().toNanos());
    }

    void join() {
        viewers++;
    }

    void leave() {
        viewers--;
    }

    int viewers() {
        return viewers;
    }

    /** Whether frames are now collected per window. */
    boolean active() {
        return minViewers > 0 && windowNanos > 0 && viewers >= minViewers;
    }

    /** {@code flush} writes what one viewer collected; it runs when the current window closes. */
    void add(Runnable flush) {
        pending.add(flush);
        if (!scheduled) {
            scheduled = true;
            loop.schedule(flushTask, windowNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void flushAll() {
        scheduled = false;
        // A flush may not add to this window (it runs after its viewer's frames), but copy to be safe.
        Runnable[] due = pending.toArray(new Runnable[0]);
        pending.clear();
        for (Runnable r : due) {
            r.run();
        }
    }
}
