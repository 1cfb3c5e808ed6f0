package dev.vireo.bench.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerDelayProbeTest {

    private final ServerDelayProbe probe = new ServerDelayProbe(URI.create("http://127.0.0.1:1/metrics"),
            "vireo_webrtc_egress_delay_seconds");

    private static String exposition(long le1ms, long le5ms, long inf) {
        return "# TYPE vireo_webrtc_egress_delay_seconds histogram\n"
                + "vireo_webrtc_egress_delay_seconds_bucket{le=\"0.001\"} " + le1ms + "\n"
                + "vireo_webrtc_egress_delay_seconds_bucket{le=\"0.005\"} " + le5ms + "\n"
                + "vireo_webrtc_egress_delay_seconds_bucket{le=\"+Inf\"} " + inf + "\n"
                + "vireo_webrtc_egress_delay_seconds_count " + inf + "\n"
                + "vireo_other_bucket{le=\"0.001\"} 99\n";
    }

    @Test
    void percentilesAreThoseOfTheWindowAlone() {
        Map<Double, Long> before = probe.parse(exposition(1000, 1000, 1000));
        // in the window: 980 under 1 ms, 15 under 5 ms, 5 above
        Map<Double, Long> after = probe.parse(exposition(1980, 1995, 2000));
        ServerDelayProbe.Summary s = ServerDelayProbe.between(before, after);
        assertThat(s.count()).isEqualTo(1000);
        assertThat(s.p50Ms()).isEqualTo(1.0);
        assertThat(s.p99Ms()).isEqualTo(5.0);
        assertThat(s.p999Ms()).isInfinite();
    }

    @Test
    void nothingRecordedOrNothingScrapedGivesNoSummary() {
        Map<Double, Long> same = probe.parse(exposition(10, 10, 10));
        assertThat(ServerDelayProbe.between(same, same)).isNull();
        assertThat(ServerDelayProbe.between(same, Map.of())).isNull();
        assertThat(probe.parse("garbage\nvireo_webrtc_egress_delay_seconds_bucket{le=\"0.1\"}\n")).isEmpty();
    }
}
