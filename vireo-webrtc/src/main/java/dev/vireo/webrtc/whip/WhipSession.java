package dev.vireo.webrtc.whip;

import dev.vireo.core.MediaFrame;
import dev.vireo.core.Publication;
import dev.vireo.core.StreamKey;
import dev.vireo.webrtc.RtcTransport;
import dev.vireo.webrtc.feedback.RtcpChain;
import dev.vireo.webrtc.rtcp.Goodbye;
import dev.vireo.webrtc.rtcp.RtcpPacket;
import dev.vireo.webrtc.rtcp.SenderReport;
import dev.vireo.webrtc.rtp.RtpException;
import dev.vireo.webrtc.rtp.RtpHeader;
import dev.vireo.webrtc.sdp.Answer;
import dev.vireo.webrtc.signaling.RtcSession;
import dev.vireo.webrtc.whep.Rendition;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WHIP publisher: the {@link RtcTransport.Listener} that receives its SRTP media on the shared
 * port, puts each RTP stream through its {@link ReceiveTrack} ({@link ReceiveTracks}) and publishes
 * the frames into the hub as an ordinary stream, while {@link ReceiverFeedback} keeps the feedback
 * loop of a WebRTC receiver towards the sender (NACK, PLI, receiver reports, transport-cc, REMB).
 *
 * <p>Everything runs on the transport's event loop; {@link #requestKeyframe} and {@link #close}
 * may be called from any thread. A publisher that stops sending media for {@code mediaTimeout}
 * (gone without DELETE: closed tab, lost network) ends the session; its stream then gets the hub's
 * reconnect grace like an RTMP publisher's.
 */
final class WhipSession extends RtcSession {

    private static final Logger log = LoggerFactory.getLogger(WhipSession.class);

    private static final long TICK_MILLIS = 20;

    private final Publication publication;
    /** The simulcast layers' streams and the main stream's choice among them, null without simulcast. */
    private final SimulcastOutputs simulcast;
    private final long mediaTimeoutNanos;
    private final Consumer<WhipSession> onGone;
    private final LongConsumer receiveDelay;
    private final long createdNanos = System.nanoTime();
    private final MediaClock clock = new MediaClock(createdNanos);
    private final RtcpChain rtcp = RtcpChain.builder().add(this::onSenderReport).add(this::onGoodbye).build();
    private ReceiveTracks tracks;
    private ReceiverFeedback feedback;
    private ScheduledFuture<?> ticker;
    private long lastRtpNanos;
    private long malformed;

    // statistics: written on the loop, read anywhere
    private volatile long videoFrames;
    private volatile long keyframes;
    private volatile long audioFrames;
    private volatile long senderReports;
    private volatile long packetsLost;
    private volatile long recovered;
    private volatile double jitterMillis;

    /** @param receiveDelay records a frame's time from its first packet's arrival to the hub (ns) */
    WhipSession(String id, StreamKey key, Publication publication, long mediaTimeoutNanos, LongConsumer receiveDelay,
                Consumer<WhipSession> onGone) {
        this(id, key, publication, null, mediaTimeoutNanos, receiveDelay, onGone);
    }

    /** @param simulcast where a simulcast publisher's layers go (null: a single video stream) */
    WhipSession(String id, StreamKey key, Publication publication, SimulcastOutputs simulcast, long mediaTimeoutNanos,
                LongConsumer receiveDelay, Consumer<WhipSession> onGone) {
        super(id, key);
        this.simulcast = simulcast;
        this.receiveDelay = receiveDelay;
        this.publication = publication;
        this.mediaTimeoutNanos = mediaTimeoutNanos;
        this.onGone = onGone;
    }

    /** From the signaling thread, before the first check can arrive: what the answer agreed to receive. */
    void attach(RtcTransport rtc, Answer answer) {
        tracks = new ReceiveTracks(answer, simulcast == null ? null : new SimulcastDemux(simulcast.offer()), rtc.alloc(),
                clock);
        feedback = new ReceiverFeedback(rtc, tracks, key(), createdNanos);
        transport(rtc);
    }

    // ---- transport events (on the loop) ----

    @Override
    protected void connected(long now) {
        lastRtpNanos = now;
        feedback.start(now);
        ticker = transport().executor().scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        inContext(() -> log.info("WHIP publisher {} connected: publishing {} (video {}, audio {})",
                transport().remoteAddress(), key(), tracks.video() == null ? "none" : tracks.video().codec(),
                tracks.audio() == null ? "none" : tracks.audio().codec()));
    }

    @Override
    public boolean receivesRtp() {
        return true;
    }

    @Override
    public void onRtp(ByteBuf packet) {
        if (isClosed()) {
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
        if (!feedback.record(packet, header, now)) {
            malformed++;
        }
        ReceiveTrack track = tracks.route(packet, header);
        boolean retransmission = false;
        if (track == null && tracks.isVideoRtx(header)) {
            ReceiveTrack target = tracks.rtxTarget(packet, header);
            ByteBuf original = tracks.unwrapRtx(packet, header, target);
            if (original == null) {
                return; // padding (a bandwidth probe), or nothing to restore it into yet
            }
            track = target;
            retransmission = true;
            packet = original;
            try {
                header = RtpHeader.parse(original);
            } catch (RtpException e) {
                original.release();
                malformed++;
                return;
            }
        } else if (track == null) {
            return; // a payload type not answered, or a simulcast packet of no layer told yet
        } else {
            packet.retain();
        }
        long gaps = track.buffer().gapsNoticed();
        track.onPacket(packet, header, now, retransmission);
        boolean newGap = track.buffer().gapsNoticed() != gaps;
        drain(track, now);
        if (track.isVideo()) {
            feedback.afterVideoPacket(track, now, newGap); // NACK a new gap now, PLI once the video broke
        }
    }

    @Override
    protected void rtcp(ByteBuf compound, long now) {
        rtcp.receive(compound, now);
    }

    /** RFC 3550 §6.4.1: a sender report anchors its track's clock and its receiver reports' LSR. */
    private void onSenderReport(RtcpPacket packet, long now) {
        if (packet instanceof SenderReport sr && tracks.onSenderReport(sr, now)) {
            senderReports++;
        }
    }

    /** RFC 3550 §6.6: a BYE for one of the publisher's streams ends the publish. */
    private void onGoodbye(RtcpPacket packet, long now) {
        if (packet instanceof Goodbye bye && !isClosed()) {
            for (int s : bye.ssrcs()) {
                if (tracks.bySsrc(s) != null) {
                    close("the publisher said goodbye (RTCP BYE)");
                    return;
                }
            }
        }
    }

    private void drain(ReceiveTrack track, long now) {
        if (simulcast == null) {
            track.drain(now, this::publish);
        } else {
            int layer = track.isVideo() ? tracks.videos().indexOf(track) : -1;
            track.drain(now, frame -> publish(layer, frame));
        }
    }

    /** A simulcast frame: a layer's video (and maybe the main stream's), or audio ({@code layer} -1) for all. */
    private void publish(int layer, MediaFrame frame) {
        if (simulcast.isRevoked()) {
            frame.release();
            return;
        }
        count(frame);
        if (layer >= 0) {
            if (simulcast.video(layer, frame, System.nanoTime())) {
                inContext(() -> log.info("the main stream {} now carries simulcast layer {} ({}; {} moves)", key(),
                        simulcast.rid(layer), simulcast.size(layer), simulcast.switches()));
            }
        } else {
            simulcast.audio(frame);
        }
    }

    private void publish(MediaFrame frame) {
        if (publication.isRevoked()) {
            frame.release();
            return;
        }
        count(frame);
        publication.send(frame);
    }

    private void count(MediaFrame frame) {
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
    }

    /**
     * Every 20 ms: due packets out of the buffers, then the feedback. A failure ends this session
     * with its reason logged (a scheduled task that throws would otherwise stop silently).
     */
    private void tick() {
        try {
            onTick();
        } catch (RuntimeException e) {
            inContext(() -> log.warn("WHIP session failed", e));
            close("internal error: " + e);
        }
    }

    private void onTick() {
        if (isClosed()) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastRtpNanos > mediaTimeoutNanos) {
            close("no media from the publisher for " + mediaTimeoutNanos / 1_000_000 + " ms");
            return;
        }
        for (ReceiveTrack t : tracks.all()) {
            drain(t, now);
        }
        if (simulcast != null) {
            int wanted = simulcast.wantedKeyframe(now);
            if (wanted >= 0) { // the main stream's layer paused (or a larger one is live): a keyframe to move at
                feedback.requestKeyframe(tracks.videos().get(wanted), now, "the main stream moves to layer "
                        + simulcast.rid(wanted));
            }
        }
        if (feedback.reportDue(now)) {
            updateStats();
            if (simulcast != null) {
                simulcast.refreshLadder(now);
            }
        }
        feedback.tick(now);
    }

    private void updateStats() {
        packetsLost = tracks.lost();
        recovered = tracks.recovered();
        ReceiveTrack j = tracks.primary();
        jitterMillis = j != null ? j.statistics().jitterMillis() : 0;
    }

    /** A viewer needs a keyframe the hub has not cached: ask the publisher for one (PLI); any thread. */
    void requestKeyframe(String why) {
        requestKeyframe(key(), why);
    }

    /**
     * As {@link #requestKeyframe(String)} for one of the streams this session feeds: the main stream
     * (its current simulcast layer) or a layer's stream.
     */
    void requestKeyframe(StreamKey stream, String why) {
        RtcTransport t = transport();
        if (t == null) {
            return;
        }
        try {
            t.executor().execute(() -> {
                if (!isClosed() && isConnected()) {
                    feedback.requestKeyframe(videoOf(stream), System.nanoTime(), why);
                }
            });
        } catch (RejectedExecutionException e) {
            // stopping
        }
    }

    /** The video track that feeds {@code stream}: the layer's, the main stream's current one, or the video. */
    private ReceiveTrack videoOf(StreamKey stream) {
        if (simulcast == null) {
            return tracks.liveVideo();
        }
        int layer = simulcast.layerOf(stream);
        if (layer == SimulcastOutputs.MAIN) {
            layer = simulcast.current();
        }
        return layer >= 0 ? tracks.videos().get(layer) : tracks.liveVideo();
    }

    /** Whether this session publishes {@code stream}: its key or, with simulcast, one of its layers' streams. */
    boolean feeds(StreamKey stream) {
        return key().equals(stream) || simulcast != null && simulcast.layerOf(stream) != SimulcastOutputs.NONE;
    }

    /** With simulcast, the main stream's WHEP ABR ladder (its lower live layers), else empty; any thread. */
    List<Rendition> simulcastLadder() {
        return simulcast == null ? List.of() : simulcast.ladder();
    }

    // ---- ending ----

    @Override
    protected void ended(String reason) {
        if (ticker != null) {
            ticker.cancel(false);
        }
        if (tracks != null) {
            updateStats();
            tracks.close();
        }
        publication.close();
        if (simulcast != null) {
            simulcast.close(); // the layer streams end with the publisher
        }
        inContext(() -> log.info("WHIP publish of {} ended: {} ({} video frames, {} audio frames, {} lost, {} NACKed,"
                + " {} recovered ({} as RTX), {} PLI)", key(), reason, videoFrames, audioFrames, packetsLost,
                feedback == null ? 0 : feedback.nacksSent(), recovered, tracks == null ? 0 : tracks.rtxReceived(),
                feedback == null ? 0 : feedback.pliSent()));
        onGone.accept(this);
    }

    WhipSessionStats stats() {
        RtcTransport t = transport();
        RtcTransport.Stats ts = t == null ? null : t.stats();
        ReceiveTracks rt = tracks;
        ReceiverFeedback fb = feedback;
        ReceiveTrack video = rt == null ? null : rt.video();
        ReceiveTrack audio = rt == null ? null : rt.audio();
        return new WhipSessionStats(id(), key().path(), ts == null ? null : ts.remoteAddress(),
                ts == null ? null : ts.srtpProfile(), ts != null && ts.connected(), ts == null ? -1 : ts.connectMillis(),
                video == null ? null : video.codec().name(), audio == null ? null : audio.codec().name(), videoFrames,
                keyframes, audioFrames, ts == null ? 0 : ts.rtpReceived(), ts == null ? 0 : ts.bytesReceived(),
                packetsLost, fb == null ? 0 : fb.nacksSent(), recovered, fb == null ? 0 : fb.pliSent(),
                fb == null ? 0 : fb.twccFeedbacks(), jitterMillis, senderReports, fb == null ? 0 : fb.rembSent(),
                fb == null ? -1 : fb.rembBitrate(), endReason(), rt == null ? 0 : rt.rtxReceived(),
                video == null || video.buffer().nackRttNanos() < 0 ? -1 : video.buffer().nackRttNanos() / 1e6,
                layerStats(rt), simulcast == null ? 0 : simulcast.switches());
    }

    /** Per simulcast layer: its stream, frames, whether it is live and whether the main stream carries it. */
    private List<WhipSessionStats.Layer> layerStats(ReceiveTracks rt) {
        SimulcastOutputs s = simulcast;
        if (s == null || rt == null) {
            return List.of();
        }
        long now = System.nanoTime();
        List<WhipSessionStats.Layer> out = new java.util.ArrayList<>();
        for (int i = 0; i < rt.videos().size(); i++) {
            ReceiveTrack t = rt.videos().get(i);
            out.add(new WhipSessionStats.Layer(s.rid(i), s.keys().get(i).path(), s.size(i), t.frames(), t.keyframes(),
                    s.live(i, now), s.current() == i));
        }
        return out;
    }
}
