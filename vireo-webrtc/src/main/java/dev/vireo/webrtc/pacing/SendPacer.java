package dev.vireo.webrtc.pacing;

import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Consumer;

/**
 * Paces a viewer's packets onto the network: a token bucket filled at the pacing rate (by
 * default {@link #PACING_FACTOR} × the bandwidth estimate, as libwebrtc paces: fast enough that
 * an encoder's average never waits, slow enough that a keyframe's burst is spread instead of
 * overflowing a slow link's queue) drains a FIFO of packets. The bucket holds at most
 * {@link Config#burstNanos} of the rate, so an idle pacer does not save up a burst; it may go
 * into debt by one packet (a packet leaves whenever the bucket is positive).
 *
 * <p>Two queues: priority packets (audio, retransmissions) leave before the rest, under the same
 * budget. Bounded: {@link Config#maxPackets} queued at most (beyond, {@link #enqueue} refuses and
 * the caller drops, e.g. to the next keyframe); and when the queue would not have drained by the
 * time its oldest packet has waited {@link Config#maxQueueNanos}, the rate rises to meet that
 * deadline (a late frame is worse than a burst).
 *
 * <p>Pure: no thread or timer. The session calls {@link #drain} when packets are queued and at
 * {@link #nextSendNanos}, on its event loop (e.g. one scheduled task per viewer, re-armed only
 * while the queue is not empty). Not thread-safe.
 *
 * @param <T> the packet type (the session's, e.g. a reference to a frame's shared payload)
 */
public final class SendPacer<T> {

    /** libwebrtc's default pacing factor. */
    public static final double PACING_FACTOR = 2.5;

    /**
     * @param burstNanos    how much of the rate the bucket holds (libwebrtc: 5 ms... 40 ms)
     * @param maxQueueNanos drain time the queue is allowed before the rate rises
     * @param maxPackets    packets queued at most
     */
    public record Config(long burstNanos, long maxQueueNanos, int maxPackets) {
        public static final Config DEFAULT = new Config(10_000_000, 500_000_000, 4096);
    }

    private record Entry<T>(T packet, int size, long enqueuedNanos) {
    }

    private final Config config;
    private final ArrayDeque<Entry<T>> priority = new ArrayDeque<>();
    private final ArrayDeque<Entry<T>> normal = new ArrayDeque<>();
    private long rateBps;
    private double tokens; // bytes
    private long lastRefillNanos;
    private long queuedBytes;

    public SendPacer(Config config, long rateBps, long nowNanos) {
        if (rateBps <= 0) {
            throw new IllegalArgumentException("pacing rate " + rateBps);
        }
        this.config = config;
        this.rateBps = rateBps;
        this.lastRefillNanos = nowNanos;
        this.tokens = bucketBytes(rateBps);
    }

    /** Sets the pacing rate from a bandwidth estimate: {@link #PACING_FACTOR} × it. */
    public void setEstimate(long estimateBps, long nowNanos) {
        setRate((long) (estimateBps * PACING_FACTOR), nowNanos);
    }

    /** Sets the pacing rate itself. */
    public void setRate(long bps, long nowNanos) {
        if (bps <= 0) {
            throw new IllegalArgumentException("pacing rate " + bps);
        }
        refill(nowNanos);
        rateBps = bps;
    }

    public long rateBps() {
        return rateBps;
    }

    /**
     * Queues a packet of {@code size} bytes; false (not queued) when {@link Config#maxPackets}
     * are already waiting.
     */
    public boolean enqueue(T packet, int size, boolean isPriority, long nowNanos) {
        if (priority.size() + normal.size() >= config.maxPackets()) {
            return false;
        }
        (isPriority ? priority : normal).addLast(new Entry<>(packet, size, nowNanos));
        queuedBytes += size;
        return true;
    }

    /** Hands {@code send} every packet the budget allows now, priority ones first; returns how many. */
    public int drain(long nowNanos, Consumer<? super T> send) {
        refill(nowNanos);
        int n = 0;
        while (tokens > 0 && (!priority.isEmpty() || !normal.isEmpty())) {
            Entry<T> e = priority.isEmpty() ? normal.pollFirst() : priority.pollFirst();
            queuedBytes -= e.size();
            tokens -= e.size();
            send.accept(e.packet());
            n++;
        }
        return n;
    }

    /** Empties the queues, handing every waiting packet to {@code discard} (the session ends); returns how many. */
    public int clear(Consumer<? super T> discard) {
        int n = 0;
        for (ArrayDeque<Entry<T>> q : List.of(priority, normal)) {
            for (Entry<T> e; (e = q.pollFirst()) != null; n++) {
                discard.accept(e.packet());
            }
        }
        queuedBytes = 0;
        return n;
    }

    /** When the next packet may leave: {@code nowNanos} if now, {@link Long#MAX_VALUE} when the queue is empty. */
    public long nextSendNanos(long nowNanos) {
        if (priority.isEmpty() && normal.isEmpty()) {
            return Long.MAX_VALUE;
        }
        refill(nowNanos);
        if (tokens > 0) {
            return nowNanos;
        }
        // the first instant the bucket is positive again, rounded up to the next nanosecond
        return nowNanos + (long) Math.floor(-tokens * 8e9 / effectiveRate(nowNanos)) + 1;
    }

    public int queuedPackets() {
        return priority.size() + normal.size();
    }

    public long queuedBytes() {
        return queuedBytes;
    }

    /** How long the oldest queued packet has waited. */
    public long queueDelayNanos(long nowNanos) {
        long oldest = Long.MAX_VALUE;
        if (!priority.isEmpty()) {
            oldest = priority.peekFirst().enqueuedNanos();
        }
        if (!normal.isEmpty()) {
            oldest = Math.min(oldest, normal.peekFirst().enqueuedNanos());
        }
        return oldest == Long.MAX_VALUE ? 0 : nowNanos - oldest;
    }

    /**
     * The rate, raised so that what is queued has left when the oldest packet has waited
     * {@link Config#maxQueueNanos} (at least 1 ms ahead).
     */
    private double effectiveRate(long nowNanos) {
        if (queuedBytes == 0) {
            return rateBps;
        }
        long left = Math.max(1_000_000, config.maxQueueNanos() - queueDelayNanos(nowNanos));
        return Math.max(rateBps, queuedBytes * 8e9 / left);
    }

    private void refill(long nowNanos) {
        long dt = nowNanos - lastRefillNanos;
        if (dt <= 0) {
            return;
        }
        double rate = effectiveRate(lastRefillNanos);
        tokens = Math.min(bucketBytes(rate), tokens + rate * dt / 8e9);
        lastRefillNanos = nowNanos;
    }

    private double bucketBytes(double rate) {
        return rate * config.burstNanos() / 8e9;
    }
}
