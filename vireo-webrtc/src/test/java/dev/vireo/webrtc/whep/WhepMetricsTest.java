package dev.vireo.webrtc.whep;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.webrtc.whep.probe.ProbeOutcomes.Outcome;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class WhepMetricsTest {

    @Test
    void probeClustersAreOneCounterTaggedWithTheOutcome() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        WhepMetrics metrics = new WhepMetrics(registry);
        assertThat(registry.find("vireo.webrtc.probe.clusters").counters()).as("every outcome, at 0 before any")
                .hasSize(Outcome.values().length);
        metrics.probeCluster(Outcome.SENT);
        metrics.probeCluster(Outcome.SENT);
        metrics.probeCluster(Outcome.CAME_THROUGH);
        assertThat(count(registry, "sent")).isEqualTo(2);
        assertThat(count(registry, "came_through")).isEqualTo(1);
        assertThat(count(registry, "delay_growth")).isZero();
    }

    private static double count(SimpleMeterRegistry registry, String outcome) {
        return registry.get("vireo.webrtc.probe.clusters").tag("outcome", outcome).counter().count();
    }
}
