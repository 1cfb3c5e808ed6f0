package dev.vireo.webrtc.whep.probe;

import dev.vireo.webrtc.bwe.ProbeBitrateEstimator;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;

/**
 * What became of one viewer's probe clusters (issue 18), counted per {@link Outcome} for its
 * session stats ({@link ProbeClusterStats}) and handed to a listener (the server's metrics), with
 * the last verdict's rates. Every cluster that is due is either sent or abandoned; every sent one
 * gets at most one verdict from the estimator ({@code bwe.ProbeBitrateEstimator}), none when its
 * feedback never came. Written on the session's loop; read from any thread.
 */
public final class ProbeOutcomes {

    /** What became of a probe cluster; {@link #tag()} is the metrics' {@code outcome} tag. */
    public enum Outcome {
        /** Its first packet left. */
        SENT,
        /** Due but not sent: video waited in the pacer (media first), or the transport refused its first packet. */
        ABANDONED,
        /** Sent, and it came through: the estimate may rise to the rate it was delivered at. */
        CAME_THROUGH,
        /** Sent; its arrivals spread out (a queue filled): the link does not carry its rate. */
        DELAY_GROWTH,
        /** Sent; more than 10 % of its packets were lost. */
        LOSS,
        /** Sent; too few of its packets or bytes arrived to measure a rate. */
        TOO_FEW,
        /** Sent; its send or arrival span made no sense (no rate). */
        INVALID;

        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Outcome of(ProbeBitrateEstimator.Verdict verdict) {
            return switch (verdict) {
                case CAME_THROUGH -> CAME_THROUGH;
                case DELAY_GROWTH -> DELAY_GROWTH;
                case LOSS -> LOSS;
                case TOO_FEW -> TOO_FEW;
                case INVALID -> INVALID;
            };
        }
    }

    private final AtomicLongArray counts = new AtomicLongArray(Outcome.values().length);
    private final Consumer<Outcome> listener;
    private volatile ProbeBitrateEstimator.Result last;

    /** @param listener told of every outcome as it is counted (the metrics) */
    public ProbeOutcomes(Consumer<Outcome> listener) {
        this.listener = listener;
    }

    /** A cluster's first packet left. */
    public void sent() {
        add(Outcome.SENT);
    }

    /** A cluster that was due was not sent. */
    public void abandoned() {
        add(Outcome.ABANDONED);
    }

    /** A sent cluster's verdict. */
    public void verdict(ProbeBitrateEstimator.Result result) {
        last = result;
        add(Outcome.of(result.verdict()));
    }

    private void add(Outcome outcome) {
        counts.incrementAndGet(outcome.ordinal());
        listener.accept(outcome);
    }

    public long count(Outcome outcome) {
        return counts.get(outcome.ordinal());
    }

    /** The counts and the last verdict so far. */
    public ProbeClusterStats stats() {
        ProbeBitrateEstimator.Result r = last;
        return new ProbeClusterStats(count(Outcome.SENT), count(Outcome.ABANDONED), count(Outcome.CAME_THROUGH),
                count(Outcome.DELAY_GROWTH), count(Outcome.LOSS), count(Outcome.TOO_FEW), count(Outcome.INVALID),
                r == null ? null : Outcome.of(r.verdict()).tag(), r == null ? -1 : r.cluster().bps(),
                r == null ? -1 : r.sendBps(), r == null ? -1 : r.deliveredBps());
    }
}
