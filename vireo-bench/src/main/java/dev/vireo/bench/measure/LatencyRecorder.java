package dev.vireo.bench.measure;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Delivery latency samples from all viewers of a step. Writers (viewer event loops) are
 * wait-free; the reader takes an interval snapshot. Values are microseconds, 1 µs .. 1 h at
 * three significant digits.
 */
public final class LatencyRecorder {

    private static final long MAX_MICROS = 3_600_000_000L;

    private final Recorder recorder = new Recorder(1, MAX_MICROS, 3);

    /** Records one sample; negative values (clock trouble, never expected) count as 0. */
    public void recordNanos(long nanos) {
        long micros = Math.max(0, nanos / 1_000);
        recorder.recordValue(Math.min(micros, MAX_MICROS));
    }

    /** Drops everything recorded so far (start of a measurement window). */
    public void reset() {
        recorder.reset();
    }

    /** What was recorded since the last reset/snapshot. */
    public LatencySummary snapshot() {
        return LatencySummary.of(recorder.getIntervalHistogram());
    }

    /** Percentiles in milliseconds. */
    public record LatencySummary(long count, double p50Ms, double p90Ms, double p99Ms, double p999Ms, double maxMs) {

        public static final LatencySummary EMPTY = new LatencySummary(0, 0, 0, 0, 0, 0);

        static LatencySummary of(Histogram h) {
            if (h.getTotalCount() == 0) {
                return EMPTY;
            }
            return new LatencySummary(h.getTotalCount(),
                    ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)),
                    ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)),
                    ms(h.getMaxValue()));
        }

        private static double ms(long micros) {
            return micros / 1000.0;
        }
    }
}
