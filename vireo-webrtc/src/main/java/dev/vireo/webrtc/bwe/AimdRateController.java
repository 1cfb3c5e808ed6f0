package dev.vireo.webrtc.bwe;

/**
 * The delay-based rate controller of draft-ietf-rmcat-gcc-02 §5.5: a state machine (Hold,
 * Increase, Decrease, table of §5.5) driven by the over-use signal, which sets the delay-based
 * estimate {@code A_hat}:
 * <ul>
 *   <li>over-use: {@code A_hat = beta · R_hat} with {@link #BETA} = 0.85 and {@code R_hat} the
 *       acknowledged bitrate, again at most every RTT (10–200 ms, as libwebrtc) while
 *       over-use lasts; the incoming rate at that moment also feeds the
 *       average of the link's capacity (mean and variance, exponentially smoothed with 0.95);</li>
 *   <li>under-use: Hold (queues are draining; do not add);</li>
 *   <li>normal: Increase: multiplicatively by {@code 1.08^dt} (dt ≤ 1 s) while far from the
 *       capacity last seen at an over-use, additively (about half a 1200-byte packet per
 *       response time, response time = 100 ms + RTT, ≥ 4 kbps/s) when {@code R_hat} is within
 *       three standard deviations of it;</li>
 *   <li>the increase never takes the estimate above {@code 1.5 · R_hat + 10 kbps} (§5.5: not far
 *       above what is actually delivered), nor the configured bounds; an estimate above that
 *       (set by a probe cluster that came through, {@link #onProbe}) is held, not lowered, until
 *       over-use (as libwebrtc's AimdRateControl: a sender limited by its application, a fixed-rate
 *       rendition, delivers less than its link carries).</li>
 * </ul>
 * Not thread-safe; times are arguments.
 */
public final class AimdRateController {

    public static final double BETA = 0.85;
    private static final double CAPACITY_SMOOTHING = 0.95;
    private static final double PACKET_BITS = 1200 * 8;

    private enum State { HOLD, INCREASE, DECREASE }

    private final long minBps;
    private final long maxBps;
    private double estimate;
    private State state = State.HOLD;
    private long lastUpdateNanos = Long.MIN_VALUE;
    private long lastDecreaseNanos = Long.MIN_VALUE;
    /** Average and variance (normalised by the average) of the incoming rate at over-use, kbps; -1 unknown. */
    private double capacityKbps = -1;
    private double capacityVariance = 0.4;

    public AimdRateController(long startBps, long minBps, long maxBps) {
        this.minBps = minBps;
        this.maxBps = maxBps;
        this.estimate = clamp(startBps);
    }

    /**
     * Updates the estimate from the detector's signal.
     *
     * @param ackedBps the acknowledged bitrate {@code R_hat}, or -1 when not known yet
     * @param rttNanos the round-trip time (for the additive increase's response time)
     */
    public long update(BandwidthUsage usage, long ackedBps, long rttNanos, long nowNanos) {
        if (lastUpdateNanos == Long.MIN_VALUE) {
            lastUpdateNanos = nowNanos;
        }
        // §5.5 state transitions
        state = switch (usage) {
            case OVERUSING -> State.DECREASE;
            case UNDERUSING -> State.HOLD;
            case NORMAL -> state == State.HOLD ? State.INCREASE : state == State.DECREASE ? State.HOLD : state;
        };
        double dtSeconds = Math.min((nowNanos - lastUpdateNanos) / 1e9, 1.0);
        switch (state) {
            case INCREASE -> {
                if (ackedBps > 0 && capacityKbps >= 0 && ackedBps / 1000.0 > capacityKbps + 3 * deviationKbps()) {
                    capacityKbps = -1; // above the old capacity: it changed, probe multiplicatively again
                }
                double limit = ackedBps > 0 ? 1.5 * ackedBps + 10_000 : Double.MAX_VALUE;
                if (estimate < limit) {
                    if (capacityKbps >= 0) {
                        double responseSeconds = 0.1 + rttNanos / 1e9;
                        double perSecond = Math.max(4000, 0.5 * PACKET_BITS / responseSeconds);
                        estimate += perSecond * dtSeconds;
                    } else {
                        estimate *= Math.pow(1.08, dtSeconds);
                    }
                    estimate = Math.min(estimate, limit);
                }
            }
            case DECREASE -> {
                // while over-use lasts, decrease again only after the previous one could take effect
                long interval = Math.max(10_000_000L, Math.min(200_000_000L, rttNanos));
                if (lastDecreaseNanos != Long.MIN_VALUE && nowNanos - lastDecreaseNanos < interval) {
                    break;
                }
                lastDecreaseNanos = nowNanos;
                if (ackedBps > 0) {
                    double decreased = BETA * ackedBps;
                    if (decreased < estimate) {
                        estimate = decreased;
                    }
                    updateCapacity(ackedBps / 1000.0);
                } else {
                    estimate *= BETA;
                }
            }
            case HOLD -> {
            }
        }
        estimate = clamp((long) estimate);
        lastUpdateNanos = nowNanos;
        return (long) estimate;
    }

    public long estimateBps() {
        return (long) estimate;
    }

    /**
     * A probe cluster came through at {@code bps} (no over-use): the estimate is at least that.
     * It is then held above what the media alone shows until over-use.
     */
    public void onProbe(long bps) {
        estimate = Math.max(estimate, clamp(bps));
    }

    private void updateCapacity(double kbps) {
        if (capacityKbps >= 0 && Math.abs(kbps - capacityKbps) > 3 * deviationKbps()) {
            capacityKbps = -1; // far from the old average: start a new one
        }
        if (capacityKbps < 0) {
            capacityKbps = kbps;
            return;
        }
        capacityKbps = CAPACITY_SMOOTHING * capacityKbps + (1 - CAPACITY_SMOOTHING) * kbps;
        double norm = Math.max(capacityKbps, 1.0);
        double error = capacityKbps - kbps;
        capacityVariance = CAPACITY_SMOOTHING * capacityVariance + (1 - CAPACITY_SMOOTHING) * error * error / norm;
        capacityVariance = Math.max(0.4, Math.min(2.5, capacityVariance));
    }

    private double deviationKbps() {
        return Math.sqrt(capacityVariance * Math.max(capacityKbps, 1.0));
    }

    private double clamp(long bps) {
        return Math.max(minBps, Math.min(maxBps, bps));
    }
}
