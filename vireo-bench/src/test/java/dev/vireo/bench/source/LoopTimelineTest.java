package dev.vireo.bench.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LoopTimelineTest {

    @Test
    void loopsContinueOneFrameAfterTheLastTag() {
        // 30 fps clip: video 0..19967 ms, audio up to 19989 ms
        LoopTimeline t = LoopTimeline.of(0, 19_989, 33);
        assertThat(t.loopMs()).isEqualTo(20_022);
        assertThat(t.outputMs(0, 0)).isZero();
        assertThat(t.outputMs(0, 19_989)).isEqualTo(19_989);
        assertThat(t.outputMs(1, 0)).isEqualTo(20_022).isGreaterThan(t.outputMs(0, 19_989));
        assertThat(t.outputMs(3, 100)).isEqualTo(3 * 20_022 + 100);
    }

    @Test
    void sourceTimestampsAreRebasedToTheFirstTag() {
        LoopTimeline t = LoopTimeline.of(1_000, 2_000, 40);
        assertThat(t.outputMs(0, 1_000)).isZero();
        assertThat(t.outputMs(1, 1_000)).isEqualTo(1_040);
    }

    @Test
    void dueTimeIsStartPlusOutputTimestamp() {
        LoopTimeline t = LoopTimeline.of(0, 960, 40);
        long start = 5_000_000_000L;
        assertThat(t.dueNanos(start, 0, 0)).isEqualTo(start);
        assertThat(t.dueNanos(start, 2, 500)).isEqualTo(start + (2 * 1000 + 500) * 1_000_000L);
    }

    @Test
    void rejectsAnEmptyLoop() {
        assertThatThrownBy(() -> new LoopTimeline(0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
