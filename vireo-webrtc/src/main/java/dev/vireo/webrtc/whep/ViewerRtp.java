package dev.vireo.webrtc.whep;

import dev.vireo.core.LogContext;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.StreamKey;
import dev.vireo.media.Codec;
import dev.vireo.webrtc.RtcTransport;
import dev.vireo.webrtc.bwe.BandwidthEstimator;
import dev.vireo.webrtc.bwe.TransportSequencer;
import dev.vireo.webrtc.rtcp.RtcpCompound;
import dev.vireo.webrtc.rtcp.SourceDescription;
import dev.vireo.webrtc.rtp.RtpHeaderWriter;
import dev.vireo.webrtc.whep.probe.ProbePackets;
import dev.vireo.webrtc.whep.retransmit.AudioRetransmitter;
import dev.vireo.webrtc.whep.retransmit.FecSequences;
import dev.vireo.webrtc.whep.retransmit.RetransmissionBudget;
import dev.vireo.webrtc.whep.retransmit.RetransmissionBuffer;
import dev.vireo.webrtc.whep.retransmit.RtxStream;
import dev.vireo.webrtc.whep.retransmit.VideoRetransmitter;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RTP side of one WHEP viewer, on its transport's loop: the video and audio {@link RtpSender}s
 * negotiated in its {@link MediaPlan}, the stream's frames turned into this viewer's packets
 * (shared payloads, own SSRCs, sequence numbers and timestamps), the anchor between the stream's
 * clock and the wall clock, and the sender reports (RFC 3550 §6.4.1). It builds the parts the
 * senders share with the viewer's feedback: the video's RTX stream and retransmission history
 * with their {@link VideoRetransmitter} ({@code whep.retransmit}), the audio's
 * {@link AudioRetransmitter}, the {@link ProbePackets} probing sends, the FEC of its frames.
 */
final class ViewerRtp {

    private static final Logger log = LoggerFactory.getLogger(ViewerRtp.class);
    /** The first packets' timing (debug): what a browser's start is made of. */
    private static final Logger startLog = LoggerFactory.getLogger(ViewerRtp.class.getName() + ".start");
    private static final int START_LOGGED = 40;

    /** Frames kept for retransmission (at most): 2 s of 120 fps video, or a start-up GOP burst. */
    private static final int HISTORY_FRAMES = 256;
    private static final long HISTORY_AGE_NANOS = 2_000_000_000L;
    /** A rendition's first keyframe follows the last frame sent by this much (about a frame at 30 fps). */
    private static final long REBASE_GAP_MILLIS = 33;

    private final RtcTransport transport;
    private final MediaPlan plan;
    private final StreamKey key;
    private final String id;
    private final RtpSender video;
    private final ViewerAudio audio;
    private final TransportSequencer transportSequences;
    /** The video's RTX stream (RFC 4588), its NACK answers and its probing; null without video. */
    private final RtxStream rtx;
    private final VideoRetransmitter retransmitter;
    private final ProbePackets probePackets;
    private final UlpfecFrame ulpfec;
    private PacedEgress egress;
    /** Added to live video pts after a rendition switch (ms). */
    private long videoOffsetMillis;
    private long lastVideoPts = Long.MIN_VALUE;
    private MediaFrame videoConfig;
    /** Media packets per FEC packet for a frame (keyframe or not), 0: none; null: FEC never. */
    private FecGroups fec;
    private boolean audioCodecReported;
    private boolean videoCodecReported;
    private boolean encodeFailureReported;
    private long anchorMediaMillis;
    private long anchorNanos = -1;

    // written on the loop, read anywhere (approximate)
    private volatile long firstFrameNanos = -1;
    private volatile long framesSent;
    private volatile long keyframesSent;
    private volatile long bytesSent;

    /** @param estimator the viewer's bandwidth estimator, told of every packet sent; null without transport-cc */
    ViewerRtp(RtcTransport transport, MediaPlan plan, StreamKey key, String id, BandwidthEstimator estimator) {
        this.transport = transport;
        this.transportSequences = new TransportSequencer(plan.transportCcId() > 0 ? estimator : null);
        this.plan = plan;
        this.key = key;
        this.id = id;
        SplittableRandom random = new SplittableRandom();
        RtpHeaderWriter header = new RtpHeaderWriter(plan.absSendTimeId(), plan.transportCcId());
        if (plan.hasVideo()) {
            RetransmissionBuffer history = plan.nack() ? new RetransmissionBuffer(HISTORY_FRAMES, HISTORY_AGE_NANOS)
                    : null;
            FecSequences fecSequences = new FecSequences();
            ulpfec = plan.videoRedPayloadType() >= 0 && plan.ulpfecPayloadType() >= 0
                    ? new UlpfecFrame(header, plan.videoSsrc(), plan.videoPayloadType(), plan.videoRedPayloadType(),
                            plan.ulpfecPayloadType(), fecSequences) : null;
            video = new RtpSender(plan.videoSsrc(), plan.videoPayloadType(), 90_000, header, history, null, ulpfec,
                    random);
            rtx = new RtxStream(plan.rtxSsrc(), plan.hasRtx() ? plan.rtxPayloadType() : -1, header,
                    random.nextInt(1 << 15));
            retransmitter = new VideoRetransmitter(transport, history, rtx, fecSequences, transportSequences);
            probePackets = new ProbePackets(transport, rtx, history, transportSequences, video::nextSequence,
                    video::lastTimestamp, () -> egress != null && egress.pacing());
        } else {
            video = null;
            rtx = null;
            retransmitter = null;
            probePackets = null;
            ulpfec = null;
        }
        audio = plan.hasAudio()
                ? new ViewerAudio(transport, plan, header, transportSequences, random, HISTORY_AGE_NANOS, key, id) : null;
    }

    /**
     * Paces this viewer's video through a {@link PacedEgress} while its bandwidth estimate is
     * below what it is sent, and budgets its retransmissions against {@code retransmissionBps}
     * (the delay-based estimate: random loss without a queue leaves room for repairs).
     */
    void pace(LongSupplier estimateBps, LongSupplier retransmissionBps, LongSupplier sendBps) {
        if (video != null) {
            egress = new PacedEgress(transport, transportSequences, estimateBps, sendBps);
            video.pacedBy(egress);
            retransmitter.budget(new RetransmissionBudget(retransmissionBps, sendBps));
        }
    }

    /** Where the video leaves (its pacer's counters); null without video. */
    PacedEgress egress() {
        return egress;
    }

    /** Media packets per ULPFEC packet for the next frame, 0 for none. */
    @FunctionalInterface
    interface FecGroups {
        int groupSize(boolean keyframe);
    }

    /** Where the FEC decision comes from (set before the first frame; only where FEC was negotiated). */
    void fec(FecGroups groups) {
        this.fec = groups;
    }

    /** Whether FEC was negotiated for the video. */
    boolean canFec() {
        return ulpfec != null;
    }

    /** ULPFEC packets sent. */
    long fecPackets() {
        return ulpfec == null ? 0 : ulpfec.packets();
    }

    /** Answers the video's NACKs (RTX); null without video. */
    VideoRetransmitter retransmitter() {
        return retransmitter;
    }

    /** What probing sends (the RTX stream's padding); null without video. */
    ProbePackets probePackets() {
        return probePackets;
    }

    boolean hasVideo() {
        return video != null;
    }

    /** The video SSRC (its RTCP feedback names it); only with video. */
    int videoSsrc() {
        return video.ssrc;
    }

    /** A sequence header of the stream: kept to go in front of keyframes, or reported when it cannot be played. */
    void onConfig(MediaFrame frame) {
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

    /**
     * The video goes on from another rendition's keyframe at {@code keyframePts}: its frames are
     * shifted so the keyframe follows the last frame sent by about a frame's time (a rendition
     * that lags — a transcode's latency — does not go back in time; one ahead jumps forward to
     * its own time). The sequence numbers continue without a gap.
     */
    void rebaseVideo(long keyframePts, long now) {
        if (lastVideoPts != Long.MIN_VALUE) {
            videoOffsetMillis = Math.max(0, lastVideoPts + REBASE_GAP_MILLIS - keyframePts);
        }
        if (video != null) {
            // The sequence numbers go on; what came before is the previous rendition's: its packets
            // still paced are dropped, each replaced by an empty RTX packet of its number (the
            // receiver takes it as padding: no gap for it to NACK), and NACKs for its packets are
            // not answered (the switch keyframe ends the receiver's need for them).
            retransmitter.onSwitch(video.nextSequence(), now);
            if (egress != null) {
                int dropped = egress.onSwitch(now, (seq, ts) -> rtx.sendEmpty(transport, seq, ts, transportSequences,
                        now));
                if (dropped > 0) {
                    inContext(() -> log.debug("rendition switch: {} queued packet(s) of the previous one dropped",
                            dropped));
                }
            }
        }
    }

    /** A live video frame, at its pts (kept above what was already sent). */
    void sendLiveVideo(MediaFrame frame, long now) {
        if (video == null) {
            return;
        }
        anchor(frame, now);
        long pts = frame.pts() + videoOffsetMillis;
        lastVideoPts = pts;
        int ts = video.timestamp(pts);
        if (video.sentAny() && ts - video.lastTimestamp() <= 0) {
            ts = video.lastTimestamp() + 1;
        }
        sendVideo(frame, ts, now);
    }

    /**
     * A GOP burst: the frames (video, decode order) with timestamps one apart, packed just before
     * the live edge at the start ({@code startUp}), or right after the last frame sent on a
     * keyframe request.
     */
    void sendGop(List<MediaFrame> gop, boolean startUp, long now) {
        if (video == null || gop.isEmpty()) {
            return;
        }
        int first;
        if (startUp) {
            MediaFrame last = gop.getLast();
            anchorMediaMillis = last.pts();
            anchorNanos = now;
            first = video.timestamp(last.pts()) - (gop.size() - 1);
        } else {
            first = video.lastTimestamp() + 1;
        }
        for (int i = 0; i < gop.size(); i++) {
            sendVideo(gop.get(i), first + i, now);
        }
    }

    private void anchor(MediaFrame frame, long now) {
        if (anchorNanos < 0) {
            anchorMediaMillis = frame.pts();
            anchorNanos = now;
        }
    }

    /** @return the bytes handed to the transport */
    private long sendVideo(MediaFrame frame, int timestamp, long now) {
        VideoRtpEncoding encoding = VideoRtpEncoding.of(frame.codec());
        if (encoding == null || frame.codec() != plan.videoCodec()) {
            return 0;
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
            return 0;
        }
        long bytes = 0;
        int fecGroup = fec == null ? 0 : fec.groupSize(frame.isKeyframe());
        if (parameterSets != null) {
            // SPS and PPS in front of every keyframe, same timestamp, no marker (RFC 6184 §5.1).
            bytes += video.sendFrame(transport, parameterSets, true, timestamp, transportSequences, now, fecGroup);
        }
        bytes += video.sendFrame(transport, payloads, false, timestamp, transportSequences, now, fecGroup);
        if (framesSent < START_LOGGED && startLog.isDebugEnabled()) {
            long b = bytes;
            inContext(() -> startLog.debug("video #{} pts {} rtp {}{} {} B at {} (sps/pps {})", framesSent, frame.pts(),
                    Integer.toUnsignedString(timestamp), frame.isKeyframe() ? " key" : "", b, System.currentTimeMillis(),
                    parameterSetsSent(frame)));
        }
        framesSent++;
        if (frame.isKeyframe()) {
            keyframesSent++;
        }
        if (firstFrameNanos < 0) {
            firstFrameNanos = now;
        }
        bytesSent += bytes;
        return bytes;
    }

    /** @return the bytes handed to the transport */
    long sendAudio(MediaFrame frame, long now) {
        if (audio == null || frame.codec() != Codec.OPUS) {
            return 0;
        }
        anchor(frame, now);
        long bytes = audio.send(frame, now);
        bytesSent += bytes;
        return bytes;
    }

    /** Answers the audio's NACKs (negotiated: resent as sent); null when the viewer does not NACK audio. */
    AudioRetransmitter audioRetransmitter() {
        return audio == null ? null : audio.retransmitter();
    }

    /** The audio SSRC; only with audio. */
    int audioSsrc() {
        return audio.sender().ssrc;
    }

    /** RFC 3550 §6.4.1 / §6.5: an SR and the CNAME per stream that has sent (about once a second). */
    void sendReports() {
        if (anchorNanos < 0) {
            return;
        }
        long nowMillis = System.currentTimeMillis();
        long mediaNow = anchorMediaMillis + (System.nanoTime() - anchorNanos) / 1_000_000;
        for (RtpSender s : new RtpSender[] {video, audio == null ? null : audio.sender()}) {
            if (s == null || !s.sentAny()) {
                continue;
            }
            ByteBuf report = transport.alloc().heapBuffer(128 + transport.srtpProfile().rtcpOverhead());
            if (startLog.isDebugEnabled()) {
                inContext(() -> startLog.debug("SR {} media {} ms at {}", s == video ? "video" : "audio", mediaNow,
                        nowMillis));
            }
            RtcpCompound.write(report, s.report(nowMillis, mediaNow), SourceDescription.cname(s.ssrc, plan.cname()));
            transport.writeRtcp(report);
        }
    }

    private boolean parameterSetsSent(MediaFrame frame) {
        return frame.isKeyframe() && videoConfig != null;
    }

    long firstFrameNanos() {
        return firstFrameNanos;
    }

    long framesSent() {
        return framesSent;
    }

    /** Audio packets sent as RED (RFC 2198). */
    long redPackets() {
        return audio == null ? 0 : audio.redPackets();
    }

    /** Earlier Opus packets those repeated. */
    long redBlocks() {
        return audio == null ? 0 : audio.redBlocks();
    }

    long keyframesSent() {
        return keyframesSent;
    }

    long bytesSent() {
        return bytesSent;
    }

    void close() {
        if (videoConfig != null) {
            videoConfig.release();
            videoConfig = null;
        }
        if (video != null) {
            video.close();
        }
        if (egress != null) {
            egress.close();
        }
    }

    private void inContext(Runnable logStatement) {
        LogContext.run(key, id, logStatement);
    }
}
