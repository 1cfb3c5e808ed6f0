package dev.vireo.webrtc.whep;

import dev.vireo.core.LogContext;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.SlowViewerPolicy;
import dev.vireo.core.StreamKey;
import dev.vireo.core.Subscriber;
import dev.vireo.core.Subscription;
import dev.vireo.webrtc.RtcTransport;
import dev.vireo.webrtc.feedback.BandwidthStats;
import dev.vireo.webrtc.feedback.FecOnLoss;
import dev.vireo.webrtc.feedback.KeyframeRequests;
import dev.vireo.webrtc.feedback.NackResponder;
import dev.vireo.webrtc.feedback.ReportBlockStats;
import dev.vireo.webrtc.feedback.RtcpChain;
import dev.vireo.webrtc.rtcp.RtcpException;
import dev.vireo.webrtc.signaling.SessionResources;
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
 * through a {@link RtcpChain} (NACKs answered with retransmissions, PLI/FIR, report and bandwidth
 * statistics).
 *
 * <p>Start: the viewer subscribes when the offer is answered and sends nothing until ICE and DTLS
 * complete; then it sends the stream's cached GOP ({@code Stream#cachedGop}: core's GOP cache is
 * the one GOP store) at once, packed just before the live edge, so the browser decodes the
 * keyframe and what followed and renders at the live edge, not one GOP behind. Live frames the
 * burst carried already are not sent again.
 *
 * <p>The same burst recovers a viewer that asks for a keyframe (PLI/FIR, RFC 4585 §6.3.1, RFC
 * 5104 §4.3.1), at most once a second: a publisher over RTMP cannot be asked for one. When no
 * keyframe is cached (a WHIP publisher's long GOP), the request goes on to the publisher through
 * the hub ({@code Stream#requestKeyframe}, coalesced per stream).
 */
final class WhepSession implements Subscriber, SessionResources.Resource {

    private static final Logger log = LoggerFactory.getLogger(WhepSession.class);

    private static final long KEYFRAME_RESEND_INTERVAL_NANOS = 1_000_000_000L;
    private static final long REPORT_INTERVAL_MILLIS = 1000;

    private final String id;
    private final StreamKey key;
    private final SlowViewerPolicy policy;
    private final WhepMetrics metrics;
    private final Consumer<WhepSession> onGone;
    private final long createdNanos = System.nanoTime();
    private final BandwidthStats bandwidth = new BandwidthStats();
    private volatile RtcTransport transport;
    private volatile Subscription subscription;
    private ViewerRtp rtp;
    private RtcpChain feedback;
    private NackResponder nacks;
    private KeyframeRequests keyframeRequests;
    private ReportBlockStats reports;
    private FecOnLoss fec;
    private boolean connected;
    private boolean streamHasVideo;
    private volatile boolean closed;
    /** The dts of the last frame a GOP burst sent: live video up to it went out already. */
    private long burstDts = Long.MIN_VALUE;
    private long lastKeyframeResendNanos = Long.MIN_VALUE;
    private ScheduledFuture<?> reportTimer;
    private volatile long gopResends;
    private volatile long keyframesAsked;
    private volatile String endReason;

    WhepSession(String id, StreamKey key, SlowViewerPolicy policy, WhepMetrics metrics, Consumer<WhepSession> onGone) {
        this.id = id;
        this.key = key;
        this.policy = policy;
        this.metrics = metrics;
        this.onGone = onGone;
    }

    /**
     * From the signaling thread, before subscribing: the transport whose loop this session runs
     * on and what the answer agreed to send (published to the loop by the subscription).
     */
    void attach(RtcTransport rtc, MediaPlan plan) {
        this.transport = rtc;
        ViewerRtp out = new ViewerRtp(rtc, plan, key, id);
        RtcpChain.Builder chain = RtcpChain.builder();
        if (out.hasVideo()) {
            reports = new ReportBlockStats(out.videoSsrc());
            nacks = new NackResponder(out.videoSsrc(), out::retransmit, reports::rttNanos, metrics::nacked,
                    metrics::retransmission);
            keyframeRequests = new KeyframeRequests(out.videoSsrc(), this::keyframeRequested);
            chain.add(reports).add(nacks).add(keyframeRequests);
            if (out.canFec()) {
                fec = new FecOnLoss(out.videoSsrc());
                out.fec(fec::groupSize);
                chain.add(fec);
            }
        }
        this.feedback = chain.add(bandwidth).build();
        this.rtp = out;
    }

    /** From the signaling thread, after a successful subscribe. */
    void subscribed(Subscription sub) {
        this.subscription = sub;
        if (closed) {
            sub.close();
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String protocol() {
        return "whep";
    }

    public StreamKey key() {
        return key;
    }

    @Override
    public RtcTransport transport() {
        return transport;
    }

    @Override
    public EventExecutor executor() {
        return transport.executor();
    }

    // ---- frames from the hub ----

    @Override
    public void onFrame(MediaFrame frame) {
        if (closed || frame.isData()) {
            return;
        }
        if (frame.isConfig()) {
            rtp.onConfig(frame);
            return;
        }
        if (!connected || frame.isVideo() && frame.dts() <= burstDts) {
            // Before the connection the GOP burst at connect starts the viewer (with live audio);
            // after it, video up to the burst's last frame went out with the burst.
            return;
        }
        long now = System.nanoTime();
        if (!streamHasVideo) {
            Subscription sub = subscription;
            streamHasVideo = frame.isVideo() || sub != null && sub.stream().hasVideo();
        }
        switch (policy.decide(frame, transport.isWritable(), streamHasVideo, now)) {
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

    @Override
    public void onEnd(String reason) {
        close("the stream ended: " + reason);
    }

    /** The video frames of the stream's cached GOP (retained: {@link #sendGop} releases them), oldest first. */
    private List<MediaFrame> cachedGop() {
        Subscription sub = subscription;
        if (!rtp.hasVideo() || sub == null) {
            return List.of();
        }
        List<MediaFrame> gop = sub.stream().cachedGop();
        gop.removeIf(f -> {
            if (f.isVideo()) {
                return false;
            }
            f.release();
            return true;
        });
        return gop;
    }

    private void sendGop(List<MediaFrame> gop, boolean startUp, long now) {
        try {
            long before = rtp.bytesSent();
            rtp.sendGop(gop, startUp, now);
            metrics.bytesOut(rtp.bytesSent() - before);
            burstDts = Math.max(burstDts, gop.getLast().dts());
        } finally {
            gop.forEach(MediaFrame::release);
        }
    }

    // ---- transport events ----

    @Override
    public void onConnected() {
        if (closed) {
            return;
        }
        connected = true;
        long now = System.nanoTime();
        reportTimer = transport.executor().scheduleAtFixedRate(() -> {
            if (!closed) {
                rtp.sendReports();
            }
        }, REPORT_INTERVAL_MILLIS, REPORT_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        List<MediaFrame> gop = cachedGop();
        if (!gop.isEmpty()) {
            for (MediaFrame f : gop) {
                policy.decide(f, true, true, now);
            }
            int frames = gop.size();
            sendGop(gop, true, now);
            inContext(() -> log.info("playing {} to {}: started with {} frame(s) of the current GOP", key,
                    transport.remoteAddress(), frames));
        } else {
            if (rtp.hasVideo()) {
                askPublisherForKeyframe();
            }
            inContext(() -> log.info("playing {} to {}: waiting for a keyframe", key, transport.remoteAddress()));
        }
    }

    @Override
    public void onRtcp(ByteBuf compound) {
        try {
            feedback.receive(compound, System.nanoTime());
        } catch (RtcpException e) {
            inContext(() -> log.debug("ignoring malformed RTCP: {}", e.getMessage()));
        }
    }

    /** PLI/FIR: the cached GOP again (at most once a second), or the publisher is asked for a keyframe. */
    private void keyframeRequested(String kind, long now) {
        metrics.keyframeRequest();
        boolean recently = lastKeyframeResendNanos != Long.MIN_VALUE
                && now - lastKeyframeResendNanos < KEYFRAME_RESEND_INTERVAL_NANOS;
        if (!connected || recently) {
            return;
        }
        List<MediaFrame> gop = cachedGop();
        if (gop.isEmpty()) {
            askPublisherForKeyframe();
            return;
        }
        lastKeyframeResendNanos = now;
        gopResends++;
        int frames = gop.size();
        inContext(() -> log.debug("{}: resending the GOP ({} frames)", kind, frames));
        sendGop(gop, false, now);
    }

    private void askPublisherForKeyframe() {
        Subscription sub = subscription;
        if (sub != null && sub.stream().requestKeyframe(id)) {
            keyframesAsked++;
        }
    }

    // ---- ending ----

    @Override
    public void onClosed(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        endReason = reason;
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
        inContext(() -> log.info("WHEP session of {} ended: {} ({} frames, {} retransmissions, {} keyframe requests)",
                key, reason, rtp == null ? 0 : rtp.framesSent(), nacks == null ? 0 : nacks.retransmitted(),
                keyframeRequests == null ? 0 : keyframeRequests.pli() + keyframeRequests.fir()));
        onGone.accept(this);
    }

    boolean isClosed() {
        return closed;
    }

    WhepSessionStats stats() {
        RtcTransport t = transport;
        RtcTransport.Stats ts = t == null ? null : t.stats();
        ViewerRtp out = rtp;
        ReportBlockStats r = reports;
        long first = out == null ? -1 : out.firstFrameNanos();
        return new WhepSessionStats(id, key.path(), ts == null ? null : ts.remoteAddress(),
                ts == null ? null : ts.srtpProfile(), ts != null && ts.connected(), ts == null ? -1 : ts.connectMillis(),
                first < 0 ? -1 : (first - createdNanos) / 1_000_000, out == null ? 0 : out.framesSent(),
                out == null ? 0 : out.keyframesSent(), ts == null ? 0 : ts.packetsSent(),
                out == null ? 0 : out.bytesSent(), nacks == null ? 0 : nacks.nacked(),
                nacks == null ? 0 : nacks.retransmitted(), keyframeRequests == null ? 0 : keyframeRequests.pli(),
                keyframeRequests == null ? 0 : keyframeRequests.fir(), gopResends, r == null ? -1 : r.rttMillis(),
                r == null ? -1 : r.fractionLost(), r == null ? 0 : r.cumulativeLost(), r == null ? -1 : r.jitter(),
                bandwidth.rembBitrate(), bandwidth.twccFeedbacks(), bandwidth.twccNotReceived(),
                policy.skippedFrames(), ts == null ? 0 : ts.checks(), keyframesAsked, endReason,
                out == null ? 0 : out.redPackets(), out == null ? 0 : out.redBlocks(), out == null ? 0 : out.fecPackets(),
                fec != null && fec.on(), out == null ? 0 : out.nacksNotInHistory(),
                out == null ? 0 : out.nacksResentRecently());
    }

    private void inContext(Runnable logStatement) {
        LogContext.run(key, id, logStatement);
    }
}
