package dev.vireo.webrtc.whep.probe;

/**
 * A WHEP viewer's probe clusters so far (issue 18): how many were sent, abandoned, and what each
 * sent one's transport-cc feedback said ({@link ProbeOutcomes.Outcome}), and the last verdict's
 * rates. {@code sent} minus the verdicts are clusters waiting for theirs, or whose feedback never
 * came.
 *
 * @param sent clusters whose packets went out
 * @param abandoned clusters due but not sent (video waited in the pacer, or the transport refused)
 * @param cameThrough sent clusters that came through: the estimate rose to their delivered rate
 *     (unless the detector was over-using)
 * @param delayGrowth sent clusters whose arrivals spread out: a queue filled, the link does not
 *     carry their rate
 * @param loss sent clusters that lost more than 10 % of their packets
 * @param tooFew sent clusters of which too few packets or bytes arrived to measure a rate
 * @param invalid sent clusters whose send or arrival span made no sense
 * @param lastVerdict the outcome of the last cluster judged ({@code came_through},
 *     {@code delay_growth}, {@code loss}, {@code too_few}, {@code invalid}), null before one
 * @param lastTargetBps the rate that cluster was sent for, bit/s; -1 before one
 * @param lastSendBps the rate it left at, bit/s; -1 when not measurable
 * @param lastDeliveredBps the rate it arrived at, bit/s; -1 when not measurable
 */
public record ProbeClusterStats(long sent, long abandoned, long cameThrough, long delayGrowth, long loss,
                                long tooFew, long invalid, String lastVerdict, long lastTargetBps, long lastSendBps,
                                long lastDeliveredBps) {

    /** A viewer that is never probed (no ladder). */
    public static final ProbeClusterStats NONE = new ProbeClusterStats(0, 0, 0, 0, 0, 0, 0, null, -1, -1, -1);
}
