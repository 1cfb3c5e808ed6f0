package dev.vireo.webrtc.bwe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When and at which rate a viewer's link is probed (pure: times are arguments). */
class ProbeControllerTest {

    private static final long S = 1_000_000_000L;
    private static final long MS = 1_000_000L;

    private static ProbeBitrateEstimator.Result result(ProbeCluster c, boolean cameThrough) {
        return new ProbeBitrateEstimator.Result(c, cameThrough ? ProbeBitrateEstimator.Verdict.CAME_THROUGH
                : ProbeBitrateEstimator.Verdict.DELAY_GROWTH, c.bps(), cameThrough ? c.bps() : c.bps() / 2, 0,
                cameThrough ? c.bps() : -1);
    }

    @Test
    void nothingWhileProbingIsNotWantedThenPeriodicClustersAtTwiceTheEstimate() {
        ProbeController p = new ProbeController(ProbeController.Config.DEFAULT);
        assertThat(p.next(500_000, 0)).isNull();
        p.setMaxBps(3_000_000, 10 * S);
        assertThat(p.next(500_000, 11 * S)).as("the first waits a period").isNull();
        ProbeCluster c = p.next(500_000, 13 * S);
        assertThat(c).isNotNull();
        assertThat(c.bps()).isEqualTo(1_000_000);
        assertThat(c.minPackets()).isEqualTo(5);
        assertThat(c.minBytes()).isEqualTo(5000); // 40 ms at 1 Mbps
        assertThat(p.next(500_000, 13 * S + 10 * MS)).as("one in flight at a time").isNull();
        p.onResult(result(c, false));
        assertThat(p.next(500_000, 14 * S)).as("failed: the next period").isNull();
        assertThat(p.next(500_000, 16 * S)).isNotNull();
    }

    @Test
    void aClusterThatCameThroughIsFollowedAtOnceUpToTheMaximum() {
        ProbeController p = new ProbeController(ProbeController.Config.DEFAULT);
        p.setMaxBps(2_000_000, 0);
        ProbeCluster first = p.next(400_000, 3 * S);
        assertThat(first.bps()).isEqualTo(800_000);
        p.onResult(result(first, true));
        ProbeCluster second = p.next(800_000, 3 * S + 100 * MS);
        assertThat(second.bps()).isEqualTo(1_600_000);
        p.onResult(result(second, true));
        ProbeCluster third = p.next(1_600_000, 3 * S + 200 * MS);
        assertThat(third.bps()).as("capped at the maximum").isEqualTo(2_000_000);
        p.onResult(result(third, true));
        assertThat(p.next(2_000_000, 3 * S + 300 * MS)).as("nothing above the estimate to find").isNull();
        assertThat(p.clusters()).isEqualTo(3);
        assertThat(p.clustersCameThrough()).isEqualTo(3);
    }

    @Test
    void aClusterWithoutAVerdictIsGivenUpAfterASecond() {
        ProbeController p = new ProbeController(ProbeController.Config.DEFAULT);
        p.setMaxBps(2_000_000, 0);
        assertThat(p.next(400_000, 3 * S)).isNotNull();
        assertThat(p.next(400_000, 3 * S + 900 * MS)).isNull();
        assertThat(p.probing()).isTrue();
        assertThat(p.next(400_000, 4 * S + 100 * MS)).as("timed out; the next period is 3 s after the start")
                .isNull();
        assertThat(p.probing()).isFalse();
        assertThat(p.next(400_000, 6 * S)).isNotNull();
    }

    @Test
    void aDropIsProbedSoonAtMostOfTheEstimateBeforeIt() {
        ProbeController p = new ProbeController(ProbeController.Config.DEFAULT);
        p.setMaxBps(3_000_000, 0);
        assertThat(p.next(2_000_000, 100 * MS)).isNull();
        assertThat(p.next(2_000_000, 2 * S)).isNull(); // 2 Mbps × 2 > max: 3 Mbps ≥ 1.2 × 2 Mbps, but not yet a period
        ProbeCluster periodic = p.next(2_000_000, 3 * S);
        assertThat(periodic.bps()).isEqualTo(3_000_000);
        p.onResult(result(periodic, false));
        assertThat(p.next(600_000, 3 * S + 500 * MS)).as("the drop's probe waits a second").isNull();
        ProbeCluster drop = p.next(600_000, 4 * S + 600 * MS);
        assertThat(drop).isNotNull();
        assertThat(drop.bps()).isEqualTo(1_700_000); // 0.85 × 2 Mbps
    }

    @Test
    void noProbingAtTheTopOfTheLadder() {
        ProbeController p = new ProbeController(ProbeController.Config.DEFAULT);
        p.setMaxBps(2_000_000, 0);
        p.setMaxBps(0, S);
        assertThat(p.next(400_000, 10 * S)).isNull();
    }
}
