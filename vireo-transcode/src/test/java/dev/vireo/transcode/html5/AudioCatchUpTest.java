package dev.vireo.transcode.html5;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AudioCatchUpTest {

    private static final long MS = 1_000_000L;

    @Test
    void aBurstIsCatchUpUntilAFrameComesOutWithLowLatency() {
        AudioCatchUp c = new AudioCatchUp();
        // 50 frames of 20 ms in 100 ms of wall-clock time, 900 ms late and getting less late (down to 410 ms)
        for (int i = 0; i < 50; i++) {
            assertThat(c.caughtUp(i * 20L, (900 - 10L * i) * MS, i * 2 * MS)).as("frame %d", i).isFalse();
        }
        assertThat(c.caughtUp(1000, 40 * MS, 101 * MS)).isTrue();
    }

    @Test
    void framesOfUnknownLatencyPassOnceTheyComeAtRealTimePace() {
        AudioCatchUp c = new AudioCatchUp();
        long wall = 0;
        // replayed from the GOP cache: 10 frames at once
        for (int i = 0; i < 10; i++) {
            assertThat(c.caughtUp(i * 20L, -1, wall)).isFalse();
        }
        // then one every 20 ms: live, judged once a whole window of them came at that pace
        int passedAt = -1;
        for (int i = 10; i < 40 && passedAt < 0; i++) {
            wall += 20 * MS;
            if (c.caughtUp(i * 20L, 300 * MS, wall)) {
                passedAt = i;
            }
        }
        // 200 ms of media within 150 ms of wall clock is still catching up: 10 frames of burst
        // then 20 ms apart reach 4/3 of real time over the window at frame 15 or later
        assertThat(passedAt).isBetween(15, 21);
    }

    @Test
    void aLoadedMachineStillPassesAudioAtRealTimePace() {
        AudioCatchUp c = new AudioCatchUp();
        boolean passed = false;
        for (int i = 0; i < 30 && !passed; i++) {
            passed = c.caughtUp(i * 20L, 400 * MS, (5 + i * 20L) * MS); // always 400 ms late
        }
        assertThat(passed).isTrue();
    }
}
