package dev.vireo.http.hls;

import dev.vireo.http.routing.Response;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Requests parked until a segmenter's timeline has what they ask for (a blocking playlist reload,
 * a preload-hinted part): a future per request, completed by the segmenter when it publishes a
 * timeline that satisfies it, or by a timer. No thread waits; the HTTP connection answers when
 * the future completes ({@code Reply.later}). Bounded per stream.
 */
final class Waiters {

    private record Waiter(Predicate<Timeline> ready, Function<Timeline, Response> answer,
                          CompletableFuture<Response> future) {
    }

    private final ConcurrentLinkedQueue<Waiter> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger count = new AtomicInteger();
    private final int max;

    Waiters(int max) {
        this.max = max;
    }

    int size() {
        return count.get();
    }

    /**
     * Parks a request; null when too many are parked already.
     *
     * @param now the current timeline: checked again after the request is queued, so a timeline
     *     published in between is not missed
     * @param timer runs the timeout
     */
    CompletableFuture<Response> park(Predicate<Timeline> ready, Function<Timeline, Response> answer,
                                     Supplier<Timeline> now, long timeoutMillis, EventExecutor timer,
                                     Supplier<Response> onTimeout) {
        if (count.incrementAndGet() > max) {
            count.decrementAndGet();
            return null;
        }
        Waiter w = new Waiter(ready, answer, new CompletableFuture<>());
        queue.add(w);
        w.future.whenComplete((r, e) -> {
            if (queue.remove(w)) {
                count.decrementAndGet();
            }
        });
        Timeline t = now.get();
        if (ready.test(t)) {
            w.future.complete(answer.apply(t));
            return w.future;
        }
        var timeout = timer.schedule(() -> {
            w.future.complete(onTimeout.get());
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        w.future.whenComplete((r, e) -> timeout.cancel(false));
        return w.future;
    }

    /** Answers every parked request that {@code t} satisfies. */
    void publish(Timeline t) {
        for (Waiter w : queue) {
            if (!w.future.isDone() && w.ready.test(t)) {
                w.future.complete(w.answer.apply(t));
            }
        }
    }

    /** Answers every parked request with {@code r} (the stream is gone). */
    void endAll(Response r) {
        for (Waiter w : queue) {
            w.future.complete(r);
        }
    }
}
