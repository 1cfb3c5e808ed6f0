package dev.vireo.http;

import java.util.concurrent.atomic.LongAdder;

/** What an {@link HttpServer}'s connections count, for its metrics. */
final class HttpCounters {

    /** Connections whose reading stopped because the client did not take its responses. */
    final LongAdder paused = new LongAdder();
    /** Requests refused as malformed (syntax, sizes, unsupported version). */
    final LongAdder malformed = new LongAdder();
}
