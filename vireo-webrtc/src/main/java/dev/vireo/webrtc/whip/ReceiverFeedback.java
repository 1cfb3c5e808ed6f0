package dev.vireo.webrtc.whip;

import dev.vireo.core.LogContext;
import dev.vireo.core.StreamKey;
import dev.vireo.webrtc.RtcTransport;
import dev.vireo.webrtc.feedback.ReceiveRateEstimator;
import dev.vireo.webrtc.rtcp.GenericNack;
import dev.vireo.webrtc.rtcp.PictureLossIndication;
import dev.vireo.webrtc.rtcp.ReceiverEstimatedMaxBitrate;
import dev.vireo.webrtc.rtcp.ReceiverReport;
import dev.vireo.webrtc.rtcp.ReportBlock;
import dev.vireo.webrtc.rtcp.RtcpCompound;
import dev.vireo.webrtc.rtcp.RtcpPacket;
import dev.vireo.webrtc.rtcp.TransportCcFeedback;
import dev.vireo.webrtc.rtcp.TransportCcRecorder;
import dev.vireo.webrtc.rtp.RtpHeader;
import dev.vireo.webrtc.rtp.RtpHeaderExtensions;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The feedback a WebRTC receiver sends its publisher: generic NACKs for gaps (RFC 4585 §6.2.1), PLI
 * while the video cannot be decoded or a viewer needs a keyframe (§6.3.1, at most every 500 ms),
 * transport-cc feedback every 100 ms (draft-holmer-rmcat-transport-wide-cc-extensions-01) from which
 * the browser's congestion control sets its encoder's bitrate, and once a second receiver reports
 * (RFC 3550 §6.4.2) with, where negotiated, a REMB. Every compound starts with an RR (RFC 3550 §6.1).
 * Not thread-safe: the session's loop calls it.
 */
final class ReceiverFeedback {

    private static final Logger log = LoggerFactory.getLogger(ReceiverFeedback.class);

    private static final long REPORT_INTERVAL_NANOS = 1_000_000_000L;
    private static final long TWCC_INTERVAL_NANOS = 100_000_000L;
    static final long PLI_INTERVAL_NANOS = 500_000_000L;
    /** How soon a NACKed packet is asked for again before a NACK round trip was measured. */
    private static final long NACK_RETRY_NANOS = 40_000_000L;
    private static final long MIN_NACK_RETRY_NANOS = 30_000_000L;
    private static final long MAX_NACK_RETRY_NANOS = 150_000_000L;

    private final RtcTransport transport;
    private final ReceiveTracks tracks;
    private final StreamKey key;
    private final int localSsrc = ThreadLocalRandom.current().nextInt() | 1;
    private final TransportCcRecorder twcc;
    private final ReceiveRateEstimator rate = new ReceiveRateEstimator();
    private long rateBytes;
    private long ratePackets;
    private long rateLost;
    private long lastReportNanos;
    private long lastTwccNanos;
    /** Per video track ({@link ReceiveTracks#videos}: one, or one per simulcast layer): the last PLI. */
    private final long[] lastPliNanos;

    // statistics: written on the loop, read anywhere
    private volatile long nacksSent;
    private volatile long pliSent;
    private volatile long twccFeedbacks;
    private volatile long rembSent;
    private volatile long rembBitrate = -1;

    ReceiverFeedback(RtcTransport transport, ReceiveTracks tracks, StreamKey key, long createdNanos) {
        this.transport = transport;
        this.tracks = tracks;
        this.key = key;
        this.twcc = new TransportCcRecorder(createdNanos);
        this.lastPliNanos = new long[Math.max(1, tracks.videos().size())];
        java.util.Arrays.fill(lastPliNanos, Long.MIN_VALUE);
    }

    /** The transport connected: the report and transport-cc intervals start now. */
    void start(long nowNanos) {
        lastReportNanos = nowNanos;
        lastTwccNanos = nowNanos;
    }

    /**
     * Records a packet's transport-wide sequence number for the next feedback.
     *
     * @return false when the extension is malformed
     */
    boolean record(ByteBuf packet, RtpHeader header, long nowNanos) {
        if (tracks.transportCcId() <= 0) {
            return true;
        }
        try {
            ByteBuf ext = RtpHeaderExtensions.find(packet, header, tracks.transportCcId());
            if (ext != null && ext.readableBytes() >= 2) {
                twcc.record(ext.getUnsignedShort(ext.readerIndex()), nowNanos);
            }
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Every tick: NACKs, PLI, and the periodic transport-cc, receiver reports and REMB. */
    void tick(long nowNanos) {
        List<RtcpPacket> feedback = new ArrayList<>(4);
        for (ReceiveTrack video : tracks.videos()) { // each simulcast layer is a stream of its own
            if (!video.ssrcKnown()) {
                continue;
            }
            if (tracks.videoNack()) {
                nack(video, nowNanos, feedback);
            }
            if (video.keyframeNeeded() && pliDue(video, nowNanos)) {
                feedback.add(pli(video, nowNanos));
            }
        }
        if (tracks.transportCcId() > 0 && nowNanos - lastTwccNanos >= TWCC_INTERVAL_NANOS) {
            lastTwccNanos = nowNanos;
            ReceiveTrack any = tracks.primary();
            TransportCcFeedback fb = twcc.feedback(localSsrc, any != null ? any.ssrc() : 0);
            if (fb != null) {
                twccFeedbacks++;
                feedback.add(fb);
            }
        }
        boolean report = nowNanos - lastReportNanos >= REPORT_INTERVAL_NANOS;
        if (report) {
            long interval = nowNanos - lastReportNanos;
            lastReportNanos = nowNanos;
            if (tracks.remb()) {
                feedback.add(remb(interval));
            }
        }
        if (report || !feedback.isEmpty()) {
            send(report, feedback, nowNanos);
        }
    }

    /**
     * After a video packet went into its buffer: a gap it revealed is NACKed at once (RFC 4585
     * §3.5.2 allows early feedback; libwebrtc's receiver does the same), and a picture the loss
     * broke is asked for again at once (PLI) instead of at the next tick.
     */
    void afterVideoPacket(ReceiveTrack video, long nowNanos, boolean newGap) {
        if (video == null || !video.ssrcKnown()) {
            return;
        }
        List<RtcpPacket> feedback = new ArrayList<>(2);
        if (newGap && tracks.videoNack()) {
            nack(video, nowNanos, feedback);
        }
        if (video.keyframeNeeded() && video.frames() > 0 && pliDue(video, nowNanos)) {
            feedback.add(pli(video, nowNanos));
        }
        if (!feedback.isEmpty()) {
            send(false, feedback, nowNanos);
        }
    }

    /**
     * Generic NACK (RFC 4585 §6.2.1) for the missing packets due: new ones, and those asked for more
     * than a NACK round trip ago (1.5 × the measured NACK-to-arrival time, 30–150 ms).
     */
    private void nack(ReceiveTrack video, long nowNanos, List<RtcpPacket> feedback) {
        long rtt = video.buffer().nackRttNanos();
        long retry = rtt < 0 ? NACK_RETRY_NANOS
                : Math.max(MIN_NACK_RETRY_NANOS, Math.min(MAX_NACK_RETRY_NANOS, rtt + rtt / 2));
        int[] lost = video.buffer().nacks(nowNanos, retry, GenericNack.MAX_FCI);
        if (lost.length > 0) {
            nacksSent += lost.length;
            feedback.add(new GenericNack(localSsrc, video.ssrc(), lost));
        }
    }

    /** Whether it is a report tick's turn (a second since the last): the session refreshes its stats. */
    boolean reportDue(long nowNanos) {
        return nowNanos - lastReportNanos >= REPORT_INTERVAL_NANOS;
    }

    /** A viewer needs a keyframe: a PLI now unless one went out within the last 500 ms. */
    void requestKeyframe(long nowNanos, String why) {
        requestKeyframe(tracks.liveVideo(), nowNanos, why);
    }

    /** As {@link #requestKeyframe(long, String)}, of one video track (a simulcast layer). */
    void requestKeyframe(ReceiveTrack video, long nowNanos, String why) {
        if (video == null || !video.ssrcKnown() || !pliDue(video, nowNanos)) {
            return;
        }
        LogContext.run(key, transport.id(), () -> log.debug("asking the publisher for a keyframe: {}", why));
        send(false, List.of(pli(video, nowNanos)), nowNanos);
    }

    private boolean pliDue(ReceiveTrack video, long nowNanos) {
        long last = lastPliNanos[slot(video)];
        return last == Long.MIN_VALUE || nowNanos - last >= PLI_INTERVAL_NANOS;
    }

    private int slot(ReceiveTrack video) {
        int i = tracks.videos().indexOf(video);
        return Math.max(0, i);
    }

    private PictureLossIndication pli(ReceiveTrack video, long nowNanos) {
        lastPliNanos[slot(video)] = nowNanos;
        pliSent++;
        return new PictureLossIndication(localSsrc, video.ssrc());
    }

    /**
     * REMB (draft-alvestrand-rmcat-remb) beside transport-cc: the receive-side estimate from the
     * last interval's bytes and loss ({@link ReceiveRateEstimator}), for every stream received.
     */
    private ReceiverEstimatedMaxBitrate remb(long intervalNanos) {
        RtcTransport.Stats ts = transport.stats();
        long lost = tracks.lost();
        long bytes = ts.bytesReceived() - rateBytes;
        long packets = ts.rtpReceived() - ratePackets;
        long newlyLost = lost - rateLost;
        rateBytes = ts.bytesReceived();
        ratePackets = ts.rtpReceived();
        rateLost = lost;
        long estimate = rate.update(bytes, packets + newlyLost, newlyLost, intervalNanos);
        rembSent++;
        rembBitrate = estimate;
        return new ReceiverEstimatedMaxBitrate(localSsrc, estimate, tracks.ssrcs());
    }

    /** RFC 3550 §6.1: a compound packet starts with a report (here an RR, with blocks once a second). */
    private void send(boolean withBlocks, List<RtcpPacket> feedback, long nowNanos) {
        List<ReportBlock> blocks = new ArrayList<>(2);
        if (withBlocks) {
            for (ReceiveTrack t : tracks.all()) {
                if (t.ssrcKnown()) {
                    blocks.add(t.statistics().reportBlock(nowNanos));
                }
            }
        }
        List<RtcpPacket> compound = new ArrayList<>(feedback.size() + 1);
        compound.add(new ReceiverReport(localSsrc, blocks));
        compound.addAll(feedback);
        int overhead = transport.srtpProfile() == null ? 0 : transport.srtpProfile().rtcpOverhead();
        ByteBuf out = transport.alloc().heapBuffer(2048 + overhead);
        try {
            RtcpCompound.write(out, compound);
        } catch (RuntimeException e) {
            out.release();
            LogContext.run(key, transport.id(), () -> log.debug("feedback not sent: {}", e.toString()));
            return;
        }
        transport.writeRtcp(out);
    }

    long nacksSent() {
        return nacksSent;
    }

    long pliSent() {
        return pliSent;
    }

    long twccFeedbacks() {
        return twccFeedbacks;
    }

    long rembSent() {
        return rembSent;
    }

    long rembBitrate() {
        return rembBitrate;
    }
}
