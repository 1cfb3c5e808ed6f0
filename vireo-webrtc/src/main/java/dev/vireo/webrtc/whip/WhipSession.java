package dev.vireo.webrtc.whip;

import dev.vireo.core.LogContext;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.Publication;
import dev.vireo.core.StreamKey;
import dev.vireo.media.Codec;
import dev.vireo.webrtc.RtcTransport;
import dev.vireo.webrtc.feedback.ReceiveRateEstimator;
import dev.vireo.webrtc.feedback.RtcpChain;
import dev.vireo.webrtc.signaling.SessionResources;
import dev.vireo.webrtc.rtcp.GenericNack;
import dev.vireo.webrtc.rtcp.Goodbye;
import dev.vireo.webrtc.rtcp.PictureLossIndication;
import dev.vireo.webrtc.rtcp.ReceiverEstimatedMaxBitrate;
import dev.vireo.webrtc.rtcp.ReceiverReport;
import dev.vireo.webrtc.rtcp.ReportBlock;
import dev.vireo.webrtc.rtcp.RtcpCompound;
import dev.vireo.webrtc.rtcp.RtcpException;
import dev.vireo.webrtc.rtcp.RtcpPacket;
import dev.vireo.webrtc.rtcp.SenderReport;
import dev.vireo.webrtc.rtcp.TransportCcFeedback;
import dev.vireo.webrtc.rtcp.TransportCcRecorder;
import dev.vireo.webrtc.rtp.RtpException;
import dev.vireo.webrtc.rtp.RtpHeader;
import dev.vireo.webrtc.rtp.RtpHeaderExtensions;
import dev.vireo.webrtc.sdp.Answer;
import dev.vireo.webrtc.sdp.NegotiatedMedia;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WHIP publisher: the {@link RtcTransport.Listener} that receives its SRTP media on the shared
 * port, puts each RTP stream through a {@link ReceiveTrack} and publishes the frames into the hub
 * as an ordinary stream. Towards the sender it keeps the feedback loop of a WebRTC receiver: NACKs
 * for gaps (RFC 4585 §6.2.1), PLI when a loss left the video undecodable or a new viewer needs a
 * keyframe (§6.3.1), receiver reports once a second (RFC 3550 §6.4.2) and transport-cc feedback
 * every 100 ms, from which the browser's congestion control sets its encoder's bitrate.
 *
 * <p>Everything runs on the transport's event loop; {@link #requestKeyframe} and {@link #close}
 * may be called from any thread. A publisher that stops sending media for {@code mediaTimeout}
 * (gone without DELETE: closed tab, lost network) ends the session; its stream then gets the hub's
 * reconnect grace like an RTMP publisher's.
 */
final class WhipSession implements SessionResources.Resource {

    private static final Logger log = LoggerFactory.getLogger(WhipSession.class);

    private static final long TICK_MILLIS = 20;
    private static final long REPORT_INTERVAL_NANOS = 1_000_000_000L;
    private static final long TWCC_INTERVAL_NANOS = 100_000_000L;
    private static final long PLI_INTERVAL_NANOS = 500_000_000L;
    private static final long NACK_RETRY_NANOS = 40_000_000L;

    private final String id;
    private final StreamKey key;
    private final Publication publication;
    private final long mediaTimeoutNanos;
    private final Consumer<WhipSession> onGone;
    private final java.util.function.LongConsumer receiveDelay;
    private final long createdNanos = System.nanoTime();
    private final int localSsrc = ThreadLocalRandom.current().nextInt() | 1;
    private final MediaClock clock = new MediaClock(createdNanos);
    private final TransportCcRecorder twcc = new TransportCcRecorder(createdNanos);
    private final RtcpChain feedback = RtcpChain.builder().add(this::onSenderReport).add(this::onGoodbye).build();
    private volatile RtcTransport transport;
    private ReceiveTrack video;
    private ReceiveTrack audio;
    private boolean videoNack;
    private int transportCcId;
    /** REMB (goog-remb) negotiated: an estimate goes with the receiver reports. */
    private boolean remb;
    private final ReceiveRateEstimator rate = new ReceiveRateEstimator();
    private long rateBytes;
    private long ratePackets;
    private long rateLost;
    private ScheduledFuture<?> ticker;
    private long lastRtpNanos;
    private long lastReportNanos;
    private long lastTwccNanos;
    private long lastPliNanos = Long.MIN_VALUE;
    private boolean connected;
    private volatile boolean closed;
    private long malformed;

    // statistics: written on the loop, read anywhere
    private volatile long videoFrames;
    private volatile long keyframes;
    private volatile long audioFrames;
    private volatile long nacksSent;
    private volatile long pliSent;
    private volatile long twccFeedbacks;
    private volatile long rembSent;
    private volatile long rembBitrate = -1;
    private volatile long senderReports;
    private volatile long packetsLost;
    private volatile long recovered;
    private volatile double jitterMillis;
    private volatile String endReason;

    /** @param receiveDelay records a frame's time from its first packet's arrival to the hub (ns) */
    WhipSession(String id, StreamKey key, Publication publication, long mediaTimeoutNanos,
                java.util.function.LongConsumer receiveDelay, Consumer<WhipSession> onGone) {
        this.receiveDelay = receiveDelay;
        this.id = id;
        this.key = key;
        this.publication = publication;
        this.mediaTimeoutNanos = mediaTimeoutNanos;
        this.onGone = onGone;
    }

    /** From the signaling thread, before the first check can arrive: what the answer agreed to receive. */
    void attach(RtcTransport rtc, Answer answer) {
        NegotiatedMedia v = answer.video().orElse(null);
        NegotiatedMedia a = answer.audio().orElse(null);
        if (v != null) {
            Codec codec = v.codec().is("AV1") ? Codec.AV1 : Codec.H264;
            video = new ReceiveTrack(codec, v.payloadType(), v.clockRate(), rtc.alloc(), clock.track(v.clockRate()))
                    .nack(v.nack());
            videoNack = v.nack();
            transportCcId = v.transportCcId();
            remb = v.remb();
        }
        if (a != null) {
            audio = new ReceiveTrack(Codec.OPUS, a.payloadType(), a.clockRate(), rtc.alloc(), clock.track(a.clockRate()));
            if (transportCcId == 0) {
                transportCcId = a.transportCcId();
            }
            remb |= a.remb();
        }
        this.transport = rtc;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public StreamKey key() {
        return key;
    }

    @Override
    public RtcTransport transport() {
        return transport;
    }

    // ---- transport events (on the loop) ----

    @Override
    public void onConnected() {
        if (closed) {
            return;
        }
        connected = true;
        long now = System.nanoTime();
        lastRtpNanos = now;
        lastReportNanos = now;
        lastTwccNanos = now;
        ticker = transport.executor().scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        inContext(() -> log.info("WHIP publisher {} connected: publishing {} (video {}, audio {})",
                transport.remoteAddress(), key, video == null ? "none" : video.codec(),
                audio == null ? "none" : audio.codec()));
    }

    @Override
    public boolean receivesRtp() {
        return true;
    }

    @Override
    public void onRtp(ByteBuf packet) {
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        RtpHeader header;
        try {
            header = RtpHeader.parse(packet);
        } catch (RtpException e) {
            malformed++;
            return;
        }
        lastRtpNanos = now;
        if (transportCcId > 0) {
            try {
                ByteBuf ext = RtpHeaderExtensions.find(packet, header, transportCcId);
                if (ext != null && ext.readableBytes() >= 2) {
                    twcc.record(ext.getUnsignedShort(ext.readerIndex()), now);
                }
            } catch (RuntimeException e) {
                malformed++;
            }
        }
        ReceiveTrack track = video != null && header.payloadType() == video.payloadType() ? video
                : audio != null && header.payloadType() == audio.payloadType() ? audio : null;
        if (track == null) {
            return; // a payload type not answered (e.g. padding probes on another one)
        }
        track.onPacket(packet.retain(), header, now);
        track.drain(now, this::publish);
    }

    @Override
    public void onRtcp(ByteBuf compound) {
        try {
            feedback.receive(compound, System.nanoTime());
        } catch (RtcpException e) {
            inContext(() -> log.debug("ignoring malformed RTCP: {}", e.getMessage()));
        }
    }

    /** RFC 3550 §6.4.1: a sender report anchors its track's clock and its receiver reports' LSR. */
    private void onSenderReport(RtcpPacket packet, long now) {
        if (packet instanceof SenderReport sr) {
            ReceiveTrack t = bySsrc(sr.ssrc());
            if (t != null) {
                senderReports++;
                t.statistics().onSenderReport(sr.ntpTimestamp(), now);
                t.clock().onSenderReport(sr.ntpTimestamp(), sr.rtpTimestamp(), now);
            }
        }
    }

    /** RFC 3550 §6.6: a BYE for one of the publisher's streams ends the publish. */
    private void onGoodbye(RtcpPacket packet, long now) {
        if (packet instanceof Goodbye bye && !closed) {
            for (int s : bye.ssrcs()) {
                if (bySsrc(s) != null) {
                    close("the publisher said goodbye (RTCP BYE)");
                    return;
                }
            }
        }
    }

    private ReceiveTrack bySsrc(int ssrc) {
        if (video != null && video.ssrcKnown() && video.ssrc() == ssrc) {
            return video;
        }
        if (audio != null && audio.ssrcKnown() && audio.ssrc() == ssrc) {
            return audio;
        }
        return null;
    }

    private void publish(MediaFrame frame) {
        if (publication.isRevoked()) {
            frame.release();
            return;
        }
        if (!frame.isConfig()) {
            receiveDelay.accept(System.nanoTime() - frame.ingestNanos());
            if (frame.isVideo()) {
                videoFrames++;
                if (frame.isKeyframe()) {
                    keyframes++;
                }
            } else {
                audioFrames++;
            }
        }
        publication.send(frame);
    }

    /** Every 20 ms: due packets out of the buffers, NACKs, PLI, and the periodic reports. */
    private void tick() {
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastRtpNanos > mediaTimeoutNanos) {
            close("no media from the publisher for " + mediaTimeoutNanos / 1_000_000 + " ms");
            return;
        }
        List<RtcpPacket> feedback = new ArrayList<>(4);
        for (ReceiveTrack t : tracks()) {
            t.drain(now, this::publish);
        }
        if (video != null && video.ssrcKnown()) {
            if (videoNack) {
                int[] lost = video.buffer().nacks(now, NACK_RETRY_NANOS, GenericNack.MAX_FCI);
                if (lost.length > 0) {
                    nacksSent += lost.length;
                    feedback.add(new GenericNack(localSsrc, video.ssrc(), lost));
                }
            }
            if (video.keyframeNeeded() && (lastPliNanos == Long.MIN_VALUE || now - lastPliNanos >= PLI_INTERVAL_NANOS)) {
                lastPliNanos = now;
                pliSent++;
                feedback.add(new PictureLossIndication(localSsrc, video.ssrc()));
            }
        }
        if (transportCcId > 0 && now - lastTwccNanos >= TWCC_INTERVAL_NANOS) {
            lastTwccNanos = now;
            ReceiveTrack any = video != null && video.ssrcKnown() ? video : audio;
            TransportCcFeedback fb = twcc.feedback(localSsrc, any != null && any.ssrcKnown() ? any.ssrc() : 0);
            if (fb != null) {
                twccFeedbacks++;
                feedback.add(fb);
            }
        }
        boolean report = now - lastReportNanos >= REPORT_INTERVAL_NANOS;
        if (report) {
            long interval = now - lastReportNanos;
            lastReportNanos = now;
            updateStats();
            if (remb) {
                feedback.add(remb(interval));
            }
        }
        if (report || !feedback.isEmpty()) {
            send(report, feedback, now);
        }
    }

    /**
     * REMB (draft-alvestrand-rmcat-remb) beside transport-cc: the receive-side estimate from the
     * last interval's bytes and loss ({@link ReceiveRateEstimator}), for every stream received.
     */
    private ReceiverEstimatedMaxBitrate remb(long intervalNanos) {
        RtcTransport.Stats ts = transport.stats();
        long lost = packetsLost;
        long bytes = ts.bytesReceived() - rateBytes;
        long packets = ts.rtpReceived() - ratePackets;
        long newlyLost = lost - rateLost;
        rateBytes = ts.bytesReceived();
        ratePackets = ts.rtpReceived();
        rateLost = lost;
        long estimate = rate.update(bytes, packets + newlyLost, newlyLost, intervalNanos);
        List<Integer> ssrcs = new ArrayList<>(2);
        for (ReceiveTrack t : tracks()) {
            if (t.ssrcKnown()) {
                ssrcs.add(t.ssrc());
            }
        }
        rembSent++;
        rembBitrate = estimate;
        return new ReceiverEstimatedMaxBitrate(localSsrc, estimate, ssrcs.stream().mapToInt(Integer::intValue).toArray());
    }

    private List<ReceiveTrack> tracks() {
        List<ReceiveTrack> out = new ArrayList<>(2);
        if (video != null) {
            out.add(video);
        }
        if (audio != null) {
            out.add(audio);
        }
        return out;
    }

    /** RFC 3550 §6.1: a compound packet starts with a report (here an RR, with blocks once a second). */
    private void send(boolean withBlocks, List<RtcpPacket> feedback, long now) {
        List<ReportBlock> blocks = new ArrayList<>(2);
        if (withBlocks) {
            for (ReceiveTrack t : tracks()) {
                if (t.ssrcKnown()) {
                    blocks.add(t.statistics().reportBlock(now));
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
            inContext(() -> log.debug("feedback not sent: {}", e.toString()));
            return;
        }
        transport.writeRtcp(out);
    }

    private void updateStats() {
        long lost = 0;
        long rec = 0;
        for (ReceiveTrack t : tracks()) {
            lost += t.buffer().lost();
            rec += t.buffer().recovered();
        }
        packetsLost = lost;
        recovered = rec;
        ReceiveTrack j = video != null && video.ssrcKnown() ? video : audio;
        jitterMillis = j != null && j.ssrcKnown() ? j.statistics().jitterMillis() : 0;
    }

    /** A viewer needs a keyframe the hub has not cached: ask the publisher for one (PLI); any thread. */
    void requestKeyframe(String why) {
        RtcTransport t = transport;
        if (t == null) {
            return;
        }
        try {
            t.executor().execute(() -> {
                if (closed || !connected || video == null || !video.ssrcKnown()) {
                    return;
                }
                long now = System.nanoTime();
                if (lastPliNanos != Long.MIN_VALUE && now - lastPliNanos < PLI_INTERVAL_NANOS) {
                    return;
                }
                lastPliNanos = now;
                pliSent++;
                inContext(() -> log.debug("asking the publisher for a keyframe: {}", why));
                send(false, List.of(new PictureLossIndication(localSsrc, video.ssrc())), now);
            });
        } catch (RejectedExecutionException e) {
            // stopping
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
        if (ticker != null) {
            ticker.cancel(false);
        }
        updateStats();
        for (ReceiveTrack t : tracks()) {
            t.close();
        }
        publication.close();
        inContext(() -> log.info("WHIP publish of {} ended: {} ({} video frames, {} audio frames, {} lost, {} NACKed,"
                + " {} recovered, {} PLI)", key, reason, videoFrames, audioFrames, packetsLost, nacksSent, recovered,
                pliSent));
        onGone.accept(this);
    }

    boolean isClosed() {
        return closed;
    }

    WhipSessionStats stats() {
        RtcTransport t = transport;
        RtcTransport.Stats ts = t == null ? null : t.stats();
        return new WhipSessionStats(id, key.path(), ts == null ? null : ts.remoteAddress(),
                ts == null ? null : ts.srtpProfile(), ts != null && ts.connected(), ts == null ? -1 : ts.connectMillis(),
                video == null ? null : video.codec().name(), audio == null ? null : audio.codec().name(), videoFrames,
                keyframes, audioFrames, ts == null ? 0 : ts.rtpReceived(), ts == null ? 0 : ts.bytesReceived(),
                packetsLost, nacksSent, recovered, pliSent, twccFeedbacks, jitterMillis, senderReports,
                rembSent, rembBitrate, endReason);
    }

    private void inContext(Runnable logStatement) {
        LogContext.run(key, id, logStatement);
    }
}
