package dev.vireo.webrtc.rtcp;

/**
 * What a receiver knows about one incoming RTP stream for its reception report block (RFC 3550
 * §6.4.1, §A.3 loss, §A.8 interarrival jitter): extended highest sequence number, cumulative and
 * interval loss, jitter, and the last sender report for LSR/DLSR. Pure bookkeeping: the caller
 * passes arrival times. Not thread-safe.
 */
public final class ReceptionStatistics {

    private final int ssrc;
    private final int clockRate;
    private long baseSeq = -1;
    private long maxSeq = -1;
    private long received;
    private long expectedPrior;
    private long receivedPrior;
    /** RFC 3550 §A.8: jitter in timestamp units, scaled by 16. */
    private long jitterQ4;
    private long lastTransit = Long.MIN_VALUE;
    private long lastSrCompact;
    private long lastSrArrivalNanos;

    public ReceptionStatistics(int ssrc, int clockRate) {
        this.ssrc = ssrc;
        this.clockRate = clockRate;
    }

    public int ssrc() {
        return ssrc;
    }

    /**
     * A packet arrived (a retransmission too: it counts as received once more, as in RFC 3550).
     *
     * @param extendedSeq its extended sequence number
     * @param rtpTimestamp its RTP timestamp
     * @param arrivalNanos {@link System#nanoTime()} on arrival
     * @param inOrder false for a late (reordered or retransmitted) packet: it does not feed jitter
     */
    public void onPacket(long extendedSeq, long rtpTimestamp, long arrivalNanos, boolean inOrder) {
        if (baseSeq < 0) {
            baseSeq = extendedSeq;
            maxSeq = extendedSeq;
        }
        received++;
        if (extendedSeq > maxSeq) {
            maxSeq = extendedSeq;
        }
        if (!inOrder) {
            return;
        }
        // §A.8: D(i-1,i) = (Rj - Ri) - (Sj - Si), in timestamp units
        long arrivalUnits = arrivalNanos / 1000 * clockRate / 1_000_000;
        long transit = arrivalUnits - (rtpTimestamp & 0xFFFF_FFFFL);
        if (lastTransit != Long.MIN_VALUE) {
            long d = Math.abs(transit - lastTransit);
            if (d < (long) clockRate * 10) { // a timestamp jump (new source clock) is not jitter
                jitterQ4 += d - ((jitterQ4 + 8) >> 4);
            }
        }
        lastTransit = transit;
    }

    /** A sender report of this stream arrived (for LSR/DLSR, RFC 3550 §6.4.1). */
    public void onSenderReport(long ntpTimestamp, long arrivalNanos) {
        lastSrCompact = NtpTime.compact(ntpTimestamp);
        lastSrArrivalNanos = arrivalNanos;
    }

    /** The interarrival jitter in milliseconds. */
    public double jitterMillis() {
        return (jitterQ4 >> 4) * 1000.0 / clockRate;
    }

    /** Packets lost so far (expected minus received, at least 0). */
    public long cumulativeLost() {
        return baseSeq < 0 ? 0 : Math.max(0, maxSeq - baseSeq + 1 - received);
    }

    public long received() {
        return received;
    }

    /** The report block for now; starts a new interval for the fraction lost (§A.3). */
    public ReportBlock reportBlock(long nowNanos) {
        long expected = baseSeq < 0 ? 0 : maxSeq - baseSeq + 1;
        long expectedInterval = expected - expectedPrior;
        long receivedInterval = received - receivedPrior;
        expectedPrior = expected;
        receivedPrior = received;
        long lostInterval = expectedInterval - receivedInterval;
        int fraction = expectedInterval == 0 || lostInterval <= 0 ? 0 : (int) Math.min(255, (lostInterval << 8) / expectedInterval);
        long cumulative = Math.min(0x7F_FFFF, expected - received);
        cumulative = Math.max(-0x80_0000, cumulative);
        long dlsr = lastSrCompact == 0 ? 0 : NtpTime.toCompactDuration(nowNanos - lastSrArrivalNanos);
        return new ReportBlock(ssrc, fraction, (int) cumulative, Math.max(0, maxSeq) & 0xFFFF_FFFFL, jitterQ4 >> 4,
                lastSrCompact, dlsr);
    }
}
