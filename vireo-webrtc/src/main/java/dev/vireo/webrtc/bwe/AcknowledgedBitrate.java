package dev.vireo.webrtc.bwe;

import java.util.ArrayDeque;

/**
 * The incoming bitrate {@code R_hat(i)} of draft-ietf-rmcat-gcc-02 §5.5: what the receiver got,
 * measured on its own arrival times over the last {@link #WINDOW_NANOS} (0.5 s, within the
 * draft's 0.5–1 s), from the sizes of the packets transport-wide feedback reports received.
 * Bounded by the window. Not thread-safe.
 */
public final class AcknowledgedBitrate {

    public static final long WINDOW_NANOS = 500_000_000;
    /** Below this span of arrivals there is no estimate yet. */
    private static final long MIN_SPAN_NANOS = 100_000_000;

    private final ArrayDeque<long[]> packets = new ArrayDeque<>(); // {arrivalNanos, size}
    private long bytes;
    private long firstArrival = Long.MIN_VALUE;
    private long latestArrival = Long.MIN_VALUE;

    public void onPacket(long arrivalNanos, int size) {
        if (firstArrival == Long.MIN_VALUE) {
            firstArrival = arrivalNanos;
        }
        latestArrival = Math.max(latestArrival, arrivalNanos);
        packets.addLast(new long[] {arrivalNanos, size});
        bytes += size;
        while (!packets.isEmpty() && packets.peekFirst()[0] <= latestArrival - WINDOW_NANOS) {
            bytes -= packets.removeFirst()[1];
        }
    }

    /** Bits per second over the window, or -1 before {@code 100 ms} of arrivals. */
    public long bitrate() {
        if (firstArrival == Long.MIN_VALUE) {
            return -1;
        }
        long span = Math.min(WINDOW_NANOS, latestArrival - firstArrival);
        if (span < MIN_SPAN_NANOS) {
            return -1;
        }
        return bytes * 8 * 1_000_000_000L / span;
    }
}
