package dev.vireo.webrtc.whep;

import dev.vireo.core.LogContext;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.SlowViewerPolicy;
import dev.vireo.core.StreamKey;
import dev.vireo.core.Subscriber;
import dev.vireo.core.Subscription;
import dev.vireo.media.Codec;
import dev.vireo.webrtc.RtcTransport;
import dev.vireo.webrtc.rtcp.FullIntraRequest;
import dev.vireo.webrtc.rtcp.GenericNack;
import dev.vireo.webrtc.rtcp.NtpTime;
import dev.vireo.webrtc.rtcp.PictureLossIndication;
import dev.vireo.webrtc.rtcp.ReceiverEstimatedMaxBitrate;
import dev.vireo.webrtc.rtcp.ReceiverReport;
import dev.vireo.webrtc.rtcp.ReportBlock;
import dev.vireo.webrtc.rtcp.RtcpCompound;
import dev.vireo.webrtc.rtcp.RtcpException;
import dev.vireo.webrtc.rtcp.RtcpPacket;
import dev.vireo.webrtc.rtcp.SenderReport;
import dev.vireo.webrtc.rtcp.SourceDescription;
import dev.vireo.webrtc.rtcp.TransportCcFeedback;
import dev.vireo.webrtc.rtp.RtpHeaderWriter;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.IntSupplier;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WHEP viewer: a hub {@link Subscriber} on the event loop of its {@link RtcTransport}, which
 * turns the stream's frames into this viewer's RTP (the payloads are the stream's shared ones;
 * SSRCs, sequence numbers, timestamps and SRTP are per viewer), answers NACKs with
 * retransmissions, PLI/FIR with the current GOP, and sends sender reports.
 *
 * <p>Start: the viewer subscribes when the offer is answered, keeps the frames since the latest
 * keyframe while ICE and DTLS complete, and then sends that GOP at once with timestamps packed
 * just before the live frame, so the browser decodes the keyframe and everything after it and
 * renders at the live edge, not one GOP behind.
 *
 * <p>The same "send the GOP" recovers a viewer that asks for a keyframe (PLI/FIR, RFC 4585
 * §6.3.1, RFC 5104 §4.3.1): a publisher over RTMP cannot be asked for one, so the viewer gets the
 * last keyframe and the frames that followed it again, which leaves its decoder exactly where the
 * live stream is (rate-limited to one per second).
 */
final class WhepSession implements Subscriber, RtcTransport.Listener {

    private static final Logger log = LoggerFactory.getLogger(WhepSession.class);

    /** Bound on the frames kept since the last keyframe; beyond it recovery waits for the next one. */
    private static final int MAX_GOP_FRAMES = 900;
    private static final long KEYFRAME_RESEND_INTERVAL_NANOS = 1_000_000_000L;
    private static final long REPORT_INTERVAL_MILLIS = 1000;
    /** Frames kept for retransmission (at most): 2 s of 120 fps video, or a start-up GOP burst. */
    private static final int HISTORY_FRAMES = 256;
    private static final long HISTORY_AGE_NANOS = 2_000_000_000L;
    private static final int MAX_AUDIO_PAYLOAD = 1200;

    /** Counters shared by every session, in the meter registry. */
    record Metrics(LongConsumer bytesOut, Runnable retransmission, IntConsumer nacked,
                   Runnable keyframeRequest, Runnable slowViewerDropped, LongConsumer egressDelayNanos) {
    }

    private final String id;
    private final StreamKey key;
    private MediaPlan plan;
    private final SlowViewerPolicy policy;
    private final Metrics metrics;
    private final Consumer<WhepSession> onGone;
    private final long createdNanos = System.nanoTime();
    private final List<MediaFrame> gop = new ArrayList<>();
    private volatile RtcTransport transport;
    private volatile Subscription subscription;
    private RtpSender video;
    private RtpSender audio;
    private MediaFrame videoConfig;
    private boolean connected;
    private boolean streamHasVideo;
    private volatile boolean closed;
    private boolean audioCodecReported;
    private boolean videoCodecReported;
    private boolean encodeFailureReported;
    private long anchorMediaMillis;
    private long anchorNanos = -1;
    private int transportSequence;
    private final IntSupplier transportSequences = this::nextTransportSequence;
    private long lastKeyframeResendNanos = Long.MIN_VALUE;
    private ScheduledFuture<?> reports;

    // Statistics: written on the loop, read anywhere (approximate).
    private volatile long firstFrameNanos = -1;
    private volatile long framesSent;
    private volatile long keyframesSent;
    private volatile long bytesSent;
    private volatile long nacksReceived;
    private volatile long retransmitted;
    private volatile long pliReceived;
    private volatile long firReceived;
    private volatile long gopResends;
    private volatile long rttMillis = -1;
    private long rttNanos = -1;
    private volatile int videoFractionLost = -1;
    private volatile long videoCumulativeLost;
    private volatile long videoJitter = -1;
    private volatile long rembBitrate = -1;
    private volatile long twccFeedbacks;
    private volatile long twccNotReceived;
    private volatile String endReason;

    WhepSession(String id, StreamKey key, SlowViewerPolicy policy, Metrics metrics, Consumer<WhepSession> onGone) {
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
    void attach(RtcTransport rtc, MediaPlan negotiated) {
        this.transport = rtc;
        this.plan = negotiated;
        SplittableRandom random = new SplittableRandom();
        RtpHeaderWriter header = new RtpHeaderWriter(plan.absSendTimeId(), plan.transportCcId());
        if (plan.hasVideo()) {
            video = new RtpSender(plan.videoSsrc(), plan.videoPayloadType(), 90_000, plan.rtxSsrc(),
                    plan.hasRtx() ? plan.rtxPayloadType() : -1, header,
                    plan.nack() ? new RetransmissionBuffer(HISTORY_FRAMES, HISTORY_AGE_NANOS) : null, random);
        }
        if (plan.hasAudio()) {
            audio = new RtpSender(plan.audioSsrc(), plan.audioPayloadType(), 48_000, 0, -1, header, null, random);
        }
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

    StreamKey key() {
        return key;
    }

    RtcTransport transport() {
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
            onConfig(frame);
            return;
        }
        if (!connected) {
            if (frame.isVideo()) {
                remember(frame);
            }
            // Audio before the connection is of the past: playback starts with live audio.
            return;
        }
        long now = System.nanoTime();
        if (!streamHasVideo) {
            Subscription sub = subscription;
            streamHasVideo = frame.isVideo() || sub != null && sub.stream().hasVideo();
        }
        switch (policy.decide(frame, transport.isWritable(), streamHasVideo, now)) {
            case SKIP -> {
                if (frame.isVideo()) {
                    remember(frame);
                }
            }
            case DISCONNECT -> {
                metrics.slowViewerDropped().run();
                close("the viewer could not take data for " + policy.blockedNanos(now) / 1_000_000 + " ms");
            }
            case DELIVER -> {
                if (frame.isVideo()) {
                    remember(frame);
                    sendVideo(frame, liveTimestamp(frame, now), now);
                } else if (frame.isAudio()) {
                    sendAudio(frame, now);
                }
                metrics.egressDelayNanos().accept(System.nanoTime() - frame.ingestNanos());
            }
        }
    }

    private void onConfig(MediaFrame frame) {
        if (frame.isVideo()) {
            if (VideoRtpEncoding.of(frame.codec()) == null || plan.hasVideo() && frame.codec() != plan.videoCodec()) {
                if (!videoCodecReported) {
                    videoCodecReported = true;
                    inContext(() -> log.warn("the stream's video is {}; this session plays {} (WHEP carries H.264"
                            + " and AV1)", frame.codec(), plan.hasVideo() ? plan.videoCodec() : "no video"));
                }
                return;
            }
            if (videoConfig != null) {
                videoConfig.release();
            }
            videoConfig = frame.retain();
        } else if (frame.isAudio() && frame.codec() != Codec.OPUS && audio != null && !audioCodecReported) {
            audioCodecReported = true;
            inContext(() -> log.info("no audio: the stream's audio is {} and WebRTC needs Opus; playing video only",
                    frame.codec()));
        }
    }

    /** Keeps the frames since the latest keyframe (references only), for start-up and recovery. */
    private void remember(MediaFrame frame) {
        if (frame.isKeyframe()) {
            clearGop();
        } else if (gop.isEmpty()) {
            return;
        }
        if (gop.size() >= MAX_GOP_FRAMES) {
            clearGop();
            return;
        }
        gop.add(frame.retain());
    }

    private void clearGop() {
        gop.forEach(MediaFrame::release);
        gop.clear();
    }

    /** The RTP timestamp of a live frame: its pts, kept above what was already sent. */
    private int liveTimestamp(MediaFrame frame, long now) {
        if (anchorNanos < 0) {
            anchorMediaMillis = frame.pts();
            anchorNanos = now;
        }
        int ts = video.timestamp(frame.pts());
        if (video.sentAny() && ts - video.lastTimestamp() <= 0) {
            ts = video.lastTimestamp() + 1;
        }
        return ts;
    }

    private void sendVideo(MediaFrame frame, int timestamp, long now) {
        VideoRtpEncoding encoding = VideoRtpEncoding.of(frame.codec());
        if (video == null || encoding == null || frame.codec() != plan.videoCodec()) {
            return;
        }
        ByteBuf payloads;
        ByteBuf parameterSets = null;
        try {
            payloads = frame.encoded(encoding);
            if (frame.isKeyframe() && videoConfig != null) {
                parameterSets = encoding.inFrontOfKeyframe(videoConfig, payloads);
            }
        } catch (RuntimeException e) {
            if (!encodeFailureReported) {
                encodeFailureReported = true;
                inContext(() -> log.warn("skipping {} frames that cannot be packetized: {}", frame.codec(),
                        e.getMessage()));
            }
            return;
        }
        long bytes = 0;
        if (parameterSets != null) {
            // SPS and PPS in front of every keyframe, same timestamp, no marker (RFC 6184 §5.1).
            bytes += sendPayloads(parameterSets, timestamp, true, now);
        }
        bytes += sendPayloads(payloads, timestamp, false, now);
        framesSent++;
        if (frame.isKeyframe()) {
            keyframesSent++;
        }
        if (firstFrameNanos < 0) {
            firstFrameNanos = now;
        }
        bytesSent += bytes;
        metrics.bytesOut().accept(bytes);
    }

    private long sendPayloads(ByteBuf payloads, int timestamp, boolean noMarker, long now) {
        return video.sendFrame(transport, payloads, noMarker, timestamp, transportSequences, now);
    }

    private void sendAudio(MediaFrame frame, long now) {
        if (audio == null || frame.codec() != Codec.OPUS) {
            return;
        }
        if (anchorNanos < 0) {
            anchorMediaMillis = frame.pts();
            anchorNanos = now;
        }
        ByteBuf payload = frame.payload();
        int len = payload.readableBytes();
        if (len == 0 || len > MAX_AUDIO_PAYLOAD) {
            return;
        }
        // RFC 7587 §4.2: one Opus packet per RTP packet, 48 kHz clock, marker unused without DTX.
        long bytes = audio.send(transport, payload, payload.readerIndex(), len, false, audio.timestamp(frame.pts()),
                nextTransportSequence(), now);
        bytesSent += bytes;
        metrics.bytesOut().accept(bytes);
    }

    private int nextTransportSequence() {
        int s = transportSequence;
        transportSequence = s + 1 & 0xFFFF;
        return s;
    }

    /** Sends the kept GOP with timestamps {@code first}, {@code first + 1}, ... (decode order). */
    private void sendGop(int first, long now) {
        List<MediaFrame> frames = List.copyOf(gop);
        for (int i = 0; i < frames.size(); i++) {
            sendVideo(frames.get(i), first + i, now);
        }
    }

    @Override
    public void onEnd(String reason) {
        close("the stream ended: " + reason);
    }

    // ---- transport events ----

    @Override
    public void onConnected() {
        if (closed) {
            return;
        }
        connected = true;
        long now = System.nanoTime();
        reports = transport.executor().scheduleAtFixedRate(this::sendReports, REPORT_INTERVAL_MILLIS,
                REPORT_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        if (video != null && !gop.isEmpty()) {
            // Fast start: the GOP so far, packed just before the live edge (its last frame).
            MediaFrame last = gop.getLast();
            anchorMediaMillis = last.pts();
            anchorNanos = now;
            for (MediaFrame f : gop) {
                policy.decide(f, true, true, now);
            }
            sendGop(video.timestamp(last.pts()) - (gop.size() - 1), now);
            int frames = gop.size();
            inContext(() -> log.info("playing {} to {}: started with {} frame(s) of the current GOP", key,
                    transport.remoteAddress(), frames));
        } else {
            inContext(() -> log.info("playing {} to {}: waiting for a keyframe", key, transport.remoteAddress()));
        }
    }

    @Override
    public void onRtcp(ByteBuf compound) {
        List<RtcpPacket> packets;
        try {
            packets = RtcpCompound.parse(compound);
        } catch (RtcpException e) {
            inContext(() -> log.debug("ignoring malformed RTCP: {}", e.getMessage()));
            return;
        }
        long now = System.nanoTime();
        for (RtcpPacket p : packets) {
            switch (p) {
                case ReceiverReport rr -> rr.reports().forEach(this::onReportBlock);
                case SenderReport sr -> sr.reports().forEach(this::onReportBlock);
                case GenericNack nack -> onNack(nack, now);
                case PictureLossIndication pli -> {
                    if (video != null && pli.mediaSsrc() == video.ssrc) {
                        pliReceived++;
                        keyframeRequested("PLI", now);
                    }
                }
                case FullIntraRequest fir -> {
                    if (video != null && fir.entries().stream().anyMatch(e -> e.ssrc() == video.ssrc)) {
                        firReceived++;
                        keyframeRequested("FIR", now);
                    }
                }
                case ReceiverEstimatedMaxBitrate remb -> rembBitrate = remb.bitrate();
                case TransportCcFeedback twcc -> {
                    twccFeedbacks++;
                    twccNotReceived += twcc.packetStatusCount() - twcc.receivedCount();
                }
                default -> {
                }
            }
        }
    }

    /** RFC 3550 §6.4.1: loss, jitter and, through LSR/DLSR, the round-trip time. */
    private void onReportBlock(ReportBlock block) {
        if (video == null || block.ssrc() != video.ssrc) {
            return;
        }
        videoFractionLost = block.fractionLost();
        videoCumulativeLost = block.cumulativeLost();
        videoJitter = block.jitter();
        long arrival = NtpTime.compact(NtpTime.fromUnixMillis(System.currentTimeMillis()));
        long rtt = NtpTime.roundTripNanos(arrival, block.lastSenderReport(), block.delaySinceLastSenderReport());
        if (rtt >= 0) {
            rttNanos = rtt;
            rttMillis = rtt / 1_000_000;
        }
    }

    /** RFC 4585 §6.2.1: resend what is still in the history (RFC 4588 RTX when negotiated). */
    private void onNack(GenericNack nack, long now) {
        if (video == null || nack.mediaSsrc() != video.ssrc) {
            return;
        }
        int[] lost = nack.lostSequenceNumbers();
        nacksReceived += lost.length;
        metrics.nacked().accept(lost.length);
        int resent = 0;
        for (int seq : lost) {
            if (video.retransmit(transport, seq, transportSequences, now, rttNanos)) {
                resent++;
                metrics.retransmission().run();
            }
        }
        retransmitted += resent;
    }

    private void keyframeRequested(String kind, long now) {
        metrics.keyframeRequest().run();
        boolean recently = lastKeyframeResendNanos != Long.MIN_VALUE
                && now - lastKeyframeResendNanos < KEYFRAME_RESEND_INTERVAL_NANOS;
        if (!connected || gop.isEmpty() || recently) {
            return;
        }
        lastKeyframeResendNanos = now;
        gopResends++;
        int frames = gop.size();
        inContext(() -> log.debug("{}: resending the GOP ({} frames)", kind, frames));
        sendGop(video.lastTimestamp() + 1, now);
    }

    /** RFC 3550 §6.4.1 / §6.5: an SR and the CNAME per stream that has sent, about once a second. */
    private void sendReports() {
        if (closed || anchorNanos < 0) {
            return;
        }
        long nowMillis = System.currentTimeMillis();
        long mediaNow = anchorMediaMillis + (System.nanoTime() - anchorNanos) / 1_000_000;
        for (RtpSender s : new RtpSender[] {video, audio}) {
            if (s == null || !s.sentAny()) {
                continue;
            }
            ByteBuf report = transport.alloc().heapBuffer(128 + transport.srtpProfile().rtcpOverhead());
            RtcpCompound.write(report, s.report(nowMillis, mediaNow), SourceDescription.cname(s.ssrc, plan.cname()));
            transport.writeRtcp(report);
        }
    }

    // ---- ending ----

    /** Ends the session (any thread): the transport closes, then {@link #onClosed} cleans up. */
    void close(String reason) {
        RtcTransport t = transport;
        if (t != null) {
            t.close(reason);
        } else {
            onClosed(reason);
        }
    }

    @Override
    public void onClosed(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        endReason = reason;
        if (reports != null) {
            reports.cancel(false);
        }
        Subscription sub = subscription;
        if (sub != null) {
            sub.close();
        }
        clearGop();
        if (videoConfig != null) {
            videoConfig.release();
            videoConfig = null;
        }
        if (video != null) {
            video.close();
        }
        inContext(() -> log.info("WHEP session of {} ended: {} ({} frames, {} retransmissions, {} keyframe requests)",
                key, reason, framesSent, retransmitted, pliReceived + firReceived));
        onGone.accept(this);
    }

    boolean isClosed() {
        return closed;
    }

    WhepSessionStats stats() {
        RtcTransport t = transport;
        RtcTransport.Stats ts = t == null ? null : t.stats();
        return new WhepSessionStats(id, key.path(), ts == null ? null : ts.remoteAddress(),
                ts == null ? null : ts.srtpProfile(), ts != null && ts.connected(),
                ts == null ? -1 : ts.connectMillis(),
                firstFrameNanos < 0 ? -1 : (firstFrameNanos - createdNanos) / 1_000_000,
                framesSent, keyframesSent, ts == null ? 0 : ts.packetsSent(), bytesSent, nacksReceived, retransmitted,
                pliReceived, firReceived, gopResends, rttMillis, videoFractionLost < 0 ? -1 : videoFractionLost / 256.0,
                videoCumulativeLost, videoJitter, rembBitrate, twccFeedbacks, twccNotReceived, policy.skippedFrames(),
                ts == null ? 0 : ts.checks(), endReason);
    }

    private void inContext(Runnable logStatement) {
        LogContext.run(key, id, logStatement);
    }
}
