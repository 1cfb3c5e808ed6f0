package dev.vireo.bench.measure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FlowCountersTest {

    @Test
    void framesCountBySendStampBytesByArrival() {
        Measurement m = new Measurement();
        FlowCounters c = new FlowCounters(m, true);
        c.onMedia(BenchClock.nowNanos(), 100, true, BenchClock.nowNanos()); // before any window
        MeasurementWindow w = m.open(60_000);
        long t = w.startNanos();
        c.onMedia(t + 1_000_000, 1000, true, t);                 // sent and received inside
        c.onMedia(t + 2_000_000, 50, false, -1);                  // audio
        c.onMedia(w.endNanos() + 5_000_000, 1000, true, w.endNanos() - 1); // sent inside, arrived after
        c.onMedia(t + 3_000_000, 1000, true, t - 1);              // sent before the window
        c.onMedia(t + 4_000_000, 1000, true, -1);                 // not stamped: counted on arrival
        assertThat(c.framesIn(w)).isEqualTo(3);
        assertThat(c.bytesIn(w)).isEqualTo(1000 + 50 + 1000 + 1000);
        assertThat(c.totalFrames()).isEqualTo(5);
        assertThat(c.unstampedFrames()).isEqualTo(1);
        LatencyRecorder.LatencySummary s = m.latency().snapshot();
        assertThat(s.count()).isEqualTo(2);
        assertThat(s.maxMs()).isBetween(5.0, 5.1);

        MeasurementWindow next = m.open(1_000);
        assertThat(c.framesIn(next)).isZero();
        assertThat(c.framesIn(w)).isEqualTo(3);
    }
}
