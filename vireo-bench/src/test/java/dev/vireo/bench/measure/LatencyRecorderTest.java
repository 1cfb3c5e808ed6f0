package dev.vireo.bench.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LatencyRecorderTest {

    @Test
    void percentilesOfAUniformSpread() {
        LatencyRecorder r = new LatencyRecorder();
        for (int ms = 1; ms <= 1000; ms++) {
            r.recordNanos(ms * 1_000_000L);
        }
        LatencyRecorder.LatencySummary s = r.snapshot();
        assertThat(s.count()).isEqualTo(1000);
        // HdrHistogram at 3 significant digits: within 0.1 %
        assertThat(s.p50Ms()).isCloseTo(500, within(1.0));
        assertThat(s.p99Ms()).isCloseTo(990, within(1.0));
        assertThat(s.maxMs()).isCloseTo(1000, within(1.0));
    }

    @Test
    void resetStartsOverAndNegativeSamplesCountAsZero() {
        LatencyRecorder r = new LatencyRecorder();
        r.recordNanos(5_000_000);
        r.reset();
        r.recordNanos(-3);
        LatencyRecorder.LatencySummary s = r.snapshot();
        assertThat(s.count()).isEqualTo(1);
        assertThat(s.maxMs()).isZero();
        assertThat(r.snapshot()).isEqualTo(LatencyRecorder.LatencySummary.EMPTY);
    }
}
