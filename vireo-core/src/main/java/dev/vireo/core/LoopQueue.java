package dev.vireo.core;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.PlatformDependent;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Delivery of one stream's frames to the viewers that live on one event loop: the publisher
 * enqueues each frame once per loop (not once per viewer) and at most one drain task per loop is
 * pending at a time, so fan-out costs O(loops) on the publisher's thread and O(viewers) work on
 * the viewers' own threads.
 *
 * <p>A viewer that attaches while frames wait here for the loop starts with its burst, which
 * holds those frames already (the GOP cache, taken under the same stream lock as every offer):
 * it gets only the frames offered after it attached ({@link Delivery#after}), or it would decode
 * them twice. Frames are numbered in offer order, which is drain order. A burst without media
 * (no GOP cached: an audio-only stream) holds none of them: such a viewer gets them all.
 */
final class LoopQueue implements Runnable {

    private static final Delivery[] NONE = new Delivery[0];

    final EventExecutor executor;
    private final Queue<MediaFrame> frames = PlatformDependent.newMpscQueue();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** Copy-on-write; modified under the stream lock, read lock-free by the drain task. */
    private volatile Delivery[] viewers = NONE;
    /** Frames offered so far; under the stream lock. */
    private long offered;
    /** Frames drained so far; on the loop only. */
    private long drained;

    LoopQueue(EventExecutor executor) {
        this.executor = executor;
    }

    /** Called under the stream lock. Retains the frame for the queue. */
    void offer(MediaFrame frame) {
        offered++;
        frames.offer(frame.retain());
        if (scheduled.compareAndSet(false, true)) {
            executor.execute(this);
        }
    }

    @Override
    public void run() {
        scheduled.set(false);
        MediaFrame f;
        while ((f = frames.poll()) != null) {
            long number = ++drained;
            try {
                for (Delivery d : viewers) {
                    if (number > d.after) {
                        d.deliver(f);
                    }
                }
            } finally {
                f.release();
            }
        }
    }

    /** Called under the stream lock: the number of the last frame offered, which a viewer attaching now has in its burst. */
    long offered() {
        return offered;
    }

    /** Called under the stream lock. */
    void add(Delivery d) {
        Delivery[] old = viewers;
        Delivery[] grown = java.util.Arrays.copyOf(old, old.length + 1);
        grown[old.length] = d;
        viewers = grown;
    }

    /** Called under the stream lock; returns true when no viewer is left. */
    boolean remove(Delivery d) {
        Delivery[] old = viewers;
        int i = 0;
        while (i < old.length && old[i] != d) {
            i++;
        }
        if (i == old.length) {
            return old.length == 0;
        }
        Delivery[] shrunk = new Delivery[old.length - 1];
        System.arraycopy(old, 0, shrunk, 0, i);
        System.arraycopy(old, i + 1, shrunk, i, old.length - i - 1);
        viewers = shrunk;
        return shrunk.length == 0;
    }

    Delivery[] viewers() {
        return viewers;
    }
}
