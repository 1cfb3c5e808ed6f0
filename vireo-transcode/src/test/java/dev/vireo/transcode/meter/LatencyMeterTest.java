package dev.vireo.transcode.meter;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LatencyMeterTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void matchesTheNearestInputOfTheSameTrack() {
        LatencyMeter m = new LatencyMeter();
        for (int i = 0; i < 100; i++) {
            m.input(true, i * 33L, i * 33L * MS);
            m.input(false, i * 23L, i * 23L * MS);
        }
        for (int i = 0; i < 100; i++) {
            // video out exactly 40 ms later; audio re-cut to 20 ms frames, 30 ms later
            m.output(true, i * 33L, (i * 33L + 40) * MS);
            m.output(false, i * 20L, (i * 20L + 30) * MS);
        }
        assertThat(m.video().samples()).isEqualTo(100);
        assertThat(m.video().p50Millis()).isEqualTo(40.0);
        assertThat(m.video().p99Millis()).isEqualTo(40.0);
        // an Opus frame at t matches the AAC frame nearest to t: within half an AAC frame
        assertThat(m.audio().p50Millis()).isBetween(30.0 - 11.5, 30.0 + 11.5);
        assertThat(m.audio().samples()).isEqualTo(100);
    }

    @Test
    void unmatchedOutputsAreNotCounted() {
        LatencyMeter m = new LatencyMeter();
        m.input(true, 0, 0);
        m.output(true, 5000, 10 * MS);
        assertThat(m.video()).isEqualTo(Latency.NONE);
        assertThat(m.audio()).isEqualTo(Latency.NONE);
    }

    @Test
    void percentiles() {
        LatencyMeter m = new LatencyMeter();
        for (int i = 0; i < 200; i++) {
            m.input(true, i, 0);
            m.output(true, i, (i < 197 ? 10 : 500) * MS); // 3 of 200 above: beyond the 1 % a p99 may ignore
        }
        assertThat(m.video().p50Millis()).isEqualTo(10.0);
        assertThat(m.video().p99Millis()).isEqualTo(500.0);
    }
}
