package dev.vireo.srt;

import dev.vireo.srt.lib.SrtStats;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Listener-wide counters, for metrics (any thread). The packet counters add up what
 * {@code srt_bstats} reported for every session, ended ones included: each refresh adds the growth
 * since the session's previous sample.
 */
final class SrtCounters {

    private final AtomicLong publishers = new AtomicLong();
    private final AtomicLong players = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong retransmitted = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    void accepted(boolean publish) {
        (publish ? publishers : players).incrementAndGet();
    }

    void reject() {
        rejected.incrementAndGet();
    }

    long publishers() {
        return publishers.get();
    }

    long players() {
        return players.get();
    }

    long rejected() {
        return rejected.get();
    }

    /** Adds what libsrt counted between two samples of one session ({@code before} null: the first). */
    void sampled(SrtStats before, SrtStats now) {
        retransmitted.addAndGet(growth(before == null ? 0 : before.retransmitted() + before.retransmittedReceived(),
                now.retransmitted() + now.retransmittedReceived()));
        lost.addAndGet(growth(before == null ? 0 : before.receiveLoss() + before.sendLoss(),
                now.receiveLoss() + now.sendLoss()));
        dropped.addAndGet(growth(before == null ? 0 : before.receiveDropped() + before.sendDropped(),
                now.receiveDropped() + now.sendDropped()));
    }

    private static long growth(long before, long now) {
        return Math.max(0, now - before);
    }

    long retransmitted() {
        return retransmitted.get();
    }

    long lost() {
        return lost.get();
    }

    long dropped() {
        return dropped.get();
    }
}
