package dev.vireo.webrtc.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReceiveRateEstimatorTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void startsHighEnoughNotToCapAStartingBrowser() {
        assertThat(new ReceiveRateEstimator().estimate()).isEqualTo(ReceiveRateEstimator.INITIAL_BPS);
    }

    @Test
    void growsWithoutLossAndStaysAboveWhatArrives() {
        ReceiveRateEstimator e = new ReceiveRateEstimator();
        long first = e.update(125_000, 100, 0, SECOND); // 1 Mbit/s, no loss
        assertThat(first).isEqualTo((long) (ReceiveRateEstimator.INITIAL_BPS * 1.08));
        long r = first;
        for (int i = 0; i < 5; i++) {
            r = e.update(1_250_000, 1000, 0, SECOND); // 10 Mbit/s arriving
        }
        assertThat(r).isGreaterThanOrEqualTo(15_000_000);
    }

    @Test
    void holdsBetweenTwoAndTenPercentLoss() {
        ReceiveRateEstimator e = new ReceiveRateEstimator();
        assertThat(e.update(250_000, 1000, 50, SECOND)).isEqualTo(ReceiveRateEstimator.INITIAL_BPS);
    }

    @Test
    void fallsWithHeavyLossDownToTheFloor() {
        ReceiveRateEstimator e = new ReceiveRateEstimator();
        long r = e.update(250_000, 1000, 300, SECOND); // 2 Mbit/s arriving, 30 % lost
        assertThat(r).isEqualTo((long) (ReceiveRateEstimator.INITIAL_BPS * 0.85));
        for (int i = 0; i < 50; i++) {
            r = e.update(1000, 10, 5, SECOND);
        }
        assertThat(r).isEqualTo(ReceiveRateEstimator.MIN_BPS);
    }

    @Test
    void ignoresAnEmptyInterval() {
        ReceiveRateEstimator e = new ReceiveRateEstimator();
        assertThat(e.update(1000, 1, 0, 0)).isEqualTo(ReceiveRateEstimator.INITIAL_BPS);
    }
}
