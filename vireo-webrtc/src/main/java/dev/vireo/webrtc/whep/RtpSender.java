package dev.vireo.webrtc.whep;

import dev.vireo.webrtc.RtcTransport;
import dev.vireo.webrtc.bwe.TransportSequencer;
import dev.vireo.webrtc.rtcp.NtpTime;
import dev.vireo.webrtc.rtcp.SenderReport;
import dev.vireo.webrtc.rtp.RtpHeaderExtensions;
import dev.vireo.webrtc.rtp.RtpHeaderWriter;
import dev.vireo.webrtc.rtp.RtpPayloads;
import dev.vireo.webrtc.whep.retransmit.AudioRetransmitter;
import dev.vireo.webrtc.whep.retransmit.RetransmissionBuffer;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * One outgoing RTP stream of a viewer (RFC 3550 §5.1): its SSRC, sequence numbers and timestamp
 * offset (both starting at random values, §5.1), the counters its sender reports carry (§6.4.1),
 * and the send path of its packets: straight to the transport in GSO runs, or through the
 * viewer's {@link PacedEgress}. The payload bytes are the stream's shared ones; only the header is
 * this viewer's. What was sent is handed to the retransmission side ({@code whep.retransmit}: the
 * video's {@link RetransmissionBuffer}, the audio's {@link AudioRetransmitter}); a frame's FEC is
 * its {@link UlpfecFrame}'s. Used on the session's event loop only.
 */
final class RtpSender {

    /** Writes one packet's plain bytes at the writer index of {@code out} (sent after a frame). */
    @FunctionalInterface
    interface PacketWriter {
        void write(ByteBuf out, int sequence, int absSendTime, int transportSequence);
    }

    final int ssrc;
    final int payloadType;
    final int clockRate;
    private final int timestampOffset;
    private final RtpHeaderWriter header;
    private final RetransmissionBuffer history;
    private int sequence;
    private long packetCount;
    private long octetCount;
    private int lastTimestamp;
    private boolean sentAny;
    /** Where video runs leave (paced when the link is short), null: straight to the transport. */
    private PacedEgress egress;
    /** Audio packets as sent, for a peer that NACKs audio; null otherwise. */
    private final AudioRetransmitter audioNacks;
    /** The video's FEC, null where RED and ULPFEC were not negotiated. */
    private final UlpfecFrame fec;

    /**
     * @param history    the video's frames as sent, kept for retransmission; null when not kept
     * @param audioNacks keeps every packet {@link #send} sends, as sent, for an audio NACK; or null
     * @param fec        sends frames with FEC when it says so; null without RED and ULPFEC
     */
    RtpSender(int ssrc, int payloadType, int clockRate, RtpHeaderWriter header, RetransmissionBuffer history,
              AudioRetransmitter audioNacks, UlpfecFrame fec, RandomGenerator random) {
        this.ssrc = ssrc;
        this.payloadType = payloadType;
        this.clockRate = clockRate;
        this.header = header;
        this.history = history;
        this.audioNacks = audioNacks;
        this.fec = fec;
        this.sequence = random.nextInt(1 << 15); // RFC 3550 §5.1: random; low enough to not wrap at once
        this.timestampOffset = random.nextInt();
    }

    /** The RTP timestamp of a media time in milliseconds (pts × clock rate, plus the random offset). */
    int timestamp(long mediaMillis) {
        return timestampOffset + (int) (mediaMillis * clockRate / 1000);
    }

    int lastTimestamp() {
        return lastTimestamp;
    }

    void pacedBy(PacedEgress egress) {
        this.egress = egress;
    }

    boolean sentAny() {
        return sentAny;
    }

    /** The sequence number the next packet of this stream will carry. */
    int nextSequence() {
        return sequence;
    }

    /**
     * Sends one packet whose payload is {@code length} bytes at {@code offset} of the shared
     * {@code source} (audio: not kept for retransmission; video goes through {@link #sendFrame}).
     *
     * @param transportSequences the session's transport-wide sequence numbers
     * @return the bytes handed to the transport (header and payload), 0 when not sent
     */
    int send(RtcTransport transport, ByteBuf source, int offset, int length, boolean marker, int timestamp,
             TransportSequencer transportSequences, long nowNanos) {
        if (transport.srtpProfile() == null) {
            return 0;
        }
        ByteBuf scratch = LoopScratch.run();
        int written = writePacket(transport, scratch, 0, source, offset, length, marker, timestamp,
                transportSequences.next(header.headerLength() + length, nowNanos),
                RtpHeaderExtensions.absSendTime(nowNanos));
        if (written < 0) {
            return 0;
        }
        if (audioNacks != null) {
            audioNacks.keep(sequence - 1 & 0xFFFF, scratch, 0, written, nowNanos);
        }
        return transport.writeRtpSegments(LoopScratch.copyOut(transport, scratch, written), written, 1)
                ? header.headerLength() + length : 0;
    }

    /**
     * Sends a frame's packets, the cached {@link RtpPayloads} every viewer shares, all with one
     * timestamp, with FEC when {@code fecGroupSize} > 0 and FEC was negotiated ({@link UlpfecFrame}).
     * Consecutive packets of one size (FU-A fragments, RFC 6184 §5.8, are cut to the largest size
     * but the last) leave as one run: one UDP GSO send per run where the socket offloads
     * segmentation, so a frame costs the kernel one trip through the stack per viewer instead of
     * one per packet.
     *
     * @param noMarker clear the marker bit on every packet (parameter sets in front of a keyframe)
     * @return the bytes handed to the transport (headers and payloads)
     */
    long sendFrame(RtcTransport transport, ByteBuf payloads, boolean noMarker, int timestamp,
                   TransportSequencer transportSequences, long nowNanos, int fecGroupSize) {
        if (transport.srtpProfile() == null) {
            return 0;
        }
        UlpfecFrame f = fec;
        if (f != null) {
            f.begin(fecGroupSize);
        }
        int red = f != null && f.on() ? 1 : 0;
        int overhead = header.headerLength() + transport.srtpProfile().rtpTagLength() + red;
        int absSendTime = RtpHeaderExtensions.absSendTime(nowNanos);
        int n = RtpPayloads.count(payloads);
        int pos = RtpPayloads.firstPayload(payloads);
        int firstSequence = sequence;
        long bytes = 0;
        for (int i = 0; i < n; ) {
            int length = RtpPayloads.length(payloads, i);
            int segment = overhead + length;
            int end = RtpPayloads.runEnd(payloads, i, transport.maxSegments(segment));
            int runProtected = 0;
            for (int k = i; k < end; k++) {
                runProtected += overhead + RtpPayloads.length(payloads, k);
            }
            boolean paced = egress != null && !egress.direct(runProtected, nowNanos);
            ByteBuf run = LoopScratch.run();
            int at = 0;
            long runBytes = 0;
            for (int k = i; k < end; k++) {
                int len = RtpPayloads.length(payloads, k);
                boolean marker = !noMarker && RtpPayloads.marker(payloads, k);
                if (red > 0) {
                    f.capture(k, marker, sequence, timestamp, payloads, pos, len);
                }
                if (paced) {
                    // queued plain, numbered and protected when it leaves (PacedEgress)
                    ByteBuf packet = transport.alloc().heapBuffer(overhead + len);
                    writePlain(packet, 0, payloads, pos, len, marker, timestamp, 0, 0, red > 0);
                    advance(len, timestamp);
                    if (egress.enqueuePlain(packet, header, nowNanos)) {
                        bytes += header.headerLength() + red + len;
                    }
                } else {
                    int written = writePacket(transport, run, at, payloads, pos, len, marker, timestamp,
                            transportSequences.next(header.headerLength() + len, nowNanos), absSendTime);
                    if (written < 0) {
                        remember(firstSequence, payloads, noMarker, timestamp, nowNanos);
                        return bytes;
                    }
                    at += written;
                    runBytes += header.headerLength() + red + len;
                }
                pos += len;
            }
            if (!paced && transport.writeRtpSegments(LoopScratch.copyOut(transport, run, at), segment, end - i)) {
                bytes += runBytes;
            }
            i = end;
        }
        remember(firstSequence, payloads, noMarker, timestamp, nowNanos);
        if (red > 0) {
            bytes += f.finish(this, transport, payloads, timestamp, transportSequences, absSendTime, nowNanos);
        }
        return bytes;
    }

    /**
     * Sends one more packet of {@code size} bytes (header included, plain) on this SSRC after a
     * frame, written by {@code writer} at the next sequence number: behind the frame's media
     * packets, through the pacer when they were queued.
     *
     * @return the bytes handed on, 0 when not sent; -1 when it did not take its sequence number
     */
    int sendAfterFrame(RtcTransport transport, int size, PacketWriter writer, TransportSequencer transportSequences,
                       int absSendTime, long nowNanos) {
        int tag = transport.srtpProfile().rtpTagLength();
        if (egress != null && !egress.direct(size + tag, nowNanos)) {
            ByteBuf packet = transport.alloc().heapBuffer(size + tag);
            writer.write(packet, sequence, absSendTime, 0);
            int plain = packet.readableBytes();
            advance(plain - header.headerLength(), lastTimestamp);
            return egress.enqueuePlain(packet, header, nowNanos) ? plain : 0;
        }
        ByteBuf out = LoopScratch.run().clear();
        writer.write(out, sequence, absSendTime, transportSequences.next(size, nowNanos));
        int plain = out.writerIndex();
        int written = transport.protectRtp(out, 0, plain);
        if (written < 0) {
            return -1;
        }
        advance(plain - header.headerLength(), lastTimestamp);
        return transport.writeRtpSegments(LoopScratch.copyOut(transport, out, written), written, 1) ? plain : 0;
    }

    /** Keeps the packets sent since {@code firstSequence} (a frame's) for retransmission. */
    private void remember(int firstSequence, ByteBuf payloads, boolean noMarker, int timestamp, long nowNanos) {
        if (history != null) {
            history.put(firstSequence, sequence - firstSequence & 0xFFFF, payloads, noMarker, timestamp, nowNanos);
        }
    }

    /**
     * Writes header and payload of the next packet at {@code out[start..]}, protects it in
     * place and counts it (the caller keeps the frame for retransmission).
     *
     * @return the protected length, or -1 when the transport refused it
     */
    private int writePacket(RtcTransport transport, ByteBuf out, int start, ByteBuf source, int offset, int length,
                            boolean marker, int timestamp, int transportSequence, int absSendTime) {
        writePlain(out, start, source, offset, length, marker, timestamp, transportSequence, absSendTime,
                fec != null && fec.on());
        int written = transport.protectRtp(out, start, out.writerIndex() - start);
        if (written < 0) {
            return -1;
        }
        advance(length, timestamp);
        return written;
    }

    /** Writes header and payload of the next packet at {@code out[start..]}, not protected. */
    private void writePlain(ByteBuf out, int start, ByteBuf source, int offset, int length, boolean marker,
                            int timestamp, int transportSequence, int absSendTime, boolean inRed) {
        out.writerIndex(start);
        if (inRed) {
            // RFC 2198 §3: RED with the primary block only, its 1-byte header naming the media type
            header.write(out, marker, fec.redPayloadType(), sequence, timestamp & 0xFFFF_FFFFL, ssrc, absSendTime,
                    transportSequence);
            out.writeByte(payloadType);
        } else {
            header.write(out, marker, payloadType, sequence, timestamp & 0xFFFF_FFFFL, ssrc, absSendTime,
                    transportSequence);
        }
        out.writeBytes(source, offset, length);
    }

    /** The packet written last (a payload of {@code length} bytes) took its sequence number. */
    private void advance(int length, int timestamp) {
        sequence = sequence + 1 & 0xFFFF;
        packetCount++;
        octetCount += length;
        lastTimestamp = timestamp;
        sentAny = true;
    }

    /**
     * The sender report for now (RFC 3550 §6.4.1): the wallclock, the RTP timestamp of the same
     * instant on this stream's clock, and the packet and octet counts.
     *
     * @param mediaMillisNow the stream's media time at this instant, in milliseconds
     */
    SenderReport report(long unixMillisNow, long mediaMillisNow) {
        return new SenderReport(ssrc, NtpTime.fromUnixMillis(unixMillisNow), timestamp(mediaMillisNow) & 0xFFFF_FFFFL,
                packetCount & 0xFFFF_FFFFL, octetCount & 0xFFFF_FFFFL, List.of());
    }

    void close() {
        if (history != null) {
            history.close();
        }
    }
}
