package dev.vireo.webrtc.bwe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** GCC on simulated links (draft-ietf-rmcat-gcc-02): a capacity cap, random loss, REMB fallback. */
class BandwidthEstimatorTest {

    private static final long MS = SimulatedLink.MS;

    @Test
    void convergesBelowACapacityCap() {
        BandwidthEstimator bwe = new BandwidthEstimator(new BandwidthEstimator.Config(300_000, 50_000, 10_000_000));
        SimulatedLink link = new SimulatedLink(bwe, 1_000_000, 0, 20 * MS);
        link.run(30_000); // ramp up (8 %/s from 300 kbps) and meet the cap
        long max = 0;
        long min = Long.MAX_VALUE;
        double sum = 0;
        long maxQueue = 0;
        for (int i = 0; i < 300; i++) {
            link.run(100);
            long e = bwe.estimateBps();
            max = Math.max(max, e);
            min = Math.min(min, e);
            sum += e;
            maxQueue = Math.max(maxQueue, link.queueNanos());
        }
        double mean = sum / 300;
        System.out.printf("cap 1 Mbps: mean %.0f min %d max %d, queue max %d ms%n", mean, min, max, maxQueue / MS);
        assertThat(mean).isBetween(700_000.0, 1_000_000.0);
        assertThat(max).isLessThan(1_200_000);
        assertThat(maxQueue).isLessThan(300 * MS);
    }

    @Test
    void followsACapThatDrops() {
        BandwidthEstimator bwe = new BandwidthEstimator(new BandwidthEstimator.Config(1_500_000, 50_000, 10_000_000));
        SimulatedLink link = new SimulatedLink(bwe, 3_000_000, 0, 20 * MS);
        link.run(20_000);
        assertThat(bwe.estimateBps()).isGreaterThan(1_500_000);
        link.capacityBps = 1_000_000;
        link.run(5_000);
        System.out.printf("cap 3 -> 1 Mbps: %d after 5 s%n", bwe.estimateBps());
        assertThat(bwe.estimateBps()).isLessThan(1_000_000);
    }

    @Test
    void heavyLossLowersTheEstimateAndRecoveryHasHysteresis() {
        BandwidthEstimator bwe = new BandwidthEstimator(new BandwidthEstimator.Config(1_000_000, 50_000, 10_000_000));
        SimulatedLink link = new SimulatedLink(bwe, 20_000_000, 0.20, 20 * MS);
        link.run(10_000);
        long lossy = bwe.estimateBps();
        System.out.printf("20%% loss: %d after 10 s (loss %.2f)%n", lossy, bwe.lossFraction());
        assertThat(lossy).isLessThan(500_000);
        assertThat(bwe.lossFraction()).isBetween(0.12, 0.30);

        link.loss = 0.05; // between 2 % and 10 %: hold
        link.run(2_000);
        long held = bwe.estimateBps();
        link.run(8_000);
        System.out.printf("5%% loss: %d -> %d%n", held, bwe.estimateBps());
        assertThat(bwe.estimateBps()).isLessThanOrEqualTo(held * 11 / 10);

        link.loss = 0; // < 2 %: increase again
        link.run(20_000);
        System.out.printf("0%% loss: %d after 20 s%n", bwe.estimateBps());
        assertThat(bwe.estimateBps()).isGreaterThan(held * 2);
    }

    @Test
    void randomLossLowersTheEstimateButLeavesRetransmissionsTheirRoom() {
        BandwidthEstimator bwe = new BandwidthEstimator(new BandwidthEstimator.Config(1_000_000, 50_000, 10_000_000));
        SimulatedLink link = new SimulatedLink(bwe, 20_000_000, 0.20, 20 * MS);
        link.sendRateBps = () -> 1_000_000; // a fixed-rate rendition, as WHEP sends
        link.run(10_000);
        System.out.printf("20%% random loss at 1 Mbps: estimate %d, for retransmissions %d%n", bwe.estimateBps(),
                bwe.retransmissionBps());
        assertThat(bwe.estimateBps()).as("the loss-based bound falls (GCC §6)").isLessThan(800_000);
        // no queue builds: the delay-based part keeps room above what is sent, for the repairs
        assertThat(bwe.retransmissionBps()).isGreaterThan(1_050_000);
    }

    @Test
    void aQueueingCapLowersTheRetransmissionBudgetToo() {
        BandwidthEstimator bwe = new BandwidthEstimator(new BandwidthEstimator.Config(1_000_000, 50_000, 10_000_000));
        SimulatedLink link = new SimulatedLink(bwe, 500_000, 0, 20 * MS);
        link.sendRateBps = () -> 1_000_000; // twice what the bottleneck carries
        link.run(5_000);
        System.out.printf("cap 500 kbps under 1 Mbps: estimate %d, for retransmissions %d%n", bwe.estimateBps(),
                bwe.retransmissionBps());
        assertThat(bwe.retransmissionBps()).isLessThan(600_000);
    }

    @Test
    void rembAndReceiverReportsWithoutTransportCc() {
        BandwidthEstimator bwe = new BandwidthEstimator(new BandwidthEstimator.Config(800_000, 50_000, 10_000_000));
        assertThat(bwe.estimateBps()).isEqualTo(800_000);
        bwe.onRemb(400_000, 0);
        assertThat(bwe.estimateBps()).isEqualTo(400_000);
        bwe.onRemb(2_000_000, MS);
        assertThat(bwe.estimateBps()).isEqualTo(2_000_000);
        bwe.onReceiverReport(64, 2 * MS); // 25 % lost: 2 Mbps · (1 - 0.125)
        assertThat(bwe.estimateBps()).isEqualTo(1_750_000);
        bwe.onReceiverReport(64, 3 * MS); // within 300 ms + RTT of the last decrease: no second one
        assertThat(bwe.estimateBps()).isEqualTo(1_750_000);
        bwe.onReceiverReport(12, 1_000 * MS); // ~5 %: hold
        assertThat(bwe.estimateBps()).isEqualTo(1_750_000);
        bwe.onReceiverReport(0, 2_500 * MS); // no loss: + 5 %
        assertThat(bwe.estimateBps()).isEqualTo(1_838_500);
        bwe.onRemb(100_000, 3_000 * MS);
        assertThat(bwe.estimateBps()).isEqualTo(100_000);
        bwe.onRemb(10_000, 3_001 * MS);
        assertThat(bwe.estimateBps()).isEqualTo(50_000); // the floor
    }
}
