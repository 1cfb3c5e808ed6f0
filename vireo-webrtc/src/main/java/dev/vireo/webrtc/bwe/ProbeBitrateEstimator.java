package dev.vireo.webrtc.bwe;

/**
 * What a probe cluster's transport-cc feedback says of the link (as libwebrtc's
 * ProbeBitrateEstimator reads it): the rate the cluster was sent at (its bytes but the last
 * packet's over the span of its send times) and the rate it was delivered at (its bytes but the
 * first received packet's over the span of its arrival times). A cluster <b>came through</b> when
 * at least {@link #MIN_RECEIVED_SHARE} of its minimum packets and bytes arrived, at most
 * {@link #MAX_LOSS} of its packets were lost, and it arrived at least as fast as
 * {@link #MIN_DELIVERED_RATIO} × the send rate. Then the link carries {@code min(sent, delivered)},
 * or, when the arrivals spread a little ({@link #UNSATURATED_RATIO}: the cluster just filled the
 * link), {@link #SATURATED_SHARE} × the delivered rate. Arrivals spread further (delay growth: the
 * cluster filled a queue), loss, too few packets, or spans that make no sense (zero, over a
 * second, arrivals more than twice as fast as the sends) give no rate.
 *
 * <p>A verdict is given once per cluster: when every packet sent in it has been reported (received
 * or lost), or when feedback arrives {@link #TIMEOUT_NANOS} after its last packet was sent. Keeps
 * the last {@link #CLUSTERS} clusters. Pure; not thread-safe.
 */
public final class ProbeBitrateEstimator {

    /** Share of a cluster's minimum packets and bytes that must arrive for a verdict. */
    public static final double MIN_RECEIVED_SHARE = 0.8;
    /** Share of a cluster's packets that may be lost for it to count as come through. */
    public static final double MAX_LOSS = 0.10;
    /** Delivered rate / send rate under which the cluster shows delay growth (a queue filled). */
    public static final double MIN_DELIVERED_RATIO = 0.8;
    /** Delivered rate / send rate at or above which the link was not saturated by the cluster. */
    public static final double UNSATURATED_RATIO = 0.9;
    /** The share of the delivered rate taken when the cluster saturated the link (libwebrtc's 0.95). */
    public static final double SATURATED_SHARE = 0.95;
    /** Delivered rate / send rate above which the measurement is not believed. */
    public static final double MAX_DELIVERED_RATIO = 2.0;
    public static final long MAX_SPAN_NANOS = 1_000_000_000L;
    public static final long TIMEOUT_NANOS = 1_000_000_000L;
    static final int CLUSTERS = 8;

    /** Why a cluster gave the rate it gave, or none. */
    public enum Verdict { CAME_THROUGH, DELAY_GROWTH, LOSS, TOO_FEW, INVALID }

    /**
     * A cluster's verdict.
     *
     * @param sendBps      the rate it was sent at (-1 when not measurable)
     * @param deliveredBps the rate it arrived at (-1 when not measurable)
     * @param lossFraction the share of its packets reported lost
     * @param bps          the rate the link carries, when it came through; else -1
     */
    public record Result(ProbeCluster cluster, Verdict verdict, long sendBps, long deliveredBps, double lossFraction,
                         long bps) {

        public boolean cameThrough() {
            return verdict == Verdict.CAME_THROUGH;
        }
    }

    private static final class Cluster {
        final ProbeCluster spec;
        int sent;
        long sentBytes;
        long firstSend = Long.MAX_VALUE;
        long lastSend = Long.MIN_VALUE;
        int lastSentSize;
        int reported;
        int lost;
        int received;
        long receivedBytes;
        long firstArrival = Long.MAX_VALUE;
        long lastArrival = Long.MIN_VALUE;
        int firstReceivedSize;
        boolean done;

        Cluster(ProbeCluster spec) {
            this.spec = spec;
        }
    }

    private final Cluster[] clusters = new Cluster[CLUSTERS];

    /** A cluster starts: its packets will be {@link #onSent sent} and reported. */
    public void onStarted(ProbeCluster cluster) {
        clusters[cluster.id() % CLUSTERS] = new Cluster(cluster);
    }

    /** A packet of cluster {@code id} left. */
    public void onSent(int id, int size, long sendNanos) {
        Cluster c = find(id);
        if (c == null || c.done) {
            return;
        }
        c.sent++;
        c.sentBytes += size;
        c.firstSend = Math.min(c.firstSend, sendNanos);
        if (sendNanos >= c.lastSend) {
            c.lastSend = sendNanos;
            c.lastSentSize = size;
        }
    }

    /** Feedback on a packet of a cluster ({@link PacketResult#probeCluster()} ≥ 0). */
    public void onResult(PacketResult r) {
        Cluster c = find(r.probeCluster());
        if (c == null || c.done) {
            return;
        }
        c.reported++;
        if (!r.received()) {
            c.lost++;
            return;
        }
        c.received++;
        c.receivedBytes += r.size();
        if (r.arrivalNanos() < c.firstArrival) {
            c.firstArrival = r.arrivalNanos();
            c.firstReceivedSize = r.size();
        }
        c.lastArrival = Math.max(c.lastArrival, r.arrivalNanos());
    }

    /**
     * The verdict of a cluster that is complete (every packet reported) or timed out, at most one
     * per call (the oldest), or null.
     */
    public Result poll(long nowNanos) {
        for (Cluster c : clusters) {
            if (c != null && !c.done && c.sent > 0
                    && (c.reported >= c.sent || nowNanos - c.lastSend >= TIMEOUT_NANOS)) {
                c.done = true;
                return verdict(c);
            }
        }
        return null;
    }

    private Cluster find(int id) {
        if (id < 0) {
            return null;
        }
        Cluster c = clusters[id % CLUSTERS];
        return c != null && c.spec.id() == id ? c : null;
    }

    private static Result verdict(Cluster c) {
        double loss = c.sent == 0 ? 0 : (double) (c.sent - c.received) / c.sent;
        long sendSpan = c.lastSend - c.firstSend;
        long receiveSpan = c.lastArrival - c.firstArrival;
        long sendBps = sendSpan > 0 ? (long) ((c.sentBytes - c.lastSentSize) * 8e9 / sendSpan) : -1;
        long deliveredBps = c.received > 1 && receiveSpan > 0
                ? (long) ((c.receivedBytes - c.firstReceivedSize) * 8e9 / receiveSpan) : -1;
        Verdict v;
        if (loss > MAX_LOSS) {
            v = Verdict.LOSS;
        } else if (c.received < MIN_RECEIVED_SHARE * c.spec.minPackets()
                || c.receivedBytes < MIN_RECEIVED_SHARE * c.spec.minBytes()) {
            v = Verdict.TOO_FEW;
        } else if (sendBps <= 0 || deliveredBps <= 0 || sendSpan > MAX_SPAN_NANOS || receiveSpan > MAX_SPAN_NANOS
                || deliveredBps > MAX_DELIVERED_RATIO * sendBps) {
            v = Verdict.INVALID;
        } else if (deliveredBps < MIN_DELIVERED_RATIO * sendBps) {
            v = Verdict.DELAY_GROWTH;
        } else {
            v = Verdict.CAME_THROUGH;
        }
        long bps = v != Verdict.CAME_THROUGH ? -1 : deliveredBps < UNSATURATED_RATIO * sendBps
                ? (long) (SATURATED_SHARE * deliveredBps) : Math.min(sendBps, deliveredBps);
        return new Result(c.spec, v, sendBps, deliveredBps, loss, bps);
    }
}
