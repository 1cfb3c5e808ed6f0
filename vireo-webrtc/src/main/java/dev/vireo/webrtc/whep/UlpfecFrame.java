package dev.vireo.webrtc.whep;

import dev.vireo.webrtc.RtcTransport;
import dev.vireo.webrtc.bwe.TransportSequencer;
import dev.vireo.webrtc.rtp.RtpHeaderWriter;
import dev.vireo.webrtc.rtp.RtpPayloads;
import dev.vireo.webrtc.rtp.UlpfecEncoder;
import dev.vireo.webrtc.whep.retransmit.FecSequences;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;
import java.util.List;

/**
 * The forward error correction of one viewer's video frames: while its loss calls for it (the
 * decision is {@code feedback.FecOnLoss}'s, asked per frame), the frame's media packets go out in
 * RED (RFC 2198, a 1-byte header naming the media payload type) and, after them, one ULPFEC packet
 * (RFC 5109, in RED too, on the media SSRC) per group of them, each able to rebuild one lost packet
 * of its group without a round trip. The FEC packets follow the frame so that its media packets
 * keep consecutive sequence numbers (the retransmission history's one entry per frame); their
 * numbers are kept ({@link FecSequences}) so a NACK for one is answered. On the session's loop.
 */
final class UlpfecFrame {

    /**
     * Where an event loop keeps the protected form ({@link UlpfecEncoder#protectedForm}) of the
     * packets of the frame being sent. A frame larger than this is protected up to it.
     */
    private static final FastThreadLocal<ByteBuf> FEC_SCRATCH = new FastThreadLocal<>() {
        @Override
        protected ByteBuf initialValue() {
            return Unpooled.buffer(FEC_SCRATCH_BYTES, FEC_SCRATCH_BYTES);
        }
    };
    private static final int FEC_SCRATCH_BYTES = 512 * 1024;

    private final RtpHeaderWriter header;
    private final int ssrc;
    private final int mediaPayloadType;
    private final int redPayloadType;
    private final int ulpfecPayloadType;
    private final FecSequences sequences;
    /** Media packets per FEC packet in the frame being sent, 0 without FEC. */
    private int group;
    private ByteBuf forms;
    private int captured;
    private volatile long packets;

    /**
     * @param redPayloadType    video RED (RFC 2198), the envelope of media and ULPFEC
     * @param ulpfecPayloadType ULPFEC (RFC 5109) inside it
     */
    UlpfecFrame(RtpHeaderWriter header, int ssrc, int mediaPayloadType, int redPayloadType, int ulpfecPayloadType,
                FecSequences sequences) {
        this.header = header;
        this.ssrc = ssrc;
        this.mediaPayloadType = mediaPayloadType;
        this.redPayloadType = redPayloadType;
        this.ulpfecPayloadType = ulpfecPayloadType;
        this.sequences = sequences;
    }

    /** A frame starts: {@code groupSize} media packets per FEC packet, 0 for none. */
    void begin(int groupSize) {
        group = Math.clamp(groupSize, 0, UlpfecEncoder.MAX_MEDIA_PACKETS);
        captured = 0;
        forms = group > 0 ? FEC_SCRATCH.get().clear() : null;
    }

    /** Whether the frame being sent gets FEC (its media packets then go in RED). */
    boolean on() {
        return group > 0;
    }

    int redPayloadType() {
        return redPayloadType;
    }

    /**
     * Keeps packet {@code k}'s protected form (RFC 5109 as libwebrtc checks it: media payload
     * type, no RED header, late-written extension data zeroed) after the frame's earlier ones,
     * when FEC is on and it is the next one and fits.
     */
    void capture(int k, boolean marker, int sequence, int timestamp, ByteBuf payloads, int pos, int len) {
        if (forms == null || captured != k || forms.writableBytes() < header.headerLength() + len) {
            return;
        }
        header.write(forms, marker, mediaPayloadType, sequence, timestamp & 0xFFFF_FFFFL, ssrc, 0, 0);
        forms.writeBytes(payloads, pos, len);
        captured++;
    }

    /**
     * Sends one ULPFEC packet per group of the packets captured, after the frame's media packets
     * ({@link RtpSender#sendAfterFrame}: through the pacer when those were queued).
     *
     * @return the bytes handed on
     */
    long finish(RtpSender sender, RtcTransport transport, ByteBuf payloads, int timestamp,
                TransportSequencer transportSequences, int absSendTime, long nowNanos) {
        List<ByteBuf> members = new ArrayList<>(group);
        long bytes = 0;
        int at = 0;
        for (int k = 0; k < captured; k++) {
            int len = header.headerLength() + RtpPayloads.length(payloads, k);
            members.add(forms.slice(at, len));
            at += len;
            if (members.size() == group || k == captured - 1) {
                // the estimator's size: RTP header, RED header, ULPFEC header and level (RFC 5109 §7.3-7.4) and
                // the longest protected payload, as UlpfecEncoder writes it
                int longest = members.stream().mapToInt(ByteBuf::readableBytes).max().orElse(0);
                int size = header.headerLength() + 1 + UlpfecEncoder.FEC_HEADER_SIZE
                        + UlpfecEncoder.SHORT_LEVEL_HEADER_SIZE + longest;
                int sequence = sender.nextSequence();
                int sent = sender.sendAfterFrame(transport, size, (out, seq, abs, tseq) -> {
                    // RFC 2198 §3 with one block: the 1-byte header (F=0, ULPFEC's type), then RFC 5109 §7
                    header.write(out, false, redPayloadType, seq, timestamp & 0xFFFF_FFFFL, ssrc, abs, tseq);
                    out.writeByte(ulpfecPayloadType);
                    UlpfecEncoder.write(out, members);
                }, transportSequences, absSendTime, nowNanos);
                if (sent >= 0) {
                    sequences.sent(sequence, timestamp);
                    packets++;
                    bytes += sent;
                }
                members.clear();
            }
        }
        captured = 0;
        return bytes;
    }

    /** ULPFEC packets sent. */
    long packets() {
        return packets;
    }
}
