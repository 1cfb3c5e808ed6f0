package dev.vireo.webrtc.whip;

import dev.vireo.core.MediaFrame;
import dev.vireo.media.Codec;
import dev.vireo.media.av1.Av1Obus;
import dev.vireo.media.av1.Av1SequenceHeader;
import dev.vireo.media.opus.OpusHead;
import dev.vireo.webrtc.rtcp.ReceptionStatistics;
import dev.vireo.webrtc.rtp.Av1Depacketizer;
import dev.vireo.webrtc.rtp.H264Depacketizer;
import dev.vireo.webrtc.rtp.JitterBuffer;
import dev.vireo.webrtc.rtp.RtpException;
import dev.vireo.webrtc.rtp.RtpHeader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One RTP stream a publisher sends (its video or its audio): the reorder buffer with loss
 * detection ({@link JitterBuffer}), reception statistics for receiver reports, the depacketizer
 * of its codec (H.264 RFC 6184, AV1 AOMedia RTP v1.0, Opus RFC 7587) and its place on the stream
 * clock; complete frames come out as hub {@link MediaFrame}s. Not thread-safe: the session's
 * event loop drives it.
 */
final class ReceiveTrack implements AutoCloseable {

    /** Sequence numbers the reorder buffer spans (≈ 1 s of 8 Mbps video). */
    private static final int BUFFER_PACKETS = 1024;
    /**
     * Bounds of the wait for a missing packet; between them: 4 × the measured jitter + 100 ms. A
     * sender's retransmission queues behind its pacer (a keyframe burst at a low estimated bitrate
     * takes ~100 ms to leave Chromium), so even on a LAN the wait must cover a few NACK rounds.
     */
    static final long MIN_WAIT_NANOS = 150_000_000L;
    /**
     * A gap is given up on after this at the latest: a longer wait would itself freeze the picture
     * for longer than a keyframe request usually takes (the 500 ms freeze bound of issue 13).
     */
    static final long MAX_WAIT_NANOS = 450_000_000L;
    /** NACK rounds a gap is waited for: the first NACK goes out when the gap is seen, then one per NACK RTT. */
    private static final int NACK_ROUNDS = 3;
    /** Without NACK a gap is never filled: wait only for reordering. */
    static final long NO_NACK_WAIT_NANOS = 20_000_000L;
    private static final int MAX_AV1_PACKETS = 2048;

    private final Codec codec;
    private final int payloadType;
    private final int clockRate;
    private final ByteBufAllocator alloc;
    private final MediaClock.Track clock;
    private JitterBuffer buffer;
    private ReceptionStatistics stats;
    private boolean nack;
    private int ssrc;
    private boolean ssrcKnown;
    // H.264
    private final H264Depacketizer h264;
    private final H264AccessUnits accessUnits;
    // AV1: the payloads of the temporal unit being received
    private final List<ByteBuf> av1Payloads = new ArrayList<>();
    private long av1Timestamp = -1;
    private long av1ExpectedSeq = -1;
    private boolean av1Damaged;
    private boolean av1WaitingForKey = true;
    private byte[] av1SequenceHeader;
    // Opus
    private boolean audioConfigSent;

    /** Arrival of the first packet per RTP timestamp (a small ring): when a frame entered the server. */
    private final long[] arrivalTs = new long[ARRIVALS];
    private final long[] arrivalNanos = new long[ARRIVALS];
    private int arrivalNext;
    private long lastArrivalTs = -1;
    private static final int ARRIVALS = 64;

    private long frames;
    private long keyframes;
    private long depacketizeErrors;
    private String lastError;

    ReceiveTrack(Codec codec, int payloadType, int clockRate, ByteBufAllocator alloc, MediaClock.Track clock) {
        this.codec = codec;
        this.payloadType = payloadType;
        this.clockRate = clockRate;
        this.alloc = alloc;
        this.clock = clock;
        this.buffer = new JitterBuffer(BUFFER_PACKETS, NO_NACK_WAIT_NANOS);
        this.h264 = codec == Codec.H264 ? new H264Depacketizer(alloc) : null;
        this.accessUnits = codec == Codec.H264 ? new H264AccessUnits() : null;
    }

    /** Whether the sender answers NACKs for this stream (then gaps are waited for longer). */
    ReceiveTrack nack(boolean enabled) {
        this.nack = enabled;
        buffer.maxWaitNanos(enabled ? MIN_WAIT_NANOS : NO_NACK_WAIT_NANOS);
        return this;
    }

    Codec codec() {
        return codec;
    }

    int payloadType() {
        return payloadType;
    }

    boolean isVideo() {
        return codec != Codec.OPUS;
    }

    /** The sender's SSRC of this stream (0 before its first packet). */
    int ssrc() {
        return ssrc;
    }

    boolean ssrcKnown() {
        return ssrcKnown;
    }

    ReceptionStatistics statistics() {
        return stats;
    }

    MediaClock.Track clock() {
        return clock;
    }

    JitterBuffer buffer() {
        return buffer;
    }

    /**
     * An RTP packet of this stream (plain, header parsed); takes ownership of {@code packet}.
     *
     * @param retransmission restored from RTX (RFC 4588): it counts as received, but its late
     *     arrival says nothing about the interarrival jitter or when its frame entered the server
     */
    void onPacket(ByteBuf packet, RtpHeader header, long nowNanos, boolean retransmission) {
        if (!ssrcKnown || header.ssrc() != ssrc) {
            if (ssrcKnown) {
                // A new SSRC (the sender restarted the stream): start over, on a new time anchor too.
                reset();
                clock.restart();
            }
            ssrc = header.ssrc();
            ssrcKnown = true;
            stats = new ReceptionStatistics(ssrc, clockRate);
        }
        long ext = buffer.extend(header.sequenceNumber());
        boolean inOrder = !retransmission
                && (buffer.nextSequence() < 0 || ext >= buffer.nextSequence() && ext > highestSeen);
        if (ext > highestSeen) {
            highestSeen = ext;
        }
        stats.onPacket(ext, header.timestamp(), nowNanos, inOrder);
        if (header.timestamp() != lastArrivalTs && inOrder) {
            lastArrivalTs = header.timestamp();
            arrivalTs[arrivalNext] = header.timestamp();
            arrivalNanos[arrivalNext] = nowNanos;
            arrivalNext = (arrivalNext + 1) % ARRIVALS;
        }
        buffer.push(packet, header.sequenceNumber(), nowNanos);
    }

    private long highestSeen = Long.MIN_VALUE;

    /** When the first packet with RTP timestamp {@code ts} arrived, or {@code fallback}. */
    private long arrival(long ts, long fallback) {
        for (int i = 0; i < ARRIVALS; i++) {
            if (arrivalTs[i] == ts && arrivalNanos[i] != 0) {
                return Math.min(arrivalNanos[i], fallback);
            }
        }
        return fallback;
    }

    /** Hands the packets that are due to the depacketizer and the frames they complete to {@code out}. */
    void drain(long nowNanos, Consumer<MediaFrame> out) {
        if (stats != null) {
            long jitter = (long) (stats.jitterMillis() * 1_000_000);
            buffer.maxWaitNanos(nack ? nackWaitNanos(jitter, buffer.nackRttNanos())
                    : Math.min(MAX_WAIT_NANOS, 2 * jitter + NO_NACK_WAIT_NANOS));
        }
        ByteBuf p;
        while ((p = buffer.poll(nowNanos)) != null) {
            try {
                depacketize(p, nowNanos, out);
            } catch (RtpException e) {
                depacketizeErrors++;
                lastError = e.getMessage();
                if (h264 != null) {
                    h264.reset();
                }
                dropAv1(true);
            } finally {
                p.release();
            }
        }
    }

    /**
     * How long a gap of a NACKed stream is waited for: 4 × jitter + 100 ms (reordering and a
     * sender's paced retransmission) or {@link #NACK_ROUNDS} NACK round trips as measured, whichever
     * is longer, within [{@link #MIN_WAIT_NANOS}, {@link #MAX_WAIT_NANOS}].
     */
    static long nackWaitNanos(long jitterNanos, long nackRttNanos) {
        long wait = Math.max(4 * jitterNanos + 100_000_000L, nackRttNanos < 0 ? 0 : NACK_ROUNDS * nackRttNanos);
        return Math.max(MIN_WAIT_NANOS, Math.min(MAX_WAIT_NANOS, wait));
    }

    private void depacketize(ByteBuf packet, long nowNanos, Consumer<MediaFrame> out) {
        switch (codec) {
            case H264 -> {
                h264.push(packet);
                H264Depacketizer.AccessUnit au;
                while ((au = h264.poll()) != null) {
                    try {
                        h264Frame(au, nowNanos, out);
                    } finally {
                        au.data().release();
                    }
                }
            }
            case AV1 -> av1Packet(packet, nowNanos, out);
            case OPUS -> opusPacket(packet, nowNanos, out);
            default -> throw new IllegalStateException(codec.name());
        }
    }

    private void h264Frame(H264Depacketizer.AccessUnit au, long nowNanos, Consumer<MediaFrame> out) {
        H264AccessUnits.Result r = accessUnits.split(alloc, au.data());
        long ms = clock.millis(au.timestamp(), nowNanos);
        if (r.config() != null) {
            out.accept(MediaFrame.config(Codec.H264, ms, r.config()));
        }
        if (r.frame() == null) {
            return;
        }
        if (!accessUnits.hasConfig()) {
            r.frame().release(); // no SPS/PPS yet: nothing can decode it
            return;
        }
        frames++;
        if (r.keyframe()) {
            keyframes++;
        }
        out.accept(MediaFrame.media(Codec.H264, ms, 0, r.keyframe(), r.frame(), arrival(au.timestamp(), nowNanos)));
    }

    /** RFC 7587 §4.2: one Opus packet per RTP packet. */
    private void opusPacket(ByteBuf packet, long nowNanos, Consumer<MediaFrame> out) {
        RtpHeader h = RtpHeader.parse(packet);
        ByteBuf payload = h.payload(packet);
        if (!payload.isReadable()) {
            return; // DTX/padding
        }
        long ms = clock.millis(h.timestamp(), nowNanos);
        if (!audioConfigSent) {
            audioConfigSent = true;
            ByteBuf head = alloc.buffer(19);
            new OpusHead(2, 0, OpusHead.DECODE_RATE, 0, 0).write(head);
            out.accept(MediaFrame.config(Codec.OPUS, ms, head));
        }
        frames++;
        ByteBuf copy = alloc.buffer(payload.readableBytes());
        copy.writeBytes(payload);
        out.accept(MediaFrame.media(Codec.OPUS, ms, 0, false, copy, arrival(h.timestamp(), nowNanos)));
    }

    /**
     * AOMedia AV1 RTP v1.0 §4: a temporal unit is the packets of one timestamp, the last with the
     * marker; a gap damages it, and after damage only a temporal unit that starts a new coded video
     * sequence (N=1, §4.4) can be decoded.
     */
    private void av1Packet(ByteBuf packet, long nowNanos, Consumer<MediaFrame> out) {
        RtpHeader h = RtpHeader.parse(packet);
        int seq = h.sequenceNumber();
        boolean gap = av1ExpectedSeq >= 0 && seq != av1ExpectedSeq;
        av1ExpectedSeq = seq + 1 & 0xFFFF;
        if (!av1Payloads.isEmpty() && h.timestamp() != av1Timestamp) {
            dropAv1(true); // the previous temporal unit lost its end
        }
        av1Damaged |= gap;
        av1Timestamp = h.timestamp();
        if (av1Payloads.size() >= MAX_AV1_PACKETS) {
            throw new RtpException("AV1 temporal unit of more than " + MAX_AV1_PACKETS + " packets");
        }
        av1Payloads.add(h.payload(packet).retain());
        if (!h.marker()) {
            return;
        }
        if (av1Damaged) {
            dropAv1(true);
            return;
        }
        Av1Depacketizer.TemporalUnit tu;
        try {
            tu = Av1Depacketizer.depacketize(alloc, av1Payloads, Av1Depacketizer.DEFAULT_MAX_TEMPORAL_UNIT);
        } finally {
            dropAv1(false);
        }
        boolean key = tu.newCodedVideoSequence();
        if (av1WaitingForKey && !key) {
            tu.obus().release();
            return;
        }
        av1WaitingForKey = false;
        long ms = clock.millis(h.timestamp(), nowNanos);
        if (key) {
            byte[] sh = Av1Obus.sequenceHeaderObu(tu.obus());
            // (the null test first: Jazzer 0.26's Arrays.equals hook crashes the JVM on a null argument)
            if (sh != null && (av1SequenceHeader == null || !java.util.Arrays.equals(sh, av1SequenceHeader))) {
                ByteBuf config = av1Config(tu.obus(), sh);
                if (config == null) {
                    // A sequence header that does not parse: no av1C to announce it with, nor a
                    // decoder that takes it; wait for a keyframe with a good one.
                    tu.obus().release();
                    depacketizeErrors++;
                    lastError = "AV1 sequence header that does not parse";
                    av1WaitingForKey = true;
                    return;
                }
                av1SequenceHeader = sh;
                out.accept(MediaFrame.config(Codec.AV1, ms, config));
            }
        }
        if (av1SequenceHeader == null) {
            tu.obus().release();
            return;
        }
        frames++;
        if (key) {
            keyframes++;
        }
        out.accept(MediaFrame.media(Codec.AV1, ms, 0, key, tu.obus(), arrival(h.timestamp(), nowNanos)));
    }

    /**
     * The av1C (AV1 ISOBMFF binding §2.3) of a sequence header: profile, level and tier from it;
     * 8-bit 4:2:0 is assumed for the colour fields (what WebRTC encoders send), the sequence
     * header OBU follows as configOBUs.
     */
    private ByteBuf av1Config(ByteBuf obus, byte[] sequenceHeaderObu) {
        Av1SequenceHeader sh;
        try {
            sh = Av1SequenceHeader.find(obus.duplicate());
        } catch (RuntimeException e) {
            return null;
        }
        ByteBuf c = alloc.buffer(4 + sequenceHeaderObu.length);
        c.writeByte(0x81);
        c.writeByte(sh.seqProfile() << 5 | sh.seqLevelIdx0() & 0x1F);
        c.writeByte(sh.seqTier0() << 7 | 1 << 3 | 1 << 2);
        c.writeByte(0);
        c.writeBytes(sequenceHeaderObu);
        return c;
    }

    private void dropAv1(boolean damage) {
        av1Payloads.forEach(ByteBuf::release);
        av1Payloads.clear();
        av1Damaged = false;
        if (damage && codec == Codec.AV1) {
            av1WaitingForKey = true;
        }
    }

    /** Whether the stream cannot be decoded until a keyframe (a PLI is due). */
    boolean keyframeNeeded() {
        return switch (codec) {
            case H264 -> h264.keyframeNeeded();
            case AV1 -> av1WaitingForKey;
            default -> false;
        };
    }

    long frames() {
        return frames;
    }

    long keyframes() {
        return keyframes;
    }

    long depacketizeErrors() {
        return depacketizeErrors;
    }

    String lastError() {
        return lastError;
    }

    private void reset() {
        buffer.close();
        buffer = new JitterBuffer(BUFFER_PACKETS, nack ? MIN_WAIT_NANOS : NO_NACK_WAIT_NANOS);
        if (h264 != null) {
            h264.reset();
        }
        dropAv1(true);
        av1ExpectedSeq = -1; // the new stream numbers its packets afresh: its first is no gap
        highestSeen = Long.MIN_VALUE;
    }

    @Override
    public void close() {
        reset();
        if (h264 != null) {
            h264.close();
        }
    }
}
