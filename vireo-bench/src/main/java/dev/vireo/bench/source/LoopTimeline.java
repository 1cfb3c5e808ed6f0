package dev.vireo.bench.source;

/**
 * Pacing math for sending a finite tag list forever in real time: loop {@code k} of a tag with
 * source timestamp {@code ts} goes out with timestamp {@code k * loopMs + (ts - firstMs)} at
 * wall time {@code start + thatTimestamp}. {@code loopMs} is the span of the file plus one
 * video frame interval, so every track's timestamps keep increasing across the seam.
 *
 * @param firstMs timestamp of the first media tag of the file
 * @param loopMs  duration of one loop in ms (&gt; 0)
 */
public record LoopTimeline(long firstMs, long loopMs) {

    public LoopTimeline {
        if (loopMs <= 0) {
            throw new IllegalArgumentException("loop duration must be positive: " + loopMs);
        }
    }

    /**
     * @param firstMs       first media tag timestamp
     * @param lastMs        last media tag timestamp (any track)
     * @param frameInterval video frame interval in ms (the gap kept at the seam)
     */
    static LoopTimeline of(long firstMs, long lastMs, long frameInterval) {
        return new LoopTimeline(firstMs, lastMs - firstMs + Math.max(1, frameInterval));
    }

    /** Output (RTMP) timestamp in ms of a tag with source timestamp {@code ts} in loop {@code loop}. */
    long outputMs(long loop, long ts) {
        return loop * loopMs + (ts - firstMs);
    }

    /** When (same clock as {@code startNanos}) that tag is due. */
    public long dueNanos(long startNanos, long loop, long ts) {
        return startNanos + outputMs(loop, ts) * 1_000_000L;
    }
}
