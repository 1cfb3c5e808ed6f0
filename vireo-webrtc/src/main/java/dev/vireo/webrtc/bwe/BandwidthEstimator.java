package dev.vireo.webrtc.bwe;

import dev.vireo.webrtc.rtcp.TransportCcFeedback;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A viewer's send-side bandwidth estimate, Google Congestion Control as in
 * draft-ietf-rmcat-gcc-02: the delay-based controller (§5: {@link InterArrival} groups,
 * {@link TrendlineEstimator}, {@link OveruseDetector}, {@link AimdRateController} on the
 * {@link AcknowledgedBitrate}) fed by transport-wide CC feedback matched against the
 * {@link SendHistory}, and the loss-based controller (§6, {@link LossBasedController}). The
 * estimate is the smaller of the two, and of the receiver's REMB (draft-alvestrand-rmcat-remb-03)
 * when one came in the last {@link #REMB_TIMEOUT_NANOS}.
 *
 * <p>Fallback: a viewer without transport-cc feedback is estimated from its REMB (the latest,
 * however old) and the receiver reports' fraction lost alone; with transport-cc (feedback in the
 * last {@link #TWCC_TIMEOUT_NANOS}), receiver report loss is ignored (the feedback counts the
 * same loss), and when feedback stops the delay-based estimate stays at its last value.
 *
 * <p>Pure: no socket, thread or clock of its own — every call carries the time (the session's
 * {@code System.nanoTime()}, or a simulated one in tests). Not thread-safe: one per session,
 * called on its event loop; only {@link #estimateBps()} may be read from another thread
 * ({@link #retransmissionBps()} too is for the loop).
 */
public final class BandwidthEstimator {

    /** A REMB older than this no longer bounds the estimate. */
    public static final long REMB_TIMEOUT_NANOS = 5_000_000_000L;
    /** Without transport-cc feedback for this long, receiver reports drive the loss-based part. */
    public static final long TWCC_TIMEOUT_NANOS = 2_000_000_000L;
    private static final long DEFAULT_RTT_NANOS = 100_000_000;

    /**
     * Bounds of the estimate.
     *
     * @param startBps the estimate before any feedback
     * @param minBps   never below this
     * @param maxBps   never above this
     */
    public record Config(long startBps, long minBps, long maxBps) {
        public static final Config DEFAULT = new Config(1_000_000, 50_000, 20_000_000);

        public Config {
            if (minBps <= 0 || minBps > startBps || startBps > maxBps) {
                throw new IllegalArgumentException("need 0 < min ≤ start ≤ max: " + minBps + ", " + startBps + ", " + maxBps);
            }
        }
    }

    private final Config config;
    private final SendHistory history = new SendHistory();
    private final InterArrival interArrival = new InterArrival();
    private final TrendlineEstimator trendline = new TrendlineEstimator();
    private final OveruseDetector detector = new OveruseDetector();
    private final AcknowledgedBitrate acknowledged = new AcknowledgedBitrate();
    private final AimdRateController aimd;
    private final LossBasedController lossBased;
    private final ProbeBitrateEstimator probes = new ProbeBitrateEstimator();
    /** Probe clusters' verdicts not yet taken by the prober, oldest first (at most one per cluster kept). */
    private final ArrayDeque<ProbeBitrateEstimator.Result> probeResults = new ArrayDeque<>();
    /** Written on the session's loop; volatile so stats and metrics may read it from any thread. */
    private volatile long target;
    private long rttNanos = DEFAULT_RTT_NANOS;
    private long rembBps = -1;
    private long rembNanos;
    private long lastFeedbackNanos = Long.MIN_VALUE;
    private BandwidthUsage usage = BandwidthUsage.NORMAL;
    /** {@link #retransmissionBps()}, set with {@link #target}. */
    private long retransmissionTarget;

    public BandwidthEstimator(Config config) {
        this.config = config;
        this.aimd = new AimdRateController(config.startBps(), config.minBps(), config.maxBps());
        this.lossBased = new LossBasedController(config.minBps(), config.maxBps());
        this.target = config.startBps();
        this.retransmissionTarget = target;
    }

    /** A packet carrying transport-wide sequence number {@code transportSequence} (its size on the wire) left. */
    public void onPacketSent(int transportSequence, int size, long nowNanos) {
        onPacketSent(transportSequence, size, nowNanos, -1);
    }

    /** The same, for a packet of probe cluster {@code probeCluster} ({@link #onProbeClusterStarted}; -1: none). */
    public void onPacketSent(int transportSequence, int size, long nowNanos, int probeCluster) {
        history.onPacketSent(transportSequence, size, nowNanos, probeCluster);
        if (probeCluster >= 0) {
            probes.onSent(probeCluster, size, nowNanos);
        }
    }

    /**
     * A probe cluster starts: when its feedback shows it came through (no loss, no delay growth:
     * {@link ProbeBitrateEstimator}) and the delay-based detector is not over-using, the estimate
     * rises to the rate it was delivered at.
     */
    public void onProbeClusterStarted(ProbeCluster cluster) {
        probes.onStarted(cluster);
    }

    /**
     * The oldest probe cluster verdict not taken yet, or null (each verdict once; the last
     * {@link ProbeBitrateEstimator#CLUSTERS} are kept when nobody takes them).
     */
    public ProbeBitrateEstimator.Result takeProbeResult() {
        return probeResults.poll();
    }

    /** A transport-wide CC feedback (RTPFB FMT 15) arrived. */
    public void onTransportFeedback(TransportCcFeedback feedback, long nowNanos) {
        List<PacketResult> results = history.onFeedback(feedback);
        if (results.isEmpty()) {
            return;
        }
        lastFeedbackNanos = nowNanos;
        List<PacketResult> received = new ArrayList<>(results.size());
        for (PacketResult r : results) {
            if (r.received()) {
                received.add(r);
            }
            if (r.probeCluster() >= 0) {
                probes.onResult(r);
            }
        }
        boolean judged = lossBased.onPackets(results.size(), results.size() - received.size());
        received.sort(Comparator.comparingLong(PacketResult::arrivalNanos));
        BandwidthUsage worst = null;
        for (PacketResult r : received) {
            acknowledged.onPacket(r.arrivalNanos(), r.size());
            InterArrival.Deltas d = interArrival.onPacket(r.sendNanos(), r.arrivalNanos());
            if (d != null) {
                trendline.update(d);
                BandwidthUsage u = detector.detect(trendline.modifiedTrend(), trendline.trend(),
                        d.sendDeltaNanos() / 1e6, d.arrivalNanos());
                if (worst != BandwidthUsage.OVERUSING) {
                    worst = u; // any over-use in this feedback counts, else the latest signal
                }
            }
        }
        if (worst != null) {
            usage = worst;
        }
        aimd.update(usage, acknowledged.bitrate(), rttNanos, nowNanos);
        if (judged) {
            lossBased.update(target, acknowledged.bitrate(), rttNanos, nowNanos);
        }
        for (ProbeBitrateEstimator.Result r; (r = probes.poll(nowNanos)) != null; ) {
            if (r.cameThrough() && usage != BandwidthUsage.OVERUSING) {
                // draft-ietf-rmcat-gcc-02 leaves probing out; libwebrtc sets both estimates to the result
                aimd.onProbe(r.bps());
                lossBased.onProbe(r.bps());
            }
            if (probeResults.size() >= ProbeBitrateEstimator.CLUSTERS) {
                probeResults.poll();
            }
            probeResults.add(r);
        }
        recompute(nowNanos);
    }

    /** A REMB (the receiver's estimate of what it can take) arrived. */
    public void onRemb(long bps, long nowNanos) {
        rembBps = bps;
        rembNanos = nowNanos;
        recompute(nowNanos);
    }

    /**
     * An RTCP receiver report block for our media arrived with its 8-bit fraction lost
     * (RFC 3550 §6.4.1: lost / expected · 256); used only without transport-cc feedback.
     */
    public void onReceiverReport(int fractionLost, long nowNanos) {
        if (twccActive(nowNanos)) {
            return;
        }
        lossBased.onFraction((fractionLost & 0xFF) / 256.0);
        lossBased.update(target, -1, rttNanos, nowNanos);
        recompute(nowNanos);
    }

    /** The round-trip time measured (RFC 3550 §6.4.1 LSR/DLSR); 100 ms until told. */
    public void onRtt(long rttNanos) {
        if (rttNanos > 0) {
            this.rttNanos = rttNanos;
        }
    }

    /** The estimate in bits per second. */
    public long estimateBps() {
        return target;
    }

    /** The delay-based part alone. */
    public long delayBasedBps() {
        return aimd.estimateBps();
    }

    /**
     * What retransmissions may be budgeted against: the delay-based estimate while transport-cc
     * feedback comes in, else the estimate. Retransmissions worsen a queue that is building (the
     * delay-based part sees it and falls), but random loss without a queue is what they repair:
     * the loss-based bound falls with random loss (§6 cannot tell it from congestion), and a
     * budget tied to it refused most retransmissions at 20 % random loss while the link had room
     * (docs/BENCHMARKS.md, loss matrix). The loss-based bound still drives the rendition (ABR).
     */
    public long retransmissionBps() {
        return retransmissionTarget;
    }

    /** The loss-based bound alone ({@code maxBps} while no heavy loss was seen). */
    public long lossBasedBps() {
        return lossBased.estimateBps();
    }

    /** The receiver's incoming rate from feedback, or -1. */
    public long acknowledgedBps() {
        return acknowledged.bitrate();
    }

    /** The last judged loss fraction (0–1). */
    public double lossFraction() {
        return lossBased.lossFraction();
    }

    /** The over-use detector's last signal. */
    public BandwidthUsage usage() {
        return usage;
    }

    private boolean twccActive(long nowNanos) {
        return lastFeedbackNanos != Long.MIN_VALUE && nowNanos - lastFeedbackNanos < TWCC_TIMEOUT_NANOS;
    }

    private void recompute(long nowNanos) {
        if (lastFeedbackNanos != Long.MIN_VALUE) {
            long delayBased = aimd.estimateBps(); // frozen at its last value if the feedback stopped
            if (rembBps >= 0 && nowNanos - rembNanos < REMB_TIMEOUT_NANOS) {
                delayBased = Math.min(delayBased, rembBps);
            }
            target = bounded(Math.min(lossBased.estimateBps(), delayBased));
            retransmissionTarget = bounded(delayBased);
        } else {
            // REMB-only, or nothing yet
            target = bounded(Math.min(lossBased.estimateBps(), rembBps >= 0 ? rembBps : config.startBps()));
            retransmissionTarget = target;
        }
    }

    private long bounded(long bps) {
        return Math.max(config.minBps(), Math.min(config.maxBps(), bps));
    }
}
