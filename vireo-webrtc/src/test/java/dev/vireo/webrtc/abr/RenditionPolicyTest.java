package dev.vireo.webrtc.abr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The ABR policy on synthetic estimate traces (one sample every 100 ms, keyframes every 2 s). */
class RenditionPolicyTest {

    private static final long MS = 1_000_000;
    private static final long[] LADDER = {2_500_000, 1_200_000, 700_000, 400_000}; // source, _lhd, _lsd, _lld

    private final RenditionPolicy policy = new RenditionPolicy(LADDER, 0, RenditionPolicy.Config.DEFAULT);
    private long now;

    /** Feeds {@code bps} for {@code millis}, offering keyframes of every rendition every 2 s. */
    private void feed(long bps, long millis) {
        for (long t = 0; t < millis; t += 100) {
            now += 100 * MS;
            policy.onEstimate(bps, now);
            if (now % (2_000 * MS) == 0) {
                for (int r = 0; r < LADDER.length; r++) {
                    policy.onKeyframe(r, now);
                }
            }
        }
    }

    @Test
    void dropsSeveralStepsAfterTheHoldAndOnlyAtAKeyframe() {
        feed(3_000_000, 5_000);
        assertThat(policy.current()).isZero();
        now += 100 * MS; // t = 5.1 s: the estimate falls to 1 Mbps
        for (int i = 0; i < 15; i++) { // samples over 1.4 s below: not yet
            assertThat(policy.onEstimate(1_000_000, now)).isZero();
            now += 100 * MS;
        }
        assertThat(policy.onEstimate(1_000_000, now)).isEqualTo(2); // 1.5 s: _lsd (700 k fits 1 M; 1.2 M does not)
        assertThat(policy.switchPending()).isTrue();
        assertThat(policy.onKeyframe(1, now)).isFalse(); // not the target's keyframe
        assertThat(policy.current()).isZero();
        assertThat(policy.onKeyframe(2, now + 300 * MS)).isTrue();
        assertThat(policy.current()).isEqualTo(2);
        assertThat(policy.switchPending()).isFalse();
    }

    @Test
    void aTopMeasuredLowAtFirstIsRaisedByALaterMeasurement() {
        // a WHIP main stream sampled just after it moved to a small simulcast layer: the ladder's
        // top came out below the next rendition and was clamped there
        RenditionPolicy p = new RenditionPolicy(new long[] {256_001, 256_000, 111_000}, 0, RenditionPolicy.Config.DEFAULT);
        p.top(90_000); // a low sample cannot take the top under the next rendition
        assertThat(p.onEstimate(240_000, 0)).isZero();
        p.top(480_000); // the main stream back on its 720p layer
        assertThat(p.onEstimate(300_000, 100 * MS)).isZero();
        assertThat(p.onEstimate(300_000, 1_700 * MS)).as("300 kbps stays below 480 for the hold").isEqualTo(1);
        assertThat(p.probeTopBps()).isZero();
    }

    @Test
    void ignoresShortDipsAndClimbsOneStepAtATimeAfterTheLongerHold() {
        feed(3_000_000, 4_000);
        for (int i = 0; i < 5; i++) { // 1 s dips to 500 kbps between good seconds: no switch
            feed(500_000, 1_000);
            feed(3_000_000, 1_000);
        }
        assertThat(policy.current()).isZero();

        feed(300_000, 6_000); // a long fall: to the bottom
        assertThat(policy.current()).isEqualTo(3);
        feed(1_000_000, 4_000); // above 700 k · 1.3 = 910 k for 4 s: not yet
        assertThat(policy.current()).isEqualTo(3);
        feed(1_000_000, 3_000); // 5 s and the next keyframe: one step up
        assertThat(policy.current()).isEqualTo(2);
        feed(1_500_000, 20_000); // 1.2 M · 1.3 = 1.56 M is not reached: stays
        assertThat(policy.current()).isEqualTo(2);
        feed(2_000_000, 10_000);
        assertThat(policy.current()).isEqualTo(1);
        feed(3_200_000, 20_000); // 2.5 M · 1.3 = 3.25 M not reached
        assertThat(policy.current()).isEqualTo(1);
    }

    @Test
    void anEstimateBetweenTheMarginsNeverFlaps() {
        RenditionPolicy p = new RenditionPolicy(LADDER, 1, RenditionPolicy.Config.DEFAULT);
        int switches = 0;
        for (int i = 0; i < 3_000; i++) { // 5 minutes wobbling between 1.2 M and 1.56 M
            long bps = 1_250_000 + (i % 7) * 40_000;
            p.onEstimate(bps, i * 100 * MS);
            if (p.onKeyframe(p.target(), i * 100 * MS)) {
                switches++;
            }
        }
        assertThat(switches).isZero();
        assertThat(p.current()).isEqualTo(1);
    }

    @Test
    void aRecoveryBeforeTheKeyframeCancelsThePendingSwitch() {
        feed(3_000_000, 3_000);
        long t = now;
        for (int i = 1; i <= 16; i++) {
            policy.onEstimate(1_000_000, t + i * 100 * MS);
        }
        assertThat(policy.switchPending()).isTrue();
        policy.onEstimate(2_600_000, t + 1_700 * MS); // back above the current bitrate
        assertThat(policy.switchPending()).isFalse();
        assertThat(policy.onKeyframe(2, t + 1_800 * MS)).isFalse();
        assertThat(policy.current()).isZero();
    }

    @Test
    void refusesABadLadder() {
        assertThatThrownBy(() -> new RenditionPolicy(new long[] {1, 2}, 0, RenditionPolicy.Config.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RenditionPolicy(new long[] {2, 1}, 2, RenditionPolicy.Config.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RenditionPolicy.Config(1.3, 0, 1.0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
