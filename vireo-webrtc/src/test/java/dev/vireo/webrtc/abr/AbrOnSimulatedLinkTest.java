package dev.vireo.webrtc.abr;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.webrtc.bwe.BandwidthEstimator;
import dev.vireo.webrtc.bwe.ProbeBitrateEstimator;
import dev.vireo.webrtc.bwe.ProbeCluster;
import dev.vireo.webrtc.bwe.ProbeController;
import dev.vireo.webrtc.bwe.SimulatedLink;
import dev.vireo.webrtc.pacing.BitrateProber;
import org.junit.jupiter.api.Test;

/**
 * The estimator and the policy together on a simulated link capped at half the stream's
 * bitrate (issue 18's matrix case): the sender sends the rendition's bitrate whatever the
 * estimate (renditions are fixed-rate transcodes), so the cap shows as queueing and tail drops;
 * the viewer must move down within 5 s and stay down, the queue then draining; when the cap
 * lifts, probe clusters find it and the viewer climbs back.
 */
class AbrOnSimulatedLinkTest {

    private static final long MS = SimulatedLink.MS;
    private static final long[] LADDER = {2_000_000, 1_200_000, 700_000, 400_000};

    @Test
    void aViewerCappedAtHalfTheBitrateMovesDownWithinFiveSecondsAndStays() {
        BandwidthEstimator bwe = new BandwidthEstimator(new BandwidthEstimator.Config(2_000_000, 50_000, 10_000_000));
        SimulatedLink link = new SimulatedLink(bwe, 1_000_000, 0, 20 * MS);
        RenditionPolicy policy = new RenditionPolicy(LADDER, 0, RenditionPolicy.Config.DEFAULT);
        link.sendRateBps = () -> LADDER[policy.current()];
        long switchedAt = -1;
        for (int i = 1; i <= 400; i++) { // 40 s, a sample every 100 ms, keyframes every 2 s
            link.run(100);
            policy.onEstimate(bwe.estimateBps(), link.now());
            if (i % 20 == 0 && policy.onKeyframe(policy.target(), link.now()) && switchedAt < 0) {
                switchedAt = link.now();
            }
        }
        System.out.printf("switched to %d at %d ms; estimate %d, queue %d ms%n", policy.current(), switchedAt / MS,
                bwe.estimateBps(), link.queueNanos() / MS);
        assertThat(switchedAt).isPositive().isLessThanOrEqualTo(5_000 * MS);
        assertThat(policy.current()).isEqualTo(2); // 700 kbps: the highest under the 1 Mbps cap
        assertThat(link.queueNanos()).isLessThan(100 * MS);
    }

    @Test
    void probeClustersLetTheViewerClimbBackSoonAfterTheCapLifts() {
        BandwidthEstimator bwe = new BandwidthEstimator(new BandwidthEstimator.Config(2_000_000, 50_000, 10_000_000));
        SimulatedLink link = new SimulatedLink(bwe, 1_000_000, 0, 20 * MS);
        RenditionPolicy policy = new RenditionPolicy(LADDER, 0, RenditionPolicy.Config.DEFAULT);
        ProbeController probes = new ProbeController(ProbeController.Config.DEFAULT);
        link.sendRateBps = () -> LADDER[policy.current()];
        long maxQueue = 0;
        long firstUp = -1;
        long top = -1;
        for (int i = 1; i <= 12_000; i++) { // 2 minutes in 10 ms steps; the cap lifts to 5 Mbps at 40 s
            if (i == 4_000) {
                link.capacityBps = 5_000_000;
            }
            link.run(10);
            // what the session's ProbeClusters does after each feedback
            probes.setMaxBps((long) (policy.probeTopBps() * 1.25), link.now());
            for (ProbeBitrateEstimator.Result r; (r = bwe.takeProbeResult()) != null; ) {
                probes.onResult(r);
            }
            if (link.prober == null) {
                ProbeCluster c = probes.next(bwe.estimateBps(), link.now());
                if (c != null) {
                    bwe.onProbeClusterStarted(c);
                    link.prober = new BitrateProber(c);
                }
            }
            if (i % 10 == 0) {
                policy.onEstimate(bwe.estimateBps(), link.now());
            }
            if (i % 200 == 0 && policy.onKeyframe(policy.target(), link.now()) && i > 4_000) {
                firstUp = firstUp < 0 ? link.now() : firstUp;
                top = policy.current() == 0 ? link.now() : top;
            }
            if (i > 1_000 && i < 4_000) {
                maxQueue = Math.max(maxQueue, link.queueNanos());
                assertThat(policy.current()).as("under the cap at %d ms", i * 10).isEqualTo(2); // probes never lift it
            }
        }
        System.out.printf("under the cap: queue max %d ms; %d clusters, %d came through; first step up %d ms after the"
                + " cap lifted, the top %d ms after it (estimate %d)%n", maxQueue / MS, probes.clusters(),
                probes.clustersCameThrough(), (firstUp - 40_000 * MS) / MS, (top - 40_000 * MS) / MS, bwe.estimateBps());
        assertThat(maxQueue).isLessThan(100 * MS);
        assertThat(firstUp - 40_000 * MS).as("a probe finds the lifted cap within its period; then the 5 s hold")
                .isBetween(0L, 10_000 * MS);
        assertThat(top - 40_000 * MS).as("the second step follows the first by its hold and a keyframe")
                .isBetween(0L, 20_000 * MS);
        assertThat(policy.current()).isZero();
    }
}
