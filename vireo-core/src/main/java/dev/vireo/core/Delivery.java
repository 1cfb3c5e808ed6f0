package dev.vireo.core;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One viewer's attachment: holds the start-up burst (metadata, sequence headers, GOP cache)
 * taken atomically with registration, and hands it over before the first live frame, so a viewer
 * never sees a live frame before its burst nor any frame twice.
 */
final class Delivery implements Subscription {

    private static final Logger log = LoggerFactory.getLogger(Delivery.class);

    final Subscriber subscriber;
    /** The last frame of its loop's queue that the burst covers: it gets only later ones ({@link LoopQueue}). */
    final long after;
    private final Stream stream;
    private final AtomicReference<List<MediaFrame>> burst;
    private volatile boolean closed;

    Delivery(Stream stream, Subscriber subscriber, List<MediaFrame> burst, long after) {
        this.stream = stream;
        this.subscriber = subscriber;
        this.after = after;
        this.burst = new AtomicReference<>(burst);
    }

    /** On the viewer's executor. */
    void deliver(MediaFrame frame) {
        if (closed) {
            return;
        }
        flushBurst();
        handOver(frame);
    }

    /** On the viewer's executor: delivers the start-up burst if not done yet. */
    void flushBurst() {
        List<MediaFrame> frames = burst.getAndSet(null);
        if (frames == null) {
            return;
        }
        try {
            for (MediaFrame f : frames) {
                if (!closed) {
                    handOver(f);
                }
            }
        } finally {
            frames.forEach(MediaFrame::release);
        }
    }

    private void handOver(MediaFrame frame) {
        try {
            subscriber.onFrame(frame);
        } catch (RuntimeException e) {
            // A viewer's bug must not reach the other viewers on this loop.
            log.warn("viewer {} of {} failed on a frame; detaching it", subscriber.id(), stream.key(), e);
            close();
        }
    }

    /** On the viewer's executor: the stream is over. */
    void end(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        releaseBurst();
        try {
            subscriber.onEnd(reason);
        } catch (RuntimeException e) {
            log.warn("viewer {} of {} failed on end", subscriber.id(), stream.key(), e);
        }
    }

    boolean isClosed() {
        return closed;
    }

    private void releaseBurst() {
        List<MediaFrame> frames = burst.getAndSet(null);
        if (frames != null) {
            frames.forEach(MediaFrame::release);
        }
    }

    @Override
    public Stream stream() {
        return stream;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        stream.detach(this);
        if (subscriber.executor().inEventLoop()) {
            releaseBurst();
        } else {
            subscriber.executor().execute(this::releaseBurst);
        }
    }
}
