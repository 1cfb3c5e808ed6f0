package dev.vireo.bench.measure;

/**
 * One measurement interval on the {@link BenchClock}: bytes count when they arrive inside it,
 * frames (and their latency) count when they were <em>sent</em> inside it, so frames still in
 * flight at the end are not lost, only late.
 *
 * @param id         distinguishes windows so counters know when to start over
 * @param startNanos inclusive
 * @param endNanos   exclusive
 */
public record MeasurementWindow(int id, long startNanos, long endNanos) {

    /** Before the first window: nothing is inside. */
    static final MeasurementWindow NONE = new MeasurementWindow(0, 0, 0);

    boolean contains(long nanos) {
        return nanos >= startNanos && nanos < endNanos;
    }

    public double seconds() {
        return (endNanos - startNanos) / 1e9;
    }
}
