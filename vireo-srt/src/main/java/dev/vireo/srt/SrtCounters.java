package dev.vireo.srt;

import java.util.concurrent.atomic.AtomicLong;

/** Listener-wide counters, for metrics (any thread). */
final class SrtCounters {

    private final AtomicLong publishers = new AtomicLong();
    private final AtomicLong players = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();

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
}
