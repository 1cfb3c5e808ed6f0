package dev.vireo.webrtc.bwe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.webrtc.pacing.BitrateProber;
import dev.vireo.webrtc.rtcp.TransportCcFeedback;
import dev.vireo.webrtc.rtcp.TransportCcRecorder;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Probe clusters on synthetic transport-cc feedback: the estimator raises its estimate to what a
 * cluster was delivered at when it came through, and not when the cluster shows delay growth
 * (arrivals spread: the link queued it) or loss.
 */
class ProbeClusterTest {

    private static final long MS = 1_000_000;
    private static final int SIZE = 1000;

    private final BandwidthEstimator bwe = new BandwidthEstimator(new BandwidthEstimator.Config(300_000, 50_000,
            10_000_000));
    private final TransportCcRecorder receiver = new TransportCcRecorder(0);
    private int sequence = 65_530; // wraps during the test
    private long now = 1_000 * MS;

    /** 300 kbps of media for 2 s, every packet delivered 20 ms later, feedback every 100 ms. */
    private void media() {
        for (int i = 0; i < 20; i++) {
            for (int k = 0; k < 4; k++) { // 4 packets of 1000 bytes per 100 ms: 320 kbps
                int seq = sequence++ & 0xFFFF;
                bwe.onPacketSent(seq, SIZE, now);
                receiver.record(seq, now + 20 * MS);
                now += 25 * MS;
            }
            feedback();
        }
    }

    private void feedback() {
        TransportCcFeedback fb = receiver.feedback(1, 2);
        if (fb != null) {
            bwe.onTransportFeedback(fb, now + 20 * MS);
        }
    }

    /**
     * Sends a cluster at {@code bps} through a link that delivers each packet {@code spread} times
     * the send spacing apart (1: the link keeps up; 2: it carries half the rate), dropping the
     * packets whose indexes are in {@code lost}; returns the verdict.
     */
    private ProbeBitrateEstimator.Result cluster(int id, long bps, double spread, Set<Integer> lost) {
        ProbeCluster c = new ProbeCluster(id, bps, 5, (int) (bps * 30 / 8000));
        bwe.onProbeClusterStarted(c);
        BitrateProber prober = new BitrateProber(c);
        long first = now;
        int k = 0;
        while (!prober.done()) {
            now = Math.max(now, prober.nextSendNanos(now));
            int seq = sequence++ & 0xFFFF;
            bwe.onPacketSent(seq, SIZE, now, id);
            if (!lost.contains(k)) {
                receiver.record(seq, first + 20 * MS + (long) ((now - first) * spread));
            }
            prober.onSent(SIZE, now);
            k++;
        }
        now += 100 * MS;
        feedback();
        return bwe.takeProbeResult();
    }

    @Test
    void aClusterThatComesThroughRaisesTheEstimateToTheRateItWasDeliveredAt() {
        media();
        assertThat(bwe.estimateBps()).as("GCC alone: at most 1.5 × the media").isLessThan(600_000);
        long before = bwe.estimateBps();
        ProbeBitrateEstimator.Result r = cluster(1, 1_200_000, 1.0, Set.of());
        System.out.printf("came through: %s; estimate %d -> %d%n", r, before, bwe.estimateBps());
        assertThat(r).isNotNull();
        assertThat(r.verdict()).isEqualTo(ProbeBitrateEstimator.Verdict.CAME_THROUGH);
        assertThat(r.bps()).isBetween(1_100_000L, 1_300_000L);
        assertThat(bwe.estimateBps()).isGreaterThanOrEqualTo(r.bps() * 95 / 100).isGreaterThan(before * 2);
        assertThat(bwe.takeProbeResult()).as("one verdict per cluster").isNull();

        // what the probe found holds while the media stays below it (no over-use, no loss)
        long probed = bwe.estimateBps();
        media();
        assertThat(bwe.estimateBps()).isGreaterThanOrEqualTo(probed * 9 / 10);
    }

    @Test
    void aClusterWhoseArrivalsSpreadShowsDelayGrowthAndRaisesNothing() {
        media();
        long before = bwe.estimateBps();
        ProbeBitrateEstimator.Result r = cluster(2, 1_200_000, 2.0, Set.of());
        System.out.printf("delay growth: %s; estimate %d -> %d%n", r, before, bwe.estimateBps());
        assertThat(r.verdict()).isEqualTo(ProbeBitrateEstimator.Verdict.DELAY_GROWTH);
        assertThat(r.deliveredBps()).isBetween(500_000L, 700_000L);
        assertThat(bwe.estimateBps()).as("GCC's own increase only").isLessThan(before * 11 / 10);
    }

    @Test
    void aClusterThatLosesPacketsRaisesNothing() {
        media();
        long before = bwe.estimateBps();
        ProbeBitrateEstimator.Result r = cluster(3, 1_200_000, 1.0, Set.of(1, 3));
        System.out.printf("loss: %s; estimate %d -> %d%n", r, before, bwe.estimateBps());
        assertThat(r.verdict()).isEqualTo(ProbeBitrateEstimator.Verdict.LOSS);
        assertThat(r.lossFraction()).isGreaterThan(ProbeBitrateEstimator.MAX_LOSS);
        assertThat(bwe.estimateBps()).as("GCC's own increase only").isLessThan(before * 11 / 10);
    }

    @Test
    void aClusterWithoutFeedbackTimesOutWithoutARate() {
        media();
        long before = bwe.estimateBps();
        ProbeCluster c = new ProbeCluster(4, 1_200_000, 5, 4500);
        bwe.onProbeClusterStarted(c);
        for (int k = 0; k < 5; k++) {
            bwe.onPacketSent(sequence++ & 0xFFFF, SIZE, now, 4);
            now += 7 * MS;
        }
        now += 1_100 * MS;
        media(); // feedback for later packets only
        assertThat(bwe.estimateBps()).isLessThan(600_000);
        ProbeBitrateEstimator.Result r = bwe.takeProbeResult();
        assertThat(r).isNotNull();
        assertThat(r.cameThrough()).isFalse();
        assertThat(bwe.estimateBps()).isLessThanOrEqualTo(Math.max(before, 600_000));
    }

    @Test
    void twoVerdictsOfOneFeedbackAreBothTakenOldestFirst() {
        media();
        ProbeCluster a = new ProbeCluster(5, 1_200_000, 5, 4500);
        ProbeCluster b = new ProbeCluster(6, 1_200_000, 5, 4500);
        bwe.onProbeClusterStarted(a);
        bwe.onProbeClusterStarted(b);
        for (ProbeCluster c : List.of(a, b)) { // both sent before any feedback
            for (int k = 0; k < 5; k++) {
                int seq = sequence++ & 0xFFFF;
                bwe.onPacketSent(seq, SIZE, now, c.id());
                receiver.record(seq, now + 20 * MS);
                now += 7 * MS;
            }
        }
        now += 100 * MS;
        feedback();
        ProbeBitrateEstimator.Result first = bwe.takeProbeResult();
        ProbeBitrateEstimator.Result second = bwe.takeProbeResult();
        assertThat(first).isNotNull();
        assertThat(second).as("the second verdict is kept, not overwritten").isNotNull();
        assertThat(List.of(first.cluster().id(), second.cluster().id())).containsExactly(5, 6);
        assertThat(bwe.takeProbeResult()).isNull();
    }

    @Test
    void theProberSpreadsAClusterAtItsRate() {
        BitrateProber p = new BitrateProber(new ProbeCluster(0, 800_000, 5, 3000));
        long t = 0;
        assertThat(p.nextSendNanos(t)).isEqualTo(t);
        for (int i = 0; i < 4; i++) {
            t = p.nextSendNanos(t);
            p.onSent(1000, t);
        }
        assertThat(p.done()).as("4 packets: below the 5 packets minimum").isFalse();
        assertThat(p.nextSendNanos(t)).isEqualTo(40 * MS); // 4000 bytes at 800 kbit/s
        p.onSent(1000, 40 * MS);
        assertThat(p.done()).isTrue();
    }
}
