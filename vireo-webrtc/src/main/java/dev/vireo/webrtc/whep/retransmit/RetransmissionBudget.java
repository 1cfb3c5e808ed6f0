package dev.vireo.webrtc.whep.retransmit;

import java.util.function.LongSupplier;

/**
 * How much of a viewer's link its retransmissions may take. Retransmissions share the link with
 * the media, so while an estimate is known they get at most what the estimate leaves above the
 * send rate (at least half the estimate: random loss needs its retransmissions), 100 ms of it at
 * once (a token bucket). A congested viewer's NACKs for packets the link dropped would otherwise
 * come back as more traffic than the media itself and keep the link congested. On the session's
 * loop; the counter is read anywhere.
 */
public final class RetransmissionBudget {

    private final LongSupplier estimateBps;
    private final LongSupplier sendBps;
    private double tokens;
    private long refillNanos;
    private volatile long refused;

    /**
     * @param estimateBps the viewer's bandwidth estimate for retransmissions (the delay-based one:
     *     {@code BandwidthEstimator.retransmissionBps}), -1 while unknown (no limit then)
     * @param sendBps     what the viewer was sent over the last second, -1 while unknown
     */
    public RetransmissionBudget(LongSupplier estimateBps, LongSupplier sendBps) {
        this.estimateBps = estimateBps;
        this.sendBps = sendBps;
    }

    /** Whether a retransmission of about {@code bytes} may go now (it is then charged). */
    public boolean allow(int bytes, long nowNanos) {
        long estimate = estimateBps.getAsLong();
        if (estimate < 0) {
            return true;
        }
        long rate = Math.max(estimate / 2, estimate - Math.max(0, sendBps.getAsLong()));
        // at least two packets deep: under 96 kbit/s, 100 ms of the rate is less than one packet,
        // and a bucket shallower than a packet never lets one through
        double depth = Math.max(rate * 0.1 / 8, 2.0 * bytes);
        tokens = refillNanos == 0 ? depth : Math.min(depth, tokens + rate * (double) (nowNanos - refillNanos) / 8e9);
        refillNanos = nowNanos;
        if (tokens < bytes) {
            refused++;
            return false;
        }
        tokens -= bytes;
        return true;
    }

    /** Retransmissions the budget refused. */
    public long refused() {
        return refused;
    }
}
