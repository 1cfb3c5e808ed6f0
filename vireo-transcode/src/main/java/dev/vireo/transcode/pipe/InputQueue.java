package dev.vireo.transcode.pipe;

import dev.vireo.core.MediaFrame;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Frames on their way from the hub (offered on an event loop, never blocking) to ffmpeg's stdin
 * (taken by the job's writer thread). Bounded like a slow viewer: when ffmpeg falls behind — the
 * oldest queued frame has waited longer than {@code maxWait}, or the bytes exceed
 * {@code maxBytes} — the backlog is dropped and the queue resumes at the next video keyframe,
 * so a stall costs a skip, not ever-growing latency or memory. Configuration and metadata frames
 * are never dropped (ffmpeg needs them, and they are small).
 */
public final class InputQueue {

    /** A frame and when it reached the transcoder. */
    public record Entry(MediaFrame frame, long receivedNanos) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private final long maxBytes;
    private final long maxWaitNanos;
    private long bytes;
    private boolean skipping;
    private boolean closed;
    private long dropped;
    private long overflows;

    public InputQueue(long maxBytes, long maxWaitNanos) {
        this.maxBytes = maxBytes;
        this.maxWaitNanos = maxWaitNanos;
    }

    /**
     * Queues {@code frame} (retaining it) unless the queue is skipping to a keyframe.
     *
     * @param videoTrack whether the stream has video: without it, any audio frame is a resume point
     * @return false when the frame was dropped
     */
    public boolean offer(MediaFrame frame, long nowNanos, boolean videoTrack) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            if (frame.isConfig() || frame.isData()) {
                add(frame, nowNanos);
                return true;
            }
            boolean resumePoint = !videoTrack || (frame.isVideo() && frame.isKeyframe());
            if (skipping) {
                if (!resumePoint) {
                    dropped++;
                    return false;
                }
                skipping = false;
            } else if (behind(frame, nowNanos)) {
                overflows++;
                dropMedia();
                if (!resumePoint) {
                    skipping = true;
                    dropped++;
                    return false;
                }
            }
            add(frame, nowNanos);
            return true;
        } finally {
            lock.unlock();
        }
    }

    private boolean behind(MediaFrame frame, long nowNanos) {
        if (bytes + frame.payload().readableBytes() > maxBytes) {
            return true;
        }
        for (Entry e : entries) {
            if (!e.frame.isConfig() && !e.frame.isData()) {
                return nowNanos - e.receivedNanos > maxWaitNanos;
            }
        }
        return false;
    }

    private void add(MediaFrame frame, long nowNanos) {
        entries.addLast(new Entry(frame.retain(), nowNanos));
        bytes += frame.payload().readableBytes();
        notEmpty.signal();
    }

    /** Drops the queued media frames, keeping configuration and metadata in order. */
    private void dropMedia() {
        for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (!e.frame.isConfig() && !e.frame.isData()) {
                it.remove();
                bytes -= e.frame.payload().readableBytes();
                e.frame.release();
                dropped++;
            }
        }
    }

    /**
     * After a restart: drops media queued before the latest resume point, which the previous
     * process either transcoded already or which is too old to be worth it now.
     */
    public void skipToLatestResumePoint(boolean videoTrack) {
        lock.lock();
        try {
            Entry latest = null;
            for (Entry e : entries) {
                if (!e.frame.isConfig() && !e.frame.isData() && (!videoTrack || (e.frame.isVideo() && e.frame.isKeyframe()))) {
                    latest = e;
                }
            }
            for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
                Entry e = it.next();
                if (e == latest) {
                    break;
                }
                if (!e.frame.isConfig() && !e.frame.isData()) {
                    it.remove();
                    bytes -= e.frame.payload().readableBytes();
                    e.frame.release();
                    dropped++;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** The next entry, waiting up to {@code timeoutMillis}; null on timeout. The caller releases its frame. */
    public Entry poll(long timeoutMillis) throws InterruptedException {
        lock.lock();
        try {
            long nanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (entries.isEmpty()) {
                if (closed || nanos <= 0) {
                    return null;
                }
                nanos = notEmpty.awaitNanos(nanos);
            }
            Entry e = entries.removeFirst();
            bytes -= e.frame.payload().readableBytes();
            return e;
        } finally {
            lock.unlock();
        }
    }

    public boolean isEmpty() {
        lock.lock();
        try {
            return entries.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** Media frames dropped so far (backlog, skipping to a keyframe). */
    public long dropped() {
        lock.lock();
        try {
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    long overflows() {
        lock.lock();
        try {
            return overflows;
        } finally {
            lock.unlock();
        }
    }

    /** Releases everything and refuses further frames. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            for (Entry e : entries) {
                e.frame.release();
            }
            entries.clear();
            bytes = 0;
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
