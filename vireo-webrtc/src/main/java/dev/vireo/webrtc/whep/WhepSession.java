package dev.vireo.webrtc.whep;

import dev.vireo.core.MediaFrame;
import dev.vireo.core.SlowViewerPolicy;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.Subscriber;
import dev.vireo.core.Subscription;
import dev.vireo.webrtc.RtcTransport;
import dev.vireo.webrtc.bwe.BandwidthEstimator;
import dev.vireo.webrtc.feedback.CongestionFeedback;
import dev.vireo.webrtc.feedback.KeyframeRequests;
import dev.vireo.webrtc.feedback.NackResponder;
import dev.vireo.webrtc.feedback.ReportBlockStats;
import dev.vireo.webrtc.signaling.RtcSession;
import dev.vireo.webrtc.whep.probe.ProbeClusterStats;
import dev.vireo.webrtc.whep.probe.ProbeClusters;
import dev.vireo.webrtc.whep.retransmit.VideoRetransmitter;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WHEP viewer: a hub {@link Subscriber} on the event loop of its {@link RtcTransport}. Its
 * {@link ViewerRtp} turns the stream's frames into this viewer's RTP; its RTCP feedback goes
 * through its {@link ViewerFeedback} (NACKs answered with retransmissions, PLI/FIR, report and
 * bandwidth statistics, the bandwidth estimate).
 *
 * <p>Start: the viewer subscribes when the offer is answered and sends nothing until ICE and DTLS
 * complete; then its {@link GopBursts} send the stream's cached GOP at once, packed just before
 * the live edge (and again for a keyframe request, at most once a second). With a ladder, its
 * {@link RenditionSwitch} picks the rendition and {@link ProbeClusters} probe for the way back up.
 */
final class WhepSession extends RtcSession implements Subscriber, RenditionSwitch.Session {

    private static final Logger log = LoggerFactory.getLogger(WhepSession.class);

    private static final long REPORT_INTERVAL_MILLIS = 1000;

    private final SlowViewerPolicy policy;
    private final WhepMetrics metrics;
    private final Consumer<WhepSession> onGone;
    private final long createdNanos = System.nanoTime();
    private volatile Subscription subscription;
    private ViewerRtp rtp;
    private ViewerFeedback feedback;
    private GopBursts bursts;
    private CongestionFeedback congestion;
    /** The viewer's ABR, null without a ladder. Set before subscribing. */
    private volatile RenditionSwitch abr;
    /** Probe clusters to find the way back up the ladder, null without a ladder. */
    private ProbeClusters probe;
    private long lastRateBytes;
    private long lastRateNanos;
    /** What this viewer was sent over the last report interval, bit/s; -1 before one. */
    private volatile long sendBps = -1;
    private boolean streamHasVideo;
    private ScheduledFuture<?> reportTimer;

    WhepSession(String id, StreamKey key, SlowViewerPolicy policy, WhepMetrics metrics, Consumer<WhepSession> onGone) {
        super(id, key);
        this.policy = policy;
        this.metrics = metrics;
        this.onGone = onGone;
    }

    /**
     * From the signaling thread, before subscribing: the transport whose loop this session runs
     * on and what the answer agreed to send (published to the loop by the subscription).
     */
    void attach(RtcTransport rtc, MediaPlan plan) {
        transport(rtc);
        BandwidthEstimator estimator = new BandwidthEstimator(BandwidthEstimator.Config.DEFAULT);
        ViewerRtp out = new ViewerRtp(rtc, plan, key(), id(), estimator);
        feedback = new ViewerFeedback(out, plan.audioSsrc(), estimator, metrics, this::keyframeRequested);
        CongestionFeedback c = feedback.congestion();
        congestion = c;
        out.pace(c::estimateBps, c::retransmissionBps, () -> sendBps);
        bursts = new GopBursts(out, metrics, key(), id(), () -> subscription, () -> abr);
        this.rtp = out;
    }

    /** From the signaling thread, after a successful subscribe. */
    void subscribed(Subscription sub) {
        this.subscription = sub;
        if (isClosed()) {
            sub.close();
        }
    }

    @Override
    public String protocol() {
        return "whep";
    }

    @Override
    public EventExecutor executor() {
        return transport().executor();
    }

    // ---- frames from the hub ----

    @Override
    public void onFrame(MediaFrame frame) {
        if (isClosed() || frame.isData()) {
            return;
        }
        RenditionSwitch r = abr;
        if (r != null && !r.fromTop(frame, System.nanoTime())) {
            return; // video of the top rendition while the viewer gets a lower one
        }
        if (frame.isConfig()) {
            rtp.onConfig(frame);
            return;
        }
        deliver(frame, System.nanoTime());
    }

    /** A media frame of the rendition the viewer gets (video), or of its subscription (audio). */
    @Override
    public void deliver(MediaFrame frame, long now) {
        if (!isConnected() || bursts.sentAlready(frame)) {
            // Before the connection the GOP burst at connect starts the viewer (with live audio);
            // after it, video up to the burst's last frame went out with the burst.
            return;
        }
        if (!streamHasVideo) {
            Subscription sub = subscription;
            streamHasVideo = frame.isVideo() || sub != null && sub.stream().hasVideo();
        }
        switch (policy.decide(frame, transport().isWritable(), streamHasVideo, now)) {
            case SKIP -> {
            }
            case DISCONNECT -> {
                metrics.slowViewerDropped();
                close("the viewer could not take data for " + policy.blockedNanos(now) / 1_000_000 + " ms");
            }
            case DELIVER -> {
                long before = rtp.bytesSent();
                if (frame.isVideo()) {
                    rtp.sendLiveVideo(frame, now);
                } else if (frame.isAudio()) {
                    rtp.sendAudio(frame, now);
                }
                metrics.bytesOut(rtp.bytesSent() - before);
                metrics.egressDelay(System.nanoTime() - frame.ingestNanos());
            }
        }
    }

    /**
     * From the signaling thread, before subscribing: the lower renditions (highest first) this
     * viewer may be moved to when its estimate stays below what it is sent.
     */
    void renditions(StreamHub hub, List<Rendition> lower) {
        if (lower.isEmpty()) {
            return;
        }
        abr = new RenditionSwitch(hub, this, lower);
        probe = new ProbeClusters(transport().executor(), rtp.probePackets(), congestion, () -> {
            RenditionSwitch r = abr;
            return r == null || isClosed() ? 0 : r.probeTopBps();
        }, metrics::probeCluster, key(), id());
    }

    @Override
    public void videoConfig(MediaFrame config) {
        rtp.onConfig(config);
    }

    @Override
    public void rebase(long keyframePts, long now) {
        rtp.rebaseVideo(keyframePts, now);
    }

    @Override
    public void onEnd(String reason) {
        close("the stream ended: " + reason);
    }

    // ---- transport events ----

    @Override
    protected void connected(long now) {
        reportTimer = transport().executor().scheduleAtFixedRate(() -> {
            if (!isClosed()) {
                try {
                    rtp.sendReports();
                    measure(System.nanoTime());
                } catch (RuntimeException e) {
                    // a periodic task that throws is cancelled without a word: say why reports stop
                    inContext(() -> log.warn("sender reports failed", e));
                }
            }
        }, REPORT_INTERVAL_MILLIS, REPORT_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        bursts.start(policy, transport().remoteAddress(), now);
    }

    @Override
    protected void rtcp(ByteBuf compound, long now) {
        feedback.receive(compound, now);
        RenditionSwitch r = abr;
        if (r != null && isConnected()) {
            r.onEstimate(congestion.estimateBps(), this::topBps, now);
            ProbeClusters p = probe;
            if (p != null) {
                p.check(now); // a cluster's verdict comes with feedback: the next one may follow at once
            }
        }
    }

    /**
     * The bitrate of what the viewer subscribed to (the top of its ladder), as the stream measures
     * it, once the viewer has been sent for a second; -1 before. (What the viewer was sent in its
     * first second includes the start-up GOP burst: up to 5 Mbps measured for a 1.2 Mbps stream.)
     */
    private long topBps() {
        Subscription sub = subscription;
        if (sub == null || sendBps <= 0) {
            return -1;
        }
        double kbps = sub.stream().stats().bitrateKbps();
        return kbps > 0 ? (long) (kbps * 1000) : sendBps;
    }

    /** PLI/FIR: the cached GOP again (at most once a second), or the publisher is asked for a keyframe. */
    private void keyframeRequested(String kind, long now) {
        metrics.keyframeRequest();
        if (isConnected()) {
            bursts.onRequest(kind, now);
        }
    }

    /** Once per report interval: the rate sent, and the estimate into the metrics' distribution. */
    private void measure(long now) {
        long bytes = rtp.bytesSent();
        if (lastRateNanos != 0 && now > lastRateNanos) {
            sendBps = (bytes - lastRateBytes) * 8_000_000_000L / (now - lastRateNanos);
        }
        lastRateBytes = bytes;
        lastRateNanos = now;
        long estimate = congestion.estimateBps();
        if (estimate >= 0) {
            metrics.bandwidthEstimate(estimate);
        }
        if (probe != null) {
            probe.check(now);
        }
    }

    /**
     * The viewer's bandwidth estimate is below what it was sent over the last second (its
     * stream's bitrate, as this viewer gets it): a viewer the link cannot carry.
     */
    boolean belowSendRate() {
        long estimate = congestion == null ? -1 : congestion.estimateBps();
        long rate = sendBps;
        return estimate >= 0 && rate > 0 && estimate < rate;
    }

    // ---- ending ----

    @Override
    protected void ended(String reason) {
        if (reportTimer != null) {
            reportTimer.cancel(false);
        }
        Subscription sub = subscription;
        if (sub != null) {
            sub.close();
        }
        if (rtp != null) {
            rtp.close();
        }
        if (abr != null) {
            abr.close();
        }
        if (probe != null) {
            probe.stop();
        }
        NackResponder nacks = feedback == null ? null : feedback.nacks();
        KeyframeRequests keyframeRequests = feedback == null ? null : feedback.keyframeRequests();
        inContext(() -> log.info("WHEP session of {} ended: {} ({} frames, {} retransmissions, {} keyframe requests)",
                key(), reason, rtp == null ? 0 : rtp.framesSent(), nacks == null ? 0 : nacks.retransmitted(),
                keyframeRequests == null ? 0 : keyframeRequests.pli() + keyframeRequests.fir()));
        onGone.accept(this);
    }

    WhepSessionStats stats() {
        RtcTransport t = transport();
        RtcTransport.Stats ts = t == null ? null : t.stats();
        ViewerRtp out = rtp;
        ViewerFeedback f = feedback;
        ReportBlockStats r = f == null ? null : f.reports();
        NackResponder nacks = f == null ? null : f.nacks();
        NackResponder audioNacks = f == null ? null : f.audioNacks();
        KeyframeRequests keyframes = f == null ? null : f.keyframeRequests();
        CongestionFeedback c = congestion;
        RenditionSwitch a = abr;
        VideoRetransmitter rtx = out == null ? null : out.retransmitter();
        PacedEgress egress = out == null ? null : out.egress();
        long first = out == null ? -1 : out.firstFrameNanos();
        return new WhepSessionStats(id(), key().path(), ts == null ? null : ts.remoteAddress(),
                ts == null ? null : ts.srtpProfile(), ts != null && ts.connected(), ts == null ? -1 : ts.connectMillis(),
                first < 0 ? -1 : (first - createdNanos) / 1_000_000, out == null ? 0 : out.framesSent(),
                out == null ? 0 : out.keyframesSent(), ts == null ? 0 : ts.packetsSent(),
                out == null ? 0 : out.bytesSent(), nacks == null ? 0 : nacks.nacked(),
                nacks == null ? 0 : nacks.retransmitted(), keyframes == null ? 0 : keyframes.pli(),
                keyframes == null ? 0 : keyframes.fir(), bursts == null ? 0 : bursts.gopResends(), r == null ? -1 : r.rttMillis(),
                r == null ? -1 : r.fractionLost(), r == null ? 0 : r.cumulativeLost(), r == null ? -1 : r.jitter(),
                f == null ? -1 : f.bandwidth().rembBitrate(), f == null ? 0 : f.bandwidth().twccFeedbacks(),
                f == null ? 0 : f.bandwidth().twccNotReceived(),
                policy.skippedFrames(), ts == null ? 0 : ts.checks(), bursts == null ? 0 : bursts.keyframesAsked(), endReason(),
                c == null ? -1 : c.estimateBps(), c == null ? -1 : c.estimator().delayBasedBps(),
                c == null ? -1 : c.estimator().acknowledgedBps(), sendBps, egress == null ? 0 : egress.pacedPackets(),
                a == null ? null : a.currentName(), a == null ? 0 : a.switches(),
                out == null ? 0 : out.redPackets(), out == null ? 0 : out.redBlocks(), out == null ? 0 : out.fecPackets(),
                f != null && f.fecOn(), rtx == null ? 0 : rtx.notInHistory(), rtx == null ? 0 : rtx.resentRecently(),
                rtx == null ? 0 : rtx.refused(), rtx == null ? 0 : rtx.nacksOfPreviousRendition(),
                egress == null ? 0 : egress.queuedPackets(), egress == null ? 0 : egress.queueDelayMillis(),
                out == null || out.probePackets() == null ? 0 : out.probePackets().bytes(), probe != null && probe.on(),
                audioNacks == null ? 0 : audioNacks.nacked(), audioNacks == null ? 0 : audioNacks.retransmitted(),
                probe == null ? ProbeClusterStats.NONE : probe.stats());
    }
}
