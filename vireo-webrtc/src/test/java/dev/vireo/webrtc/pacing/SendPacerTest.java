package dev.vireo.webrtc.pacing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pacer on a simulated clock: a keyframe burst spread at 2.5 × the estimate, priority, bounds. */
class SendPacerTest {

    private static final long MS = 1_000_000;

    /** Runs the pacer the way a session would: drain, then wake at nextSendNanos. Returns send times by packet. */
    private static List<long[]> run(SendPacer<Integer> pacer, long from, long until) {
        List<long[]> sent = new ArrayList<>();
        long now = from;
        while (now <= until) {
            long t = now;
            pacer.drain(now, p -> sent.add(new long[] {p, t}));
            long next = pacer.nextSendNanos(now);
            if (next == Long.MAX_VALUE) {
                break;
            }
            now = Math.max(next, now + 1);
        }
        return sent;
    }

    @Test
    void spreadsAKeyframeBurstAtTheEstimateTimesThePacingFactor() {
        SendPacer<Integer> pacer = new SendPacer<>(new SendPacer.Config(10 * MS, 2_000 * MS, 4096), 1, 0);
        pacer.setEstimate(1_000_000, 0); // 2.5 Mbps
        assertThat(pacer.rateBps()).isEqualTo(2_500_000);
        pacer.drain(1_000 * MS, p -> { }); // a full bucket after an idle second
        for (int i = 0; i < 100; i++) {
            assertThat(pacer.enqueue(i, 1200, false, 1_000 * MS)).isTrue();
        }
        List<long[]> sent = run(pacer, 1_000 * MS, 3_000 * MS);
        assertThat(sent).hasSize(100);
        assertThat(sent).extracting(s -> (int) s[0]).isSorted();
        // 100 · 1200 B at 2.5 Mbps = 384 ms; the bucket's 10 ms (3125 B: three packets) go at once
        long span = sent.get(99)[1] - sent.get(0)[1];
        assertThat(span).isBetween(370 * MS, 384 * MS);
        // no 20 ms window carries more than 20 ms of the rate plus the bucket and one packet of debt
        long maxBytes = (long) (2_500_000 * 0.020 / 8) + 3125 + 1200;
        for (long[] first : sent) {
            long bytes = sent.stream().filter(s -> s[1] >= first[1] && s[1] < first[1] + 20 * MS).count() * 1200;
            assertThat(bytes).isLessThanOrEqualTo(maxBytes);
        }
        assertThat(pacer.queuedPackets()).isZero();
        assertThat(pacer.nextSendNanos(4_000 * MS)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void clearHandsBackEveryWaitingPacket() {
        SendPacer<Integer> pacer = new SendPacer<>(SendPacer.Config.DEFAULT, 100_000, 0);
        for (int i = 0; i < 50; i++) {
            assertThat(pacer.enqueue(i, 1200, i % 10 == 0, 0)).isTrue();
        }
        List<Integer> sent = new java.util.ArrayList<>();
        pacer.drain(0, sent::add);
        List<Integer> discarded = new java.util.ArrayList<>();
        assertThat(pacer.clear(discarded::add)).isEqualTo(50 - sent.size());
        assertThat(sent.size() + discarded.size()).isEqualTo(50);
        assertThat(pacer.queuedPackets()).isZero();
        assertThat(pacer.queuedBytes()).isZero();
        assertThat(pacer.nextSendNanos(1)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void priorityPacketsJumpTheQueue() {
        SendPacer<Integer> pacer = new SendPacer<>(SendPacer.Config.DEFAULT, 1_000_000, 0);
        for (int i = 0; i < 20; i++) {
            pacer.enqueue(i, 1200, false, 0);
        }
        List<Integer> order = new ArrayList<>();
        pacer.drain(0, order::add); // what the bucket allows now
        int before = order.size();
        assertThat(before).isBetween(1, 3);
        pacer.enqueue(1000, 100, true, MS); // audio
        long next = pacer.nextSendNanos(MS);
        assertThat(next).isGreaterThan(MS);
        pacer.drain(next, order::add);
        assertThat(order.get(before)).isEqualTo(1000);
        assertThat(pacer.queueDelayNanos(next)).isEqualTo(next);
    }

    @Test
    void boundsTheQueueInPacketsAndInTime() {
        SendPacer<Integer> pacer = new SendPacer<>(new SendPacer.Config(5 * MS, 100 * MS, 50), 100_000, 0);
        for (int i = 0; i < 50; i++) {
            assertThat(pacer.enqueue(i, 1000, false, 0)).isTrue();
        }
        assertThat(pacer.enqueue(50, 1000, false, 0)).isFalse();
        assertThat(pacer.queuedBytes()).isEqualTo(50_000);
        // 50 kB at 100 kbps would take 4 s; the rate rises to drain it within 100 ms
        List<long[]> sent = run(pacer, 0, 10_000 * MS);
        assertThat(sent).hasSize(50);
        assertThat(sent.get(49)[1]).isLessThanOrEqualTo(101 * MS); // the oldest waited 100 ms at most (+ the 1 ms floor)
    }
}
