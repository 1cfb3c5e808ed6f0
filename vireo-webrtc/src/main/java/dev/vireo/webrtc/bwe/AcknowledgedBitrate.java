package dev.vireo.webrtc.bwe;

/**
 * The incoming bitrate {@code R_hat(i)} of draft-ietf-rmcat-gcc-02 §5.5: what the receiver got,
 * measured on its own arrival times over the last {@link #WINDOW_NANOS} (0.5 s, within the
 * draft's 0.5–1 s), from the sizes of the packets transport-wide feedback reports received.
 * Bounded: a ring of {@link #CAPACITY} packets (beyond, at over ~20 Mbps of 1200-byte packets,
 * the window shortens to what it holds). Not thread-safe.
 */
public final class AcknowledgedBitrate {

    public static final long WINDOW_NANOS = 500_000_000;
    static final int CAPACITY = 1024;
    /** Below this span of arrivals there is no estimate yet. */
    private static final long MIN_SPAN_NANOS = 100_000_000;

    private final long[] arrivals = new long[CAPACITY];
    private final int[] sizes = new int[CAPACITY];
    private int head; // oldest
    private int count;
    private long bytes;
    private long firstArrival = Long.MIN_VALUE;
    private long latestArrival = Long.MIN_VALUE;

    public void onPacket(long arrivalNanos, int size) {
        if (firstArrival == Long.MIN_VALUE) {
            firstArrival = arrivalNanos;
        }
        latestArrival = Math.max(latestArrival, arrivalNanos);
        if (count == CAPACITY) {
            evict();
        }
        int slot = (head + count) % CAPACITY;
        arrivals[slot] = arrivalNanos;
        sizes[slot] = size;
        count++;
        bytes += size;
        while (count > 0 && arrivals[head] <= latestArrival - WINDOW_NANOS) {
            evict();
        }
    }

    /** Bits per second over the window, or -1 before {@code 100 ms} of arrivals. */
    public long bitrate() {
        if (firstArrival == Long.MIN_VALUE) {
            return -1;
        }
        long span = Math.min(WINDOW_NANOS, latestArrival - firstArrival);
        if (count == CAPACITY) {
            span = Math.min(span, latestArrival - arrivals[head]); // the ring holds less than the window
        }
        if (span < MIN_SPAN_NANOS) {
            return -1;
        }
        return bytes * 8 * 1_000_000_000L / span;
    }

    private void evict() {
        bytes -= sizes[head];
        head = (head + 1) % CAPACITY;
        count--;
    }
}
