package dev.vireo.bench.fanout;

import dev.vireo.bench.measure.LatencyRecorder.LatencySummary;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * When a server "holds" a number of viewers: every viewer asked for got at least
 * {@code minFrameRatio} of the frames the publisher sent in the window, and the p99 delivery
 * latency stayed below {@code maxP99Millis}.
 */
record HoldCriteria(double minFrameRatio, double maxP99Millis) {

    /** Frames each viewer needs, given what the source sent. */
    long framesNeeded(long sourceFrames) {
        return (long) Math.ceil(sourceFrames * minFrameRatio);
    }

    /**
     * @param viewers       viewers asked for
     * @param framesPerViewer frames each started viewer received (failed ones are absent)
     * @param sourceFrames  frames the publisher sent
     * @return "held" or the reasons it was not, joined by "; "
     */
    String verdict(int viewers, long[] framesPerViewer, long sourceFrames, LatencySummary latency) {
        List<String> problems = new ArrayList<>();
        if (sourceFrames == 0) {
            problems.add("publisher sent no frames");
        }
        int missing = viewers - framesPerViewer.length;
        if (missing > 0) {
            problems.add(missing + " viewers never started playing");
        }
        long needed = framesNeeded(sourceFrames);
        int shortCount = 0;
        long min = Long.MAX_VALUE;
        for (long f : framesPerViewer) {
            if (f < needed) {
                shortCount++;
            }
            min = Math.min(min, f);
        }
        if (shortCount > 0) {
            problems.add(String.format(Locale.ROOT, "%d viewers got < %.0f%% of %d frames (min %d)",
                    shortCount, minFrameRatio * 100, sourceFrames, min));
        }
        if (latency.count() == 0 && sourceFrames > 0) {
            problems.add("no latency samples");
        } else if (latency.p99Ms() >= maxP99Millis) {
            problems.add(String.format(Locale.ROOT, "p99 latency %.1f ms >= %.0f ms", latency.p99Ms(), maxP99Millis));
        }
        return problems.isEmpty() ? "held" : String.join("; ", problems);
    }
}
