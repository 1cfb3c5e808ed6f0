package dev.vireo.webrtc.whep;

import dev.vireo.webrtc.RtcTransport;
import dev.vireo.webrtc.rtcp.NtpTime;
import dev.vireo.webrtc.rtcp.SenderReport;
import dev.vireo.webrtc.rtp.RtpHeaderExtensions;
import dev.vireo.webrtc.rtp.RtpHeaderWriter;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.random.RandomGenerator;

/**
 * One outgoing RTP stream of a viewer (RFC 3550 §5.1): its SSRC, sequence numbers and timestamp
 * offset (both starting at random values, §5.1), the counters its sender reports carry (§6.4.1),
 * and for video the retransmission buffer and RTX stream (RFC 4588). The payload bytes are the
 * stream's shared ones; only the header is this viewer's. Used on the session's event loop only.
 */
final class RtpSender {

    /**
     * Bounds of the gap between two retransmissions of one packet: a NACK repeated within about
     * one round trip is a duplicate (the first retransmission is still on its way), a later one
     * means the retransmission was lost too.
     */
    private static final long MIN_RESEND_INTERVAL_NANOS = 5_000_000L;
    private static final long MAX_RESEND_INTERVAL_NANOS = 100_000_000L;

    final int ssrc;
    final int payloadType;
    final int clockRate;
    private final int rtxSsrc;
    private final int rtxPayloadType;
    private final int timestampOffset;
    private final RtpHeaderWriter header;
    private final RetransmissionBuffer history;
    private int sequence;
    private int rtxSequence;
    private long packetCount;
    private long octetCount;
    private int lastTimestamp;
    private boolean sentAny;

    /**
     * @param rtxPayloadType -1 to retransmit on the original SSRC (plain retransmission)
     * @param history null for a stream that never retransmits (audio)
     */
    RtpSender(int ssrc, int payloadType, int clockRate, int rtxSsrc, int rtxPayloadType, RtpHeaderWriter header,
              RetransmissionBuffer history, RandomGenerator random) {
        this.ssrc = ssrc;
        this.payloadType = payloadType;
        this.clockRate = clockRate;
        this.rtxSsrc = rtxSsrc;
        this.rtxPayloadType = rtxPayloadType;
        this.header = header;
        this.history = history;
        this.sequence = random.nextInt(1 << 15); // RFC 3550 §5.1: random; low enough to not wrap at once
        this.rtxSequence = random.nextInt(1 << 15);
        this.timestampOffset = random.nextInt();
    }

    /** The RTP timestamp of a media time in milliseconds (pts × clock rate, plus the random offset). */
    int timestamp(long mediaMillis) {
        return timestampOffset + (int) (mediaMillis * clockRate / 1000);
    }

    int lastTimestamp() {
        return lastTimestamp;
    }

    boolean sentAny() {
        return sentAny;
    }

    long packetCount() {
        return packetCount;
    }

    /**
     * Sends one packet whose payload is {@code length} bytes at {@code offset} of the shared
     * {@code source}; records it for retransmission.
     *
     * @param transportSequence the session's transport-wide sequence number for this packet
     * @return the bytes handed to the transport (header and payload), 0 when not sent
     */
    int send(RtcTransport transport, ByteBuf source, int offset, int length, boolean marker, int timestamp,
             int transportSequence, long nowNanos) {
        ByteBuf packet = transport.alloc().heapBuffer(header.headerLength() + length
                + transport.srtpProfile().rtpTagLength());
        header.write(packet, marker, payloadType, sequence, timestamp & 0xFFFF_FFFFL, ssrc,
                RtpHeaderExtensions.absSendTime(nowNanos), transportSequence);
        packet.writeBytes(source, offset, length);
        int size = packet.readableBytes();
        if (history != null) {
            history.put(sequence, source, offset, length, marker, timestamp, nowNanos);
        }
        sequence = sequence + 1 & 0xFFFF;
        packetCount++;
        octetCount += length;
        lastTimestamp = timestamp;
        sentAny = true;
        return transport.writeRtp(packet) ? size : 0;
    }

    /**
     * Resends a packet the receiver reported lost: as RTX (RFC 4588 §4: own SSRC, payload type and
     * sequence number, the original sequence number in front of the payload) when negotiated,
     * else as it was.
     *
     * @param transportSequences the session's transport-wide sequence numbers, taken only when sending
     * @param rttNanos the round-trip time to the viewer, or -1 when not known yet
     * @return false when the packet is unknown, too old, or was resent less than about an RTT ago
     */
    boolean retransmit(RtcTransport transport, int lostSequence, IntSupplier transportSequences, long nowNanos,
                       long rttNanos) {
        if (history == null) {
            return false;
        }
        int slot = history.find(lostSequence, nowNanos);
        if (slot < 0) {
            return false;
        }
        long resent = history.resentNanos(slot);
        long interval = Math.clamp(rttNanos < 0 ? 20_000_000L : rttNanos * 3 / 4, MIN_RESEND_INTERVAL_NANOS,
                MAX_RESEND_INTERVAL_NANOS);
        if (resent != Long.MIN_VALUE && nowNanos - resent < interval) {
            return false;
        }
        history.markResent(slot, nowNanos);
        int transportSequence = transportSequences.getAsInt();
        int length = history.length(slot);
        boolean rtx = rtxPayloadType >= 0;
        ByteBuf packet = transport.alloc().heapBuffer(header.headerLength() + (rtx ? 2 : 0) + length
                + transport.srtpProfile().rtpTagLength());
        if (rtx) {
            header.write(packet, history.marker(slot), rtxPayloadType, rtxSequence, history.timestamp(slot) & 0xFFFF_FFFFL,
                    rtxSsrc, RtpHeaderExtensions.absSendTime(nowNanos), transportSequence);
            rtxSequence = rtxSequence + 1 & 0xFFFF;
            packet.writeShort(lostSequence);
        } else {
            header.write(packet, history.marker(slot), payloadType, lostSequence, history.timestamp(slot) & 0xFFFF_FFFFL,
                    ssrc, RtpHeaderExtensions.absSendTime(nowNanos), transportSequence);
        }
        packet.writeBytes(history.buffer(slot), history.offset(slot), length);
        return transport.writeRtp(packet);
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
