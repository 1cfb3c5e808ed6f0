package dev.vireo.transcode.ffmpeg;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RestartPolicyTest {

    private static final long QUICK = RestartPolicy.HEALTHY_RUN_NANOS / 10;

    @Test
    void quickCrashesDoubleTheWaitUpToTheMaximumThenGiveUp() {
        RestartPolicy p = new RestartPolicy(Duration.ofMillis(500), Duration.ofMillis(3000));
        assertThat(p.ended(QUICK)).isEqualTo(500);
        assertThat(p.ended(QUICK)).isEqualTo(1000);
        assertThat(p.ended(QUICK)).isEqualTo(2000);
        assertThat(p.ended(QUICK)).isEqualTo(3000);
        assertThat(p.ended(QUICK)).isEqualTo(3000);
        assertThat(p.ended(QUICK)).isEqualTo(RestartPolicy.GIVE_UP);
        assertThat(p.failuresBefore()).isEqualTo(RestartPolicy.MAX_FAILURES);
    }

    @Test
    void aHealthyRunStartsANewRow() {
        RestartPolicy p = new RestartPolicy(Duration.ofMillis(100), Duration.ofSeconds(30));
        for (int i = 0; i < RestartPolicy.MAX_FAILURES - 1; i++) {
            p.ended(QUICK);
        }
        assertThat(p.ended(RestartPolicy.HEALTHY_RUN_NANOS)).isEqualTo(100);
        assertThat(p.ended(QUICK)).isEqualTo(200);
    }

    @Test
    void startFailuresCountAndAPlannedRestartResets() {
        RestartPolicy p = new RestartPolicy(Duration.ofMillis(100), Duration.ofSeconds(30));
        assertThat(p.startFailed()).isEqualTo(100);
        assertThat(p.startFailed()).isEqualTo(200);
        p.planned();
        assertThat(p.startFailed()).isEqualTo(100);
        for (int i = 1; i < RestartPolicy.MAX_FAILURES; i++) {
            assertThat(p.startFailed()).isPositive();
        }
        assertThat(p.startFailed()).isEqualTo(RestartPolicy.GIVE_UP);
    }
}
