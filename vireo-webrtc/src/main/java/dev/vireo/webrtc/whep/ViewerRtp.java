package dev.vireo.webrtc.whep;

import dev.vireo.core.LogContext;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.StreamKey;
import dev.vireo.media.Codec;
import dev.vireo.webrtc.RtcTransport;
import dev.vireo.webrtc.bwe.BandwidthEstimator;
import dev.vireo.webrtc.rtcp.RtcpCompound;
import dev.vireo.webrtc.rtcp.SourceDescription;
import dev.vireo.webrtc.rtp.RedPacketizer;
import dev.vireo.webrtc.rtp.RtpHeaderWriter;
import dev.vireo.webrtc.rtp.RtpPadding;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.FastThreadLocal;
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
    /** The first packets' timing (debug): what a browser's start is made of. */
    private static final Logger startLog = LoggerFactory.getLogger(ViewerRtp.class.getName() + ".start");
    private static final int START_LOGGED = 40;

    /** Frames kept for retransmission (at most): 2 s of 120 fps video, or a start-up GOP burst. */
    private static final int HISTORY_FRAMES = 256;
    private static final long HISTORY_AGE_NANOS = 2_000_000_000L;
    private static final int MAX_AUDIO_PAYLOAD = 1200;
    /** A rendition's first keyframe follows the last frame sent by this much (about a frame at 30 fps). */
    private static final long REBASE_GAP_MILLIS = 33;
    /**
     * Earlier Opus packets each RED packet repeats (RFC 2198): one, as Chromium sends; 20 ms of
     * audio lost is then heard again unless the next packet is lost too.
     */
    private static final int RED_GENERATIONS = 1;
    /** Where an event loop builds a RED payload before it is sent (one per loop, reused). */
    private static final FastThreadLocal<ByteBuf> RED_SCRATCH = new FastThreadLocal<>() {
        @Override
        protected ByteBuf initialValue() {
            return Unpooled.buffer(MAX_AUDIO_PAYLOAD, MAX_AUDIO_PAYLOAD);
        }
    };
    /** What a retransmission costs the budget: about a full packet. */
    private static final int RETRANSMISSION_BYTES = 1200;
    /**
     * How long after a rendition switch NACKs for the previous rendition's packets are ignored
     * (beyond it, the history no longer has them: its horizon is 2 s).
     */
    private static final long PREVIOUS_RENDITION_NANOS = 10_000_000_000L;
    /** Probing padding repeats media packets from at most this far back (the newest ones). */
    private static final int PADDING_PACKETS_BACK = 32;

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
    /** The first video sequence number of the rendition switched to last, and when (MIN_VALUE: never). */
    private int switchSequence;
    private long switchNanos = Long.MIN_VALUE;
    private volatile long nacksOfPreviousRendition;
    private volatile long paddingBytes;
    /** The media packet the probing padding sends again next (walking back from the newest). */
    private int paddingCursor;
    private long lastVideoPts = Long.MIN_VALUE;
    /** The audio's RFC 2198 redundancy, null when the viewer gets plain Opus. */
    private final RedPacketizer red;
    private MediaFrame videoConfig;
    /** Media packets per FEC packet for a frame (keyframe or not), 0: none; null: FEC never. */
    private FecGroups fec;
    private boolean audioCodecReported;
    private boolean videoCodecReported;
    private boolean encodeFailureReported;
    private long anchorMediaMillis;
    private long anchorNanos = -1;
    private int audioFramesSent;

    // written on the loop, read anywhere (approximate)
    private volatile long firstFrameNanos = -1;
    private volatile long framesSent;
    private volatile long keyframesSent;
    private volatile long bytesSent;
    private volatile long redPackets;
    private volatile long redBlocks;

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
                plan.nack() ? new RetransmissionBuffer(HISTORY_FRAMES, HISTORY_AGE_NANOS) : null, random,
                plan.videoRedPayloadType(), plan.ulpfecPayloadType());
        // With RED negotiated every audio packet is RED (RFC 2198 §3), its blocks Opus.
        audio = !plan.hasAudio() ? null : new RtpSender(plan.audioSsrc(),
                plan.hasAudioRed() ? plan.audioRedPayloadType() : plan.audioPayloadType(), 48_000, 0, -1, header,
                null, random);
        red = plan.hasAudio() && plan.hasAudioRed()
                ? new RedPacketizer(plan.audioPayloadType(), RED_GENERATIONS, MAX_AUDIO_PAYLOAD) : null;
        if (audio != null && plan.audioNack()) {
            audio.keepSent(new AudioHistory(HISTORY_AGE_NANOS));
        }
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

    /** The first audio packets of a session, at debug level (where a viewer's start waits). */
    private void logAudioStart(MediaFrame frame, int timestamp, long bytes) {
        if (audioFramesSent++ < START_LOGGED && startLog.isDebugEnabled()) {
            inContext(() -> startLog.debug("audio #{} pts {} rtp {} {} B at {}", audioFramesSent - 1, frame.pts(),
                    Integer.toUnsignedString(timestamp), bytes, System.currentTimeMillis()));
        }
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
        return video != null && video.canFec();
    }

    /** ULPFEC packets sent. */
    long fecPackets() {
        return video == null ? 0 : video.fecPackets();
    }

    /** NACKed packets not resent because the history no longer had them. */
    long nacksNotInHistory() {
        return video == null ? 0 : video.notInHistory();
    }

    /** NACKed packets not resent because they had been less than about a round trip before. */
    long nacksResentRecently() {
        return video == null ? 0 : video.resentRecently();
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
            switchSequence = video.nextSequence();
            switchNanos = now;
            if (egress != null) {
                int dropped = egress.onSwitch(now, (seq, ts) -> {
                    if (video.hasRtx()) {
                        video.sendEmpty(transport, seq, ts, transportSequences, now);
                    }
                });
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
        ByteBuf payload = frame.payload();
        int len = payload.readableBytes();
        if (len == 0 || len >= MAX_AUDIO_PAYLOAD) {
            return 0;
        }
        // RFC 7587 §4.2: one Opus packet per RTP packet, 48 kHz clock, marker unused without DTX.
        int timestamp = audio.timestamp(frame.pts());
        if (red == null) {
            long bytes = audio.send(transport, payload, payload.readerIndex(), len, false, timestamp,
                    transportSequences, now);
            logAudioStart(frame, timestamp, bytes);
            bytesSent += bytes;
            return bytes;
        }
        // RFC 2198: the previous Opus packet again in front of this one, same RTP header.
        ByteBuf redPayload = RED_SCRATCH.get().clear();
        int blocks = red.write(redPayload, payload, timestamp & 0xFFFF_FFFFL);
        long bytes = audio.send(transport, redPayload, 0, redPayload.readableBytes(), false, timestamp,
                transportSequences, now);
        logAudioStart(frame, timestamp, bytes);
        if (bytes > 0) {
            redPackets++;
            redBlocks += blocks;
        }
        bytesSent += bytes;
        return bytes;
    }

    /** RFC 4585 §6.2.1: resends a lost video packet from the history (RTX when negotiated). */
    boolean retransmit(int sequence, long now, long rttNanos) {
        if (video == null) {
            return false;
        }
        if (switchNanos != Long.MIN_VALUE && now - switchNanos < PREVIOUS_RENDITION_NANOS
                && (short) (sequence - switchSequence) < 0) {
            nacksOfPreviousRendition++; // of the rendition before the switch: the receiver needs it no more
            return false;
        }
        // the budget is spent only on packets that would be resent (not on ones gone from the history)
        if (egress != null && video.retransmittable(sequence, now, rttNanos)
                && !egress.retransmissionAllowed(RETRANSMISSION_BYTES, now)) {
            return false;
        }
        return video.retransmit(transport, sequence, transportSequences, now, rttNanos);
    }

    /** NACKed packets of the rendition before the last switch, not answered. */
    long nacksOfPreviousRendition() {
        return nacksOfPreviousRendition;
    }

    /**
     * Sends about {@code bytes} (one packet more at most) of probing padding on the RTX stream: the
     * last {@link #PADDING_PACKETS_BACK} media packets again, newest first, or padding-only packets
     * (RFC 3550 §5.1) when the history has none; nothing while the pacer holds video (media first).
     *
     * @return the bytes sent
     */
    long sendPadding(long bytes, long now) {
        if (video == null || egress != null && egress.pacing()) {
            return 0;
        }
        long sent = 0;
        while (bytes - sent >= 64) {
            int newest = video.nextSequence() - 1 & 0xFFFF;
            if ((newest - paddingCursor & 0xFFFF) >= PADDING_PACKETS_BACK) {
                paddingCursor = newest;
            }
            int n = video.sendRedundant(transport, paddingCursor, transportSequences, now);
            paddingCursor = paddingCursor - 1 & 0xFFFF;
            if (n == 0) {
                n = video.sendPadding(transport, (int) Math.min(RtpPadding.MAX_LENGTH, bytes - sent),
                        transportSequences, now);
            }
            if (n == 0) {
                break;
            }
            sent += n;
        }
        paddingBytes += sent;
        return sent;
    }

    /** Padding bytes sent (probing; not in {@link #bytesSent()}). */
    long paddingBytes() {
        return paddingBytes;
    }

    /** Video packets waiting in the pacer, and how long the oldest waited (ms). */
    int pacerQueuedPackets() {
        PacedEgress e = egress;
        return e == null ? 0 : e.queuedPackets();
    }

    long pacerQueueMillis() {
        PacedEgress e = egress;
        return e == null ? 0 : e.queueDelayMillis();
    }

    /** Whether the viewer NACKs audio (negotiated): {@link #retransmitAudio} answers. */
    boolean audioNack() {
        return audio != null && plan.audioNack();
    }

    /** The audio SSRC; only with audio. */
    int audioSsrc() {
        return audio.ssrc;
    }

    /** RFC 4585 §6.2.1 on the audio: resends a lost audio packet as it was sent. */
    boolean retransmitAudio(int sequence, long now, long rttNanos) {
        return audio != null && audio.resendAsSent(transport, sequence, now);
    }

    /** NACKed audio packets not resent: no longer kept. */
    long audioNacksNotInHistory() {
        return audio == null ? 0 : audio.notInHistory();
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
        return redPackets;
    }

    /** Earlier Opus packets those repeated. */
    long redBlocks() {
        return redBlocks;
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
