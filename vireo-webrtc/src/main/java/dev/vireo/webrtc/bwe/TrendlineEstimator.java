package dev.vireo.webrtc.bwe;

/**
 * The delay trend of GCC's delay-based controller. draft-ietf-rmcat-gcc-02 §5.3 estimates the
 * queuing delay gradient {@code m(i)} from the delay variations {@code d(i)} with a Kalman
 * filter; libwebrtc (what Chromium runs since 2017) replaced it with this trendline filter, used
 * here the same way: accumulate {@code d(i)}, smooth it exponentially ({@link #SMOOTHING}), and
 * fit a least-squares line through the last {@link #WINDOW} (arrival time, smoothed delay)
 * points; the slope is the delay gradient (ms of queue growth per ms). {@link #modifiedTrend()}
 * scales it as the detector compares it: {@code min(samples, 60) · slope · 4}. Not thread-safe.
 */
public final class TrendlineEstimator {

    public static final int WINDOW = 20;
    public static final double SMOOTHING = 0.9;
    public static final double THRESHOLD_GAIN = 4.0;
    private static final int MAX_SAMPLES_GAIN = 60;

    private final double[] xs = new double[WINDOW]; // arrival ms, a ring
    private final double[] ys = new double[WINDOW]; // smoothed delay ms
    private int points;
    private int next;
    private double accumulatedDelay;
    private double smoothedDelay;
    private long firstArrivalNanos = -1;
    private int samples;
    private double trend;

    /** Adds one group delta; updates {@link #trend()}. */
    public void update(InterArrival.Deltas deltas) {
        samples = Math.min(samples + 1, 1000);
        if (firstArrivalNanos < 0) {
            firstArrivalNanos = deltas.arrivalNanos();
        }
        accumulatedDelay += deltas.delayVariationMs();
        smoothedDelay = SMOOTHING * smoothedDelay + (1 - SMOOTHING) * accumulatedDelay;
        xs[next] = (deltas.arrivalNanos() - firstArrivalNanos) / 1e6;
        ys[next] = smoothedDelay;
        next = (next + 1) % WINDOW;
        points = Math.min(points + 1, WINDOW);
        if (points == WINDOW) {
            trend = slope();
        }
    }

    /** The latest delay gradient (0 until the window is full). */
    public double trend() {
        return trend;
    }

    /** The gradient as the overuse detector compares it to its threshold. */
    public double modifiedTrend() {
        return Math.min(samples, MAX_SAMPLES_GAIN) * trend * THRESHOLD_GAIN;
    }

    private double slope() {
        double sx = 0;
        double sy = 0;
        for (int i = 0; i < WINDOW; i++) {
            sx += xs[i];
            sy += ys[i];
        }
        double mx = sx / WINDOW;
        double my = sy / WINDOW;
        double num = 0;
        double den = 0;
        for (int i = 0; i < WINDOW; i++) {
            num += (xs[i] - mx) * (ys[i] - my);
            den += (xs[i] - mx) * (xs[i] - mx);
        }
        return den == 0 ? trend : num / den;
    }
}
