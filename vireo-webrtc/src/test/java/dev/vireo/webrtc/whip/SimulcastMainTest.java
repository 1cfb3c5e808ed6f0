package dev.vireo.webrtc.whip;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The main stream follows the largest live layer, moving only at keyframes. */
class SimulcastMainTest {

    private static final long MS = 1_000_000L;

    @Test
    void followsTheLargestLiveLayerAtItsKeyframes() {
        SimulcastMain m = new SimulcastMain(3); // q, h, f
        m.size(0, 320, 180);
        m.size(1, 640, 360);
        m.size(2, 1280, 720);
        assertThat(m.current()).isEqualTo(-1);
        assertThat(m.onFrame(0, false, 0)).isFalse(); // not a keyframe: nothing to start from
        assertThat(m.onFrame(0, true, 1 * MS)).isTrue(); // the only live layer
        assertThat(m.current()).isZero();
        assertThat(m.onFrame(2, false, 2 * MS)).isFalse(); // f is live and larger: wait for its keyframe
        assertThat(m.wanted(2 * MS)).isEqualTo(2);
        assertThat(m.onFrame(1, true, 3 * MS)).isFalse(); // h is not the best live layer
        assertThat(m.onFrame(2, true, 4 * MS)).isTrue();
        assertThat(m.current()).isEqualTo(2);
        assertThat(m.onFrame(0, true, 5 * MS)).isFalse();
        assertThat(m.wanted(5 * MS)).isEqualTo(-1);
        assertThat(m.switches()).isEqualTo(2);

        // f pauses (the sender's uplink estimate fell): after a second h is the best live layer
        long t = 5 * MS;
        for (int i = 1; i <= 60; i++) {
            t += 20 * MS;
            m.onFrame(0, false, t);
            m.onFrame(1, false, t);
        }
        assertThat(m.live(2, t)).isFalse();
        assertThat(m.wanted(t)).isEqualTo(1); // the session asks h for a keyframe
        assertThat(m.onFrame(0, true, t)).isFalse();
        assertThat(m.onFrame(1, true, t)).isTrue();
        assertThat(m.current()).isEqualTo(1);
        // f comes back with a keyframe: it takes over at once
        assertThat(m.onFrame(2, true, t + 20 * MS)).isTrue();
        assertThat(m.current()).isEqualTo(2);
        assertThat(m.switches()).isEqualTo(4);
    }

    @Test
    void unknownSizesKeepTheFirstLayerThatStarted() {
        SimulcastMain m = new SimulcastMain(2);
        assertThat(m.onFrame(1, true, 0)).isTrue();
        assertThat(m.onFrame(0, true, MS)).isFalse(); // same (unknown) size: no move
        assertThat(m.current()).isEqualTo(1);
    }
}
