package dev.vireo.http.routing;

import java.util.concurrent.atomic.LongAdder;

/** What the connections of an HTTP server count, for its metrics; the dispatchers count into it. */
public final class HttpCounters {

    /** Connections whose reading stopped because the client did not take its responses. */
    final LongAdder paused = new LongAdder();
    /** Requests refused as malformed (syntax, sizes, unsupported version). */
    final LongAdder malformed = new LongAdder();

    /** Times a connection stopped being read because its client did not take its responses. */
    public long paused() {
        return paused.sum();
    }

    /** Requests refused as malformed (bad syntax, too long, unsupported HTTP version). */
    public long malformed() {
        return malformed.sum();
    }
}
