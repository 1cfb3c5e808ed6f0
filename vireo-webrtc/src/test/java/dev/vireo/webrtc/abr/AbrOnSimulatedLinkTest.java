package dev.vireo.webrtc.abr;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.webrtc.bwe.BandwidthEstimator;
import dev.vireo.webrtc.bwe.SimulatedLink;
import org.junit.jupiter.api.Test;

/**
 * The estimator and the policy together on a simulated link capped at half the stream's
 * bitrate (issue 18's matrix case): the sender sends the rendition's bitrate whatever the
 * estimate (renditions are fixed-rate transcodes), so the cap shows as queueing and tail drops;
 * the viewer must move down within 5 s and stay down, the queue then draining.
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
    void paddingUpToTheNextStepLetsTheViewerClimbBackWhenTheCapLifts() {
        BandwidthEstimator bwe = new BandwidthEstimator(new BandwidthEstimator.Config(2_000_000, 50_000, 10_000_000));
        SimulatedLink link = new SimulatedLink(bwe, 1_000_000, 0, 20 * MS);
        RenditionPolicy policy = new RenditionPolicy(LADDER, 0, RenditionPolicy.Config.DEFAULT);
        link.sendRateBps = () -> {
            long media = LADDER[policy.current()];
            return media + RenditionPolicy.paddingBps(media, bwe.estimateBps(), policy.probeBps());
        };
        long maxQueue = 0;
        long upAt = -1;
        for (int i = 1; i <= 1200; i++) { // 2 minutes; the cap lifts to 5 Mbps at 40 s
            if (i == 400) {
                link.capacityBps = 5_000_000;
            }
            link.run(100);
            policy.onEstimate(bwe.estimateBps(), link.now());
            if (i % 20 == 0 && policy.onKeyframe(policy.target(), link.now()) && i > 400 && upAt < 0) {
                upAt = link.now();
            }
            if (i > 100 && i < 400) {
                maxQueue = Math.max(maxQueue, link.queueNanos());
                assertThat(policy.current()).as("under the cap at %d ms", i * 100).isEqualTo(2); // padding never lifts it
            }
        }
        System.out.printf("under the cap: queue max %d ms; first step up %d ms after the cap lifted; at 2 min: %d (estimate %d)%n",
                maxQueue / MS, (upAt - 40_000 * MS) / MS, policy.current(), bwe.estimateBps());
        assertThat(maxQueue).isLessThan(100 * MS);
        assertThat(upAt - 40_000 * MS).isBetween(0L, 40_000 * MS); // additive increase near the old capacity, 8 %/s, the 5 s hold
        assertThat(policy.current()).isZero();
    }
}
