package dev.vireo.webrtc.bwe;

/**
 * When a viewer's link is probed, and at which rate (after libwebrtc's ProbeController, for a
 * sender that is application-limited: a fixed-rate rendition below what the link may carry).
 * Probing is wanted up to {@link #setMaxBps} (0: not at all — the viewer gets the top of its
 * ladder); then:
 * <ul>
 *   <li><b>Periodic</b> ("ALR" probing): every {@link Config#intervalNanos} a cluster at
 *       {@link Config#scale} × the estimate, so a link whose cap lifted is found within that
 *       interval plus a feedback round;</li>
 *   <li><b>Exponential</b>: a cluster that came through is followed at once by one at
 *       {@code scale} × the raised estimate, up to the maximum; one that did not ends the
 *       series until the next period;</li>
 *   <li><b>After a drop</b>: when the estimate falls under {@link Config#dropRatio} of what it was
 *       within the last {@link Config#dropWindowNanos} (an over-use, a burst of loss), one cluster
 *       at {@link Config#dropProbeRatio} × the earlier estimate after {@link Config#dropDelayNanos},
 *       so a short upset does not cost a period;</li>
 *   <li>never a cluster while one is waiting for its verdict (at most {@link Config#timeoutNanos}),
 *       nor one not at least {@link Config#minGain} × the estimate.</li>
 * </ul>
 * Pure: every call carries its time. Not thread-safe.
 */
public final class ProbeController {

    /**
     * @param scale          a cluster's rate over the estimate
     * @param intervalNanos  periodic probing's period
     * @param timeoutNanos   how long a cluster's verdict is waited for
     * @param minGain        a cluster is worth sending only above this × the estimate
     * @param minPackets     packets per cluster at least
     * @param durationNanos  a cluster's duration at its rate at least
     * @param dropRatio      an estimate under this × the recent one is a drop
     * @param dropWindowNanos how far back "recent" goes
     * @param dropProbeRatio the cluster after a drop, × the estimate before it
     * @param dropDelayNanos how long after the drop it goes out
     */
    public record Config(double scale, long intervalNanos, long timeoutNanos, double minGain, int minPackets,
                         long durationNanos, double dropRatio, long dropWindowNanos, double dropProbeRatio,
                         long dropDelayNanos) {
        /** libwebrtc's factors (2×, 5 packets, a drop below 2/3 probed at 0.85), a 3 s period and 40 ms clusters. */
        public static final Config DEFAULT = new Config(2.0, 3_000_000_000L, 1_000_000_000L, 1.2, 5, 40_000_000L,
                0.66, 5_000_000_000L, 0.85, 1_000_000_000L);
    }

    private final Config config;
    private long maxBps;
    private int nextId;
    private ProbeCluster inFlight;
    private long inFlightSince;
    private long lastStartNanos = Long.MIN_VALUE;
    private boolean exponential;
    /** The highest estimate of the last drop window, and when it was seen. */
    private long recentBps = -1;
    private long recentNanos;
    /** A drop's probe: its rate and when it is due (MIN_VALUE: none). */
    private long dropProbeBps;
    private long dropProbeNanos = Long.MIN_VALUE;
    private volatile long clusters;
    private volatile long cameThrough;

    public ProbeController(Config config) {
        this.config = config;
    }

    /** Probing is wanted up to {@code bps} (0: not wanted). The first periodic cluster waits a period. */
    public void setMaxBps(long bps, long nowNanos) {
        if (bps > 0 && maxBps <= 0) {
            lastStartNanos = nowNanos;
            exponential = false;
        }
        maxBps = Math.max(0, bps);
    }

    public long maxBps() {
        return maxBps;
    }

    /**
     * The cluster to send now, or null. Call with every new estimate (after feedback) and from
     * time to time (the period).
     */
    public ProbeCluster next(long estimateBps, long nowNanos) {
        if (estimateBps <= 0) {
            return null;
        }
        trackDrop(estimateBps, nowNanos);
        if (maxBps <= 0) {
            return null;
        }
        if (inFlight != null) {
            if (nowNanos - inFlightSince < config.timeoutNanos()) {
                return null;
            }
            inFlight = null; // no verdict: as if it did not come through
            exponential = false;
        }
        long target;
        if (exponential || lastStartNanos == Long.MIN_VALUE || nowNanos - lastStartNanos >= config.intervalNanos()) {
            target = (long) (estimateBps * config.scale());
        } else if (dropProbeNanos != Long.MIN_VALUE && nowNanos >= dropProbeNanos
                && nowNanos - dropProbeNanos < config.dropWindowNanos()) {
            target = dropProbeBps;
            dropProbeNanos = Long.MIN_VALUE;
        } else {
            return null;
        }
        target = Math.min(target, maxBps);
        if (target < estimateBps * config.minGain()) {
            exponential = false; // nothing worth finding above the estimate
            return null;
        }
        int minBytes = (int) Math.max(1, target * config.durationNanos() / 8_000_000_000L);
        inFlight = new ProbeCluster(nextId, target, config.minPackets(), minBytes);
        nextId = nextId + 1 & 0x3FFF_FFFF;
        inFlightSince = nowNanos;
        lastStartNanos = nowNanos;
        exponential = false;
        clusters++;
        return inFlight;
    }

    /** A cluster's verdict (one this controller did not start is ignored). */
    public void onResult(ProbeBitrateEstimator.Result result) {
        if (inFlight == null || result.cluster().id() != inFlight.id()) {
            return;
        }
        inFlight = null;
        exponential = result.cameThrough();
        if (exponential) {
            cameThrough++;
        }
    }

    /** The sender could not send the cluster it was given (media first): it is not waited for. */
    public void abandon(ProbeCluster cluster) {
        if (inFlight != null && inFlight.id() == cluster.id()) {
            inFlight = null;
            exponential = false;
        }
    }

    private void trackDrop(long estimateBps, long nowNanos) {
        if (recentBps >= 0 && estimateBps < recentBps * config.dropRatio() && dropProbeNanos == Long.MIN_VALUE
                && nowNanos - recentNanos <= config.dropWindowNanos()) {
            dropProbeBps = (long) (recentBps * config.dropProbeRatio());
            dropProbeNanos = nowNanos + config.dropDelayNanos();
            recentBps = estimateBps; // one probe per drop
            recentNanos = nowNanos;
        }
        if (estimateBps >= recentBps || nowNanos - recentNanos > config.dropWindowNanos()) {
            recentBps = estimateBps;
            recentNanos = nowNanos;
        }
    }

    /** Whether a cluster waits for its verdict. */
    public boolean probing() {
        return inFlight != null;
    }

    /** Clusters started. */
    public long clusters() {
        return clusters;
    }

    /** Clusters that came through. */
    public long clustersCameThrough() {
        return cameThrough;
    }
}
