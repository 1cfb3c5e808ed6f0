package dev.vireo.webrtc.whep.probe;

import dev.vireo.core.LogContext;
import dev.vireo.core.StreamKey;
import dev.vireo.webrtc.bwe.BandwidthEstimator;
import dev.vireo.webrtc.bwe.ProbeBitrateEstimator;
import dev.vireo.webrtc.bwe.ProbeCluster;
import dev.vireo.webrtc.bwe.ProbeController;
import dev.vireo.webrtc.feedback.CongestionFeedback;
import dev.vireo.webrtc.pacing.BitrateProber;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bandwidth probing for a WHEP viewer that ABR moved down its ladder (issue 18), as libwebrtc
 * probes: renditions are fixed-rate, and GCC's estimate never rises far above what the viewer
 * acknowledges receiving, so a viewer moved down would stay down when its link recovers. While
 * ABR wants to know whether the link carries the ladder's top ({@code maxBps} > 0), a
 * {@link ProbeController} says when to send a probe cluster and at which rate (every few seconds
 * at twice the estimate, at once again at twice the raised estimate after one that came through,
 * and soon after a drop); the cluster's packets ({@link ProbePackets}: media packets again on the
 * RTX stream) leave at its rate ({@link BitrateProber}) tagged with its id, and the viewer's
 * {@link BandwidthEstimator} raises its estimate to the rate the cluster was delivered at when it
 * came through without loss or delay growth ({@link ProbeBitrateEstimator}).
 *
 * <p>A cluster is short (5 packets and 40 ms at least), so a capped link only sees a small burst
 * now and then. None starts while the pacer holds video (media first). What became of each is
 * counted ({@link ProbeOutcomes}: sent or abandoned, then its verdict) for the session's stats and
 * the metrics. On the session's loop: {@link #check} after every feedback and once a second; a
 * timer only while a cluster is sent.
 */
public final class ProbeClusters {

    private static final Logger log = LoggerFactory.getLogger(ProbeClusters.class);
    /** Probing goes this far above what the top needs, so the estimate lands clear of the up margin. */
    static final double HEADROOM = 1.25;

    private final EventExecutor executor;
    private final ProbePackets packets;
    private final CongestionFeedback congestion;
    private final LongSupplier topBps;
    private final StreamKey key;
    private final String id;
    private final ProbeController controller = new ProbeController(ProbeController.Config.DEFAULT);
    private final ProbeOutcomes outcomes;
    private BitrateProber prober;
    private ScheduledFuture<?> timer;
    private boolean stopped;
    private volatile boolean on;

    /**
     * @param topBps the rate the viewer's link must carry for the ladder's top (0: nothing to
     *               probe for: at the top, or a switch pending), asked at every check
     * @param onOutcome told of each cluster's outcomes as they are counted (the metrics)
     */
    public ProbeClusters(EventExecutor executor, ProbePackets packets, CongestionFeedback congestion,
                         LongSupplier topBps, Consumer<ProbeOutcomes.Outcome> onOutcome, StreamKey key, String id) {
        this.executor = executor;
        this.packets = packets;
        this.congestion = congestion;
        this.topBps = topBps;
        this.outcomes = new ProbeOutcomes(onOutcome);
        this.key = key;
        this.id = id;
    }

    /** Takes the estimator's verdicts and starts the next cluster when one is due. */
    public void check(long nowNanos) {
        if (stopped) {
            return;
        }
        BandwidthEstimator estimator = congestion.estimator();
        for (ProbeBitrateEstimator.Result r; (r = estimator.takeProbeResult()) != null; ) {
            controller.onResult(r);
            outcomes.verdict(r);
            log(r);
        }
        controller.setMaxBps((long) (topBps.getAsLong() * HEADROOM), nowNanos);
        on = controller.maxBps() > 0;
        if (prober != null) {
            return;
        }
        ProbeCluster cluster = controller.next(congestion.estimateBps(), nowNanos);
        if (cluster == null) {
            return;
        }
        if (packets.mediaQueued()) {
            controller.abandon(cluster);
            outcomes.abandoned();
            return;
        }
        estimator.onProbeClusterStarted(cluster);
        prober = new BitrateProber(cluster);
        sendDue();
    }

    /** Sends the cluster's packets that are due, then waits for the next. */
    private void sendDue() {
        timer = null;
        if (stopped || prober == null) {
            return;
        }
        long now = System.nanoTime();
        while (prober.nextSendNanos(now) <= now) {
            int n = packets.sendProbe(prober.cluster().id(), now);
            if (n <= 0) {
                if (prober.packets() == 0) { // nothing of it left: no verdict to wait for
                    controller.abandon(prober.cluster());
                    outcomes.abandoned();
                }
                prober = null; // media waits (or the transport refused): what went out gets its verdict
                return;
            }
            if (prober.packets() == 0) {
                outcomes.sent();
            }
            prober.onSent(n, now);
            if (prober.done()) {
                prober = null;
                return;
            }
        }
        timer = executor.schedule(this::sendDue, prober.nextSendNanos(now) - now, TimeUnit.NANOSECONDS);
    }

    /** A verdict: at info when the cluster raised the estimate (a climb), else at debug. */
    private void log(ProbeBitrateEstimator.Result r) {
        if (r.cameThrough() ? !log.isInfoEnabled() : !log.isDebugEnabled()) {
            return;
        }
        String line = "probe cluster " + r.cluster().id() + " at " + r.cluster().bps() / 1000 + " kbps: " + r.verdict()
                + " (sent at " + r.sendBps() / 1000 + " kbps, delivered at " + r.deliveredBps() / 1000 + " kbps, "
                + Math.round(r.lossFraction() * 100) + " % lost); estimate " + congestion.estimateBps() / 1000 + " kbps";
        LogContext.run(key, id, () -> {
            if (r.cameThrough()) {
                log.info(line);
            } else {
                log.debug(line);
            }
        });
    }

    /** Whether the viewer is being probed (below the top of its ladder). */
    public boolean on() {
        return on;
    }

    /** What became of the clusters so far. */
    public ProbeClusterStats stats() {
        return outcomes.stats();
    }

    public void stop() {
        stopped = true;
        on = false;
        prober = null;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
