package dev.vireo.bench.fanout;

import java.util.List;

/**
 * Server CPU as a straight line in the number of viewers, fitted by least squares over the held
 * steps and the 0-viewer baseline: the slope is the CPU a viewer costs, the projection
 * {@code 1 core / slope} the viewers one core could serve. CPU time consumed is much less
 * disturbed by other load on a shared machine than latency is, so this is the steadier number.
 *
 * @param microsPerViewerSecond slope: server CPU µs per viewer per second
 * @param baseMicrosPerSecond   intercept: server CPU µs per second with no viewer
 * @param points                how many (viewers, CPU) points went into the fit
 */
record CpuFit(double microsPerViewerSecond, double baseMicrosPerSecond, int points) {

    /** One core: 10^6 CPU-µs per second. */
    private static final double CORE = 1_000_000;

    /** Viewers per fully used core at the fitted slope (0 when the slope is not positive). */
    double viewersPerCore() {
        return microsPerViewerSecond <= 0 ? 0 : (CORE - Math.max(0, baseMicrosPerSecond)) / microsPerViewerSecond;
    }

    static CpuFit of(double baselineCpuPercent, List<StepResult> steps) {
        int n = 1;
        double sx = 0;
        double sy = baselineCpuPercent * CORE / 100;
        double sxx = 0;
        double sxy = 0;
        for (StepResult s : steps) {
            if (!s.held()) {
                continue;
            }
            double x = s.viewers();
            double y = s.serverCpuPercent() * CORE / 100;
            n++;
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
        }
        double den = n * sxx - sx * sx;
        if (n < 2 || den == 0) {
            return new CpuFit(0, sy / n, n);
        }
        double slope = (n * sxy - sx * sy) / den;
        return new CpuFit(slope, (sy - slope * sx) / n, n);
    }
}
