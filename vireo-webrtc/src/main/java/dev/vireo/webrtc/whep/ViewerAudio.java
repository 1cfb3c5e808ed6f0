package dev.vireo.webrtc.whep;

import dev.vireo.core.LogContext;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.StreamKey;
import dev.vireo.webrtc.RtcTransport;
import dev.vireo.webrtc.bwe.TransportSequencer;
import dev.vireo.webrtc.rtp.RedPacketizer;
import dev.vireo.webrtc.rtp.RtpHeaderWriter;
import dev.vireo.webrtc.whep.retransmit.AudioRetransmitter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WHEP viewer's audio: one Opus packet per RTP packet (RFC 7587 §4.2), as RED (RFC 2198) with
 * the previous packet repeated where the viewer negotiated it, and kept as sent for a viewer that
 * NACKs audio ({@link AudioRetransmitter}). On the session's loop; the counters are read anywhere.
 */
final class ViewerAudio {

    /** The first packets' timing (debug), in the same log as the video's ({@code ViewerRtp.start}). */
    private static final Logger startLog = LoggerFactory.getLogger(ViewerRtp.class.getName() + ".start");
    private static final int START_LOGGED = 40;
    static final int MAX_PAYLOAD = 1200;
    /**
     * Earlier Opus packets each RED packet repeats (RFC 2198): one, as Chromium sends; 20 ms of
     * audio lost is then heard again unless the next packet is lost too.
     */
    private static final int RED_GENERATIONS = 1;
    /** Where an event loop builds a RED payload before it is sent (one per loop, reused). */
    private static final FastThreadLocal<ByteBuf> RED_SCRATCH = new FastThreadLocal<>() {
        @Override
        protected ByteBuf initialValue() {
            return Unpooled.buffer(MAX_PAYLOAD, MAX_PAYLOAD);
        }
    };

    private final RtcTransport transport;
    private final TransportSequencer transportSequences;
    private final StreamKey key;
    private final String id;
    private final RtpSender sender;
    /** The RFC 2198 redundancy, null when the viewer gets plain Opus. */
    private final RedPacketizer red;
    private final AudioRetransmitter retransmitter;
    private int framesSent;
    private volatile long redPackets;
    private volatile long redBlocks;

    /** @param historyNanos how long a packet may be resent after it was sent (audio NACK) */
    ViewerAudio(RtcTransport transport, MediaPlan plan, RtpHeaderWriter header, TransportSequencer transportSequences,
                RandomGenerator random, long historyNanos, StreamKey key, String id) {
        this.transport = transport;
        this.transportSequences = transportSequences;
        this.key = key;
        this.id = id;
        retransmitter = plan.audioNack() ? new AudioRetransmitter(transport, historyNanos) : null;
        // With RED negotiated every audio packet is RED (RFC 2198 §3), its blocks Opus.
        sender = new RtpSender(plan.audioSsrc(), plan.hasAudioRed() ? plan.audioRedPayloadType()
                : plan.audioPayloadType(), 48_000, header, null, retransmitter, null, random);
        red = plan.hasAudioRed() ? new RedPacketizer(plan.audioPayloadType(), RED_GENERATIONS, MAX_PAYLOAD) : null;
    }

    RtpSender sender() {
        return sender;
    }

    /** Answers the audio's NACKs (resent as sent); null when the viewer does not NACK audio. */
    AudioRetransmitter retransmitter() {
        return retransmitter;
    }

    /**
     * Sends an Opus frame.
     *
     * @return the bytes handed to the transport
     */
    long send(MediaFrame frame, long now) {
        ByteBuf payload = frame.payload();
        int len = payload.readableBytes();
        if (len == 0 || len >= MAX_PAYLOAD) {
            return 0;
        }
        // RFC 7587 §4.2: one Opus packet per RTP packet, 48 kHz clock, marker unused without DTX.
        int timestamp = sender.timestamp(frame.pts());
        if (red == null) {
            long bytes = sender.send(transport, payload, payload.readerIndex(), len, false, timestamp,
                    transportSequences, now);
            logStart(frame, timestamp, bytes);
            return bytes;
        }
        // RFC 2198: the previous Opus packet again in front of this one, same RTP header.
        ByteBuf redPayload = RED_SCRATCH.get().clear();
        int blocks = red.write(redPayload, payload, timestamp & 0xFFFF_FFFFL);
        long bytes = sender.send(transport, redPayload, 0, redPayload.readableBytes(), false, timestamp,
                transportSequences, now);
        logStart(frame, timestamp, bytes);
        if (bytes > 0) {
            redPackets++;
            redBlocks += blocks;
        }
        return bytes;
    }

    /** The first audio packets of a session, at debug level (where a viewer's start waits). */
    private void logStart(MediaFrame frame, int timestamp, long bytes) {
        if (framesSent++ < START_LOGGED && startLog.isDebugEnabled()) {
            LogContext.run(key, id, () -> startLog.debug("audio #{} pts {} rtp {} {} B at {}", framesSent - 1,
                    frame.pts(), Integer.toUnsignedString(timestamp), bytes, System.currentTimeMillis()));
        }
    }

    /** Packets sent as RED (RFC 2198). */
    long redPackets() {
        return redPackets;
    }

    /** Earlier Opus packets those repeated. */
    long redBlocks() {
        return redBlocks;
    }
}
