package dev.vireo.webrtc.feedback;

/**
 * The bitrate a receiver tells a sender it may use, as a REMB (draft-alvestrand-rmcat-remb):
 * from what arrived and what was lost per report interval, loss-based in the manner of Google
 * Congestion Control's loss controller (draft-ietf-rmcat-gcc-02 §6): above 10 % loss the estimate
 * falls by half the loss fraction, below 2 % it grows (never below 1.5 × what arrives, so a sender ramping up
 * on transport-cc is never held back), in between it holds. Bounded to [{@link #MIN_BPS},
 * {@link #MAX_BPS}]. With transport-cc, the sender's own estimate leads and this is a ceiling.
 * Not thread-safe: the session's loop.
 */
public final class ReceiveRateEstimator {

    public static final long MIN_BPS = 300_000;
    public static final long MAX_BPS = 50_000_000;
    /** Before anything arrived: high enough not to cap a browser's start-up (Chromium starts at 300 kbps). */
    public static final long INITIAL_BPS = 5_000_000;

    private long estimate = INITIAL_BPS;

    /**
     * One report interval's worth of reception.
     *
     * @param bytes payload and header bytes received in the interval
     * @param packets packets expected in the interval (received + lost)
     * @param lost packets lost for good in the interval
     * @return the new estimate in bit/s
     */
    public long update(long bytes, long packets, long lost, long intervalNanos) {
        if (intervalNanos <= 0) {
            return estimate;
        }
        double received = bytes * 8.0 * 1_000_000_000L / intervalNanos;
        double loss = packets <= 0 ? 0 : Math.max(0, Math.min(1, (double) lost / packets));
        double next;
        if (loss > 0.10) {
            // from the estimate, not from what arrived: a sender below the cap is not pushed down to
            // its own rate by one lossy second (that collapsed Chromium's bitrate in WhipLossTest)
            next = estimate * (1 - 0.5 * loss);
        } else if (loss < 0.02) {
            next = Math.max(estimate * 1.08, 1.5 * received);
        } else {
            next = Math.max(estimate, received);
        }
        estimate = Math.max(MIN_BPS, Math.min(MAX_BPS, (long) next));
        return estimate;
    }

    public long estimate() {
        return estimate;
    }
}
