package dev.vireo.webrtc.whep;

import dev.vireo.core.LogContext;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.StreamKey;
import dev.vireo.media.Codec;
import dev.vireo.webrtc.RtcTransport;
import dev.vireo.webrtc.bwe.BandwidthEstimator;
import dev.vireo.webrtc.rtcp.RtcpCompound;
import dev.vireo.webrtc.rtcp.SourceDescription;
import dev.vireo.webrtc.rtp.RtpHeaderWriter;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RTP side of one WHEP viewer, on its transport's loop: the video and audio {@link RtpSender}s
 * negotiated in its {@link MediaPlan}, the stream's frames turned into this viewer's packets
 * (shared payloads, own SSRCs, sequence numbers and timestamps), the anchor between the stream's
 * clock and the wall clock, and the sender reports (RFC 3550 §6.4.1).
 */
final class ViewerRtp {

    private static final Logger log = LoggerFactory.getLogger(ViewerRtp.class);

    /** Frames kept for retransmission (at most): 2 s of 120 fps video, or a start-up GOP burst. */
    private static final int HISTORY_FRAMES = 256;
    private static final long HISTORY_AGE_NANOS = 2_000_000_000L;
    private static final int MAX_AUDIO_PAYLOAD = 1200;
    /** A rendition's first keyframe follows the last frame sent by this much (about a frame at 30 fps). */
    private static final long REBASE_GAP_MILLIS = 33;
    /** What a retransmission costs the budget: about a full packet. */
    private static final int RETRANSMISSION_BYTES = 1200;

    private final RtcTransport transport;
    private final MediaPlan plan;
    private final StreamKey key;
    private final String id;
    private final RtpSender video;
    private final RtpSender audio;
    private final TransportSequencer transportSequences;
    private PacedEgress egress;
    /** Added to live video pts after a rendition switch (ms). */
    private long videoOffsetMillis;
    private long lastVideoPts = Long.MIN_VALUE;
    private MediaFrame videoConfig;
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
        video = !plan.hasVideo() ? null : new RtpSender(plan.videoSsrc(), plan.videoPayloadType(), 90_000,
                plan.rtxSsrc(), plan.hasRtx() ? plan.rtxPayloadType() : -1, header,
                plan.nack() ? new RetransmissionBuffer(HISTORY_FRAMES, HISTORY_AGE_NANOS) : null, random);
        audio = !plan.hasAudio() ? null
                : new RtpSender(plan.audioSsrc(), plan.audioPayloadType(), 48_000, 0, -1, header, null, random);
    }

    /**
     * Paces this viewer's video through a {@link PacedEgress} while its bandwidth estimate is
     * below what it is sent.
     */
    void pace(java.util.function.LongSupplier estimateBps, java.util.function.LongSupplier sendBps) {
        if (video != null) {
            egress = new PacedEgress(transport, transportSequences, estimateBps, sendBps);
            video.pacedBy(egress);
        }
    }

    /** Retransmissions the estimate's budget refused. */
    long retransmissionsRefused() {
        PacedEgress e = egress;
        return e == null ? 0 : e.retransmissionsRefused();
    }

    /** Video packets that went through the pacer. */
    long pacedPackets() {
        PacedEgress e = egress;
        return e == null ? 0 : e.pacedPackets();
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
     * its own time).
     */
    void rebaseVideo(long keyframePts) {
        if (lastVideoPts != Long.MIN_VALUE) {
            videoOffsetMillis = Math.max(0, lastVideoPts + REBASE_GAP_MILLIS - keyframePts);
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
        if (parameterSets != null) {
            // SPS and PPS in front of every keyframe, same timestamp, no marker (RFC 6184 §5.1).
            bytes += video.sendFrame(transport, parameterSets, true, timestamp, transportSequences, now);
        }
        bytes += video.sendFrame(transport, payloads, false, timestamp, transportSequences, now);
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
        ByteBuf payload = frame.payload();
        int len = payload.readableBytes();
        if (len == 0 || len > MAX_AUDIO_PAYLOAD) {
            return 0;
        }
        // RFC 7587 §4.2: one Opus packet per RTP packet, 48 kHz clock, marker unused without DTX.
        long bytes = audio.send(transport, payload, payload.readerIndex(), len, false, audio.timestamp(frame.pts()),
                transportSequences, now);
        bytesSent += bytes;
        return bytes;
    }

    /** RFC 4585 §6.2.1: resends a lost video packet from the history (RTX when negotiated). */
    boolean retransmit(int sequence, long now, long rttNanos) {
        return video != null && (egress == null || egress.retransmissionAllowed(RETRANSMISSION_BYTES, now))
                && video.retransmit(transport, sequence, transportSequences, now, rttNanos);
    }

    /** RFC 3550 §6.4.1 / §6.5: an SR and the CNAME per stream that has sent (about once a second). */
    void sendReports() {
        if (anchorNanos < 0) {
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

    long firstFrameNanos() {
        return firstFrameNanos;
    }

    long framesSent() {
        return framesSent;
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
