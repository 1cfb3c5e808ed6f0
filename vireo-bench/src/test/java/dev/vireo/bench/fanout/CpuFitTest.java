package dev.vireo.bench.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.vireo.bench.measure.LatencyRecorder.LatencySummary;
import java.util.List;
import org.junit.jupiter.api.Test;

class CpuFitTest {

    private static StepResult step(int viewers, double cpuPercent, boolean held) {
        return new StepResult(viewers, viewers, 0, 0, 10, 300, 700, 1, 1, 0, 700, 700, LatencySummary.EMPTY,
                cpuPercent, 0, 0, 0, null, 0, 0, 0, List.of(), held, held ? "held" : "no", List.of(),
                LatencySummary.EMPTY, LatencySummary.EMPTY, 0, 0, null, -1, java.util.Map.of());
    }

    @Test
    void slopeIsCpuPerViewerAndInterceptTheBaseline() {
        // 5 % with no viewer, + 0.05 % (500 µs/s) per viewer
        CpuFit fit = CpuFit.of(5, List.of(step(100, 10, true), step(200, 15, true), step(400, 25, true)));
        assertThat(fit.points()).isEqualTo(4);
        assertThat(fit.microsPerViewerSecond()).isCloseTo(500, within(1e-6));
        assertThat(fit.baseMicrosPerSecond()).isCloseTo(50_000, within(1e-6));
        assertThat(fit.viewersPerCore()).isCloseTo((1_000_000 - 50_000) / 500.0, within(1e-6));
    }

    @Test
    void failedStepsAreLeftOut() {
        CpuFit fit = CpuFit.of(0, List.of(step(100, 10, true), step(800, 99, false)));
        assertThat(fit.microsPerViewerSecond()).isCloseTo(1000, within(1e-6));
    }

    @Test
    void noHeldStepGivesNoProjection() {
        CpuFit fit = CpuFit.of(3, List.of(step(50, 90, false)));
        assertThat(fit.points()).isEqualTo(1);
        assertThat(fit.viewersPerCore()).isZero();
    }
}
