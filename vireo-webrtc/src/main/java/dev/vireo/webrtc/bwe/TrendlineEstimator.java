package dev.vireo.webrtc.bwe;

import java.util.ArrayDeque;

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

    private final ArrayDeque<double[]> points = new ArrayDeque<>(WINDOW + 1);
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
        points.addLast(new double[] {(deltas.arrivalNanos() - firstArrivalNanos) / 1e6, smoothedDelay});
        if (points.size() > WINDOW) {
            points.removeFirst();
        }
        if (points.size() == WINDOW) {
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
        for (double[] p : points) {
            sx += p[0];
            sy += p[1];
        }
        double mx = sx / points.size();
        double my = sy / points.size();
        double num = 0;
        double den = 0;
        for (double[] p : points) {
            num += (p[0] - mx) * (p[1] - my);
            den += (p[0] - mx) * (p[0] - mx);
        }
        return den == 0 ? trend : num / den;
    }
}
