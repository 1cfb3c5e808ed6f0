package dev.vireo.bench.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.bench.measure.LatencyRecorder.LatencySummary;
import org.junit.jupiter.api.Test;

class HoldCriteriaTest {

    private final HoldCriteria criteria = new HoldCriteria(0.95, 500);
    private final LatencySummary fast = new LatencySummary(3000, 2, 3, 8, 12, 20);

    @Test
    void heldWhenEveryViewerGetsEnoughFramesInTime() {
        assertThat(criteria.framesNeeded(300)).isEqualTo(285);
        assertThat(criteria.verdict(3, new long[] {300, 290, 285}, 300, fast)).isEqualTo("held");
    }

    @Test
    void oneShortViewerIsEnoughToFail() {
        assertThat(criteria.verdict(3, new long[] {300, 300, 284}, 300, fast))
                .isEqualTo("1 viewers got < 95% of 300 frames (min 284)");
    }

    @Test
    void missingViewersAndSlowP99AreReported() {
        LatencySummary slow = new LatencySummary(3000, 100, 300, 650, 900, 1000);
        assertThat(criteria.verdict(4, new long[] {300, 300, 300}, 300, slow))
                .isEqualTo("1 viewers never started playing; p99 latency 650.0 ms >= 500 ms");
    }

    @Test
    void noSourceFramesIsNotHeld() {
        assertThat(criteria.verdict(1, new long[] {0}, 0, LatencySummary.EMPTY)).startsWith("publisher sent no frames");
    }
}
