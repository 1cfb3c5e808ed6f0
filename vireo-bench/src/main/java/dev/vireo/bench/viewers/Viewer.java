package dev.vireo.bench.viewers;

import dev.vireo.bench.measure.FlowCounters;
import java.util.concurrent.CompletableFuture;

/** One playing client of the bench (RTMP or HTTP-FLV). */
public interface Viewer {

    /** Completes when playback has started (play accepted / HTTP 200), exceptionally on failure. */
    CompletableFuture<Void> started();

    FlowCounters counters();

    /** Whether the connection is still open. */
    boolean isOpen();

    /** Why the connection closed, when it did (server disconnect, protocol error, ...). */
    String closeReason();

    void close();
}
