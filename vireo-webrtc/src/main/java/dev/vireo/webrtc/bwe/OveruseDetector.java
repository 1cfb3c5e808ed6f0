package dev.vireo.webrtc.bwe;

/**
 * The over-use detector with an adaptive threshold, draft-ietf-rmcat-gcc-02 §5.4: the delay
 * gradient {@code m(i)} (here {@link TrendlineEstimator#modifiedTrend()}) is compared with a
 * threshold {@code del_var_th(i)}; above it for over {@link #OVERUSE_NANOS} (and rising), the
 * signal is over-use; below its negative, under-use; else normal. The threshold follows
 * {@code |m(i)|} (§5.4 eq. for {@code del_var_th}): up slowly ({@link #K_UP}), down fast
 * ({@link #K_DOWN}), by at most 100 ms of time per update, clamped to [6, 600]; values more than
 * 15 above it (a sudden spike) do not move it. Not thread-safe; times are arguments.
 */
public final class OveruseDetector {

    public static final double K_UP = 0.0087;
    public static final double K_DOWN = 0.039;
    public static final double INITIAL_THRESHOLD = 12.5;
    /** §5.4 overuse_time_th: 10 ms. */
    public static final long OVERUSE_NANOS = 10_000_000;
    private static final double MAX_ADAPT_OFFSET = 15;

    private double threshold = INITIAL_THRESHOLD;
    private long lastUpdateNanos = Long.MIN_VALUE;
    private double timeOverUsingMs = -1;
    private int overuseCount;
    private double previousTrend;
    private BandwidthUsage state = BandwidthUsage.NORMAL;

    /**
     * Compares the gradient with the threshold and adapts it.
     *
     * @param modifiedTrend the scaled gradient
     * @param trend         the raw slope, to see whether it is still rising
     * @param sendDeltaMs   the groups' inter-departure time
     */
    public BandwidthUsage detect(double modifiedTrend, double trend, double sendDeltaMs, long nowNanos) {
        if (modifiedTrend > threshold) {
            timeOverUsingMs = timeOverUsingMs < 0 ? sendDeltaMs / 2 : timeOverUsingMs + sendDeltaMs;
            overuseCount++;
            if (timeOverUsingMs > OVERUSE_NANOS / 1e6 && overuseCount > 1 && trend >= previousTrend) {
                timeOverUsingMs = 0;
                overuseCount = 0;
                state = BandwidthUsage.OVERUSING;
            }
        } else if (modifiedTrend < -threshold) {
            timeOverUsingMs = -1;
            overuseCount = 0;
            state = BandwidthUsage.UNDERUSING;
        } else {
            timeOverUsingMs = -1;
            overuseCount = 0;
            state = BandwidthUsage.NORMAL;
        }
        previousTrend = trend;
        adapt(modifiedTrend, nowNanos);
        return state;
    }

    public BandwidthUsage state() {
        return state;
    }

    public double threshold() {
        return threshold;
    }

    private void adapt(double modifiedTrend, long nowNanos) {
        if (lastUpdateNanos == Long.MIN_VALUE) {
            lastUpdateNanos = nowNanos;
        }
        double m = Math.abs(modifiedTrend);
        if (m > threshold + MAX_ADAPT_OFFSET) {
            lastUpdateNanos = nowNanos;
            return;
        }
        double k = m < threshold ? K_DOWN : K_UP;
        double dtMs = Math.min((nowNanos - lastUpdateNanos) / 1e6, 100);
        threshold += k * (m - threshold) * dtMs;
        threshold = Math.max(6, Math.min(600, threshold));
        lastUpdateNanos = nowNanos;
    }
}
