package dev.vireo.bench.viewers;

import dev.vireo.bench.measure.FlowCounters;
import java.util.concurrent.CompletableFuture;

/**
 * What every {@link Viewer} of the bench keeps the same way: its start, its flow counters, and why
 * it closed (the first reason stands unless replaced on purpose).
 */
abstract class BaseViewer implements Viewer {

    final CompletableFuture<Void> started = new CompletableFuture<>();
    final FlowCounters counters;
    private volatile String closeReason;

    BaseViewer(FlowCounters counters) {
        this.counters = counters;
    }

    @Override
    public final CompletableFuture<Void> started() {
        return started;
    }

    @Override
    public final FlowCounters counters() {
        return counters;
    }

    @Override
    public final String closeReason() {
        return closeReason;
    }

    /** Keeps {@code reason} as why the viewer closed, unless one was kept before. */
    final void keepCloseReason(String reason) {
        if (closeReason == null) {
            closeReason = reason;
        }
    }

    /** Replaces the reason kept (a later, more precise one). */
    final void replaceCloseReason(String reason) {
        closeReason = reason;
    }

    /** A failure: {@code reason} is kept (unless one was before) and a start still pending fails with it. */
    final void failStart(String reason) {
        keepCloseReason(reason);
        started.completeExceptionally(new IllegalStateException(reason));
    }

    /** The end: {@code fallback} is kept unless a reason was before; a start still pending fails with the kept one. */
    final void endStart(String fallback) {
        keepCloseReason(fallback);
        started.completeExceptionally(new IllegalStateException(closeReason));
    }
}
