package dev.vireo.webrtc.bwe;

/**
 * The loss-based controller of draft-ietf-rmcat-gcc-02 §6: with {@code p} the fraction of
 * packets lost since the last report,
 * <ul>
 *   <li>{@code p > 10%}: {@code As = As · (1 − 0.5 p)};</li>
 *   <li>{@code p < 2%}: {@code As = 1.05 · As};</li>
 *   <li>between: hold (the hysteresis that keeps the rate where a little loss is normal).</li>
 * </ul>
 * The draft assumes reports at the RTCP receiver report cadence (about one a second); with
 * transport-wide feedback every 50–100 ms, loss is counted over at least {@link #MIN_PACKETS}
 * packets, a decrease is applied at most every {@link #DECREASE_INTERVAL_NANOS} plus one RTT
 * and an increase at most every {@link #INCREASE_INTERVAL_NANOS} (as libwebrtc's
 * SendSideBandwidthEstimation paces them). A decrease acts on the target actually sent at (the
 * caller passes it), not on a bound far above it, and never cuts below the acknowledged bitrate
 * reduced the same way (a sender that does not follow the estimate would otherwise see the same
 * loss report after report and spiral down); until the first loss over 10% there is no
 * loss-based bound ({@code maxBps}), so it does not slow the delay-based ramp-up. Not
 * thread-safe; times are arguments.
 */
public final class LossBasedController {

    public static final double HIGH_LOSS = 0.10;
    public static final double LOW_LOSS = 0.02;
    public static final int MIN_PACKETS = 20;
    public static final long DECREASE_INTERVAL_NANOS = 300_000_000;
    public static final long INCREASE_INTERVAL_NANOS = 1_000_000_000;

    private final long minBps;
    private final long maxBps;
    private long estimate;
    private int expected;
    private int lost;
    private double lastFraction;
    private long lastDecreaseNanos = Long.MIN_VALUE;
    private long lastIncreaseNanos = Long.MIN_VALUE;

    public LossBasedController(long minBps, long maxBps) {
        this.minBps = minBps;
        this.maxBps = maxBps;
        this.estimate = maxBps;
    }

    /** Counts {@code packets} reported by feedback, {@code lostPackets} of them lost; true when enough to judge. */
    public boolean onPackets(int packets, int lostPackets) {
        expected += packets;
        lost += lostPackets;
        if (expected < MIN_PACKETS) {
            return false;
        }
        lastFraction = (double) lost / expected;
        expected = 0;
        lost = 0;
        return true;
    }

    /** A loss fraction measured elsewhere (an RTCP receiver report's, RFC 3550 §6.4.1). */
    public void onFraction(double fraction) {
        lastFraction = Math.max(0, Math.min(1, fraction));
    }

    /** The last fraction of loss judged. */
    public double lossFraction() {
        return lastFraction;
    }

    /** The loss-based bound ({@code maxBps} while no loss has been seen). */
    public long estimateBps() {
        return estimate;
    }

    /**
     * A probe cluster showed that the link carries {@code bps} without loss: the bound is at
     * least that (as libwebrtc sets its loss-based estimate to a probe's result).
     */
    public void onProbe(long bps) {
        estimate = Math.max(estimate, Math.min(maxBps, bps));
    }

    /**
     * Applies §6 to the last judged fraction.
     *
     * @param targetBps the current estimate (what an adaptive sender sends at)
     * @param ackedBps  what the receiver got recently ({@link AcknowledgedBitrate}), or -1
     */
    public long update(long targetBps, long ackedBps, long rttNanos, long nowNanos) {
        double p = lastFraction;
        if (p > HIGH_LOSS) {
            if (lastDecreaseNanos == Long.MIN_VALUE || nowNanos - lastDecreaseNanos >= DECREASE_INTERVAL_NANOS + rttNanos) {
                lastDecreaseNanos = nowNanos;
                lastIncreaseNanos = nowNanos;
                double decreased = Math.min(targetBps, estimate) * (1 - 0.5 * p);
                // A sender that does not follow the estimate (a fixed-rate rendition) keeps losing
                // at the same rate; cutting again every interval would spiral to the floor. What
                // got through, reduced the same way, bounds the cut.
                double floor = ackedBps > 0 ? ackedBps * (1 - 0.5 * p) : 0;
                estimate = Math.max(minBps, (long) Math.max(decreased, Math.min(floor, estimate)));
            }
        } else if (p < LOW_LOSS && estimate < maxBps
                && (lastIncreaseNanos == Long.MIN_VALUE || nowNanos - lastIncreaseNanos >= INCREASE_INTERVAL_NANOS)) {
            lastIncreaseNanos = nowNanos;
            estimate = Math.min(maxBps, (long) (estimate * 1.05) + 1000);
        }
        return estimate;
    }
}
