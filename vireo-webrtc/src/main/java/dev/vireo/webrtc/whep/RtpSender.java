package dev.vireo.webrtc.whep;

import dev.vireo.webrtc.RtcTransport;
import dev.vireo.webrtc.rtcp.NtpTime;
import dev.vireo.webrtc.rtcp.SenderReport;
import dev.vireo.webrtc.rtp.RtpHeaderExtensions;
import dev.vireo.webrtc.rtp.RtpHeaderWriter;
import dev.vireo.webrtc.rtp.RtpPadding;
import dev.vireo.webrtc.rtp.UlpfecEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

    /**
     * Where an event loop builds and encrypts a run before it leaves in a pooled direct buffer.
     * The JCE encrypts byte arrays fastest, and the epoll socket sends only native memory (Netty
     * would copy a heap buffer into a new direct one on write): building in one reused array per
     * loop and copying once saves a heap buffer's allocation and release per run.
     */
    private static final FastThreadLocal<ByteBuf> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected ByteBuf initialValue() {
            return Unpooled.buffer(SCRATCH_BYTES, SCRATCH_BYTES);
        }
    };
    /** A GSO run's bytes (at most 65,000, {@code SegmentationOffload.MAX_BYTES}) and some margin. */
    private static final int SCRATCH_BYTES = 66 * 1024;

    /**
     * Where an event loop keeps the protected form (RFC 5109, {@link UlpfecEncoder}) of the
     * packets of the frame being sent while its viewer gets FEC: the FEC packets go out after the
     * frame, so that the frame's media packets keep consecutive sequence numbers (the
     * retransmission history's one entry per frame). A frame larger than this is protected up to it.
     */
    private static final FastThreadLocal<ByteBuf> FEC_SCRATCH = new FastThreadLocal<>() {
        @Override
        protected ByteBuf initialValue() {
            return Unpooled.buffer(FEC_SCRATCH_BYTES, FEC_SCRATCH_BYTES);
        }
    };
    private static final int FEC_SCRATCH_BYTES = 512 * 1024;
    private static final int FEC_SEQUENCES = 256;

    final int ssrc;
    final int payloadType;
    final int clockRate;
    private final int rtxSsrc;
    private final int rtxPayloadType;
    private final int timestampOffset;
    private final RtpHeaderWriter header;
    private final RetransmissionBuffer history;
    /** Video FEC: the RED envelope's and ULPFEC's payload types (RFC 2198, RFC 5109), -1 without. */
    private final int redPayloadType;
    private final int ulpfecPayloadType;
    /** Media packets per FEC packet in the frame being sent, 0 without FEC. */
    private int fecGroup;
    private long fecPackets;
    private long notInHistory;
    private volatile long nacksWithoutRtx;
    private long resentRecently;
    /**
     * The sequence numbers (and timestamps) of the last {@link #FEC_SEQUENCES} FEC packets: a
     * NACK for one of them is answered with an empty packet of that number. libwebrtc's H.264
     * receiver (no picture ids) needs every sequence number, FEC ones too, before it takes the
     * frames after them as continuous: an FEC packet lost for good would stall the picture until
     * the next keyframe.
     */
    private final int[] fecSequences = new int[FEC_SEQUENCES];
    private final int[] fecTimestamps = new int[FEC_SEQUENCES];
    private int fecNext;
    private int sequence;
    private int rtxSequence;
    private long packetCount;
    private long octetCount;
    private int lastTimestamp;
    private boolean sentAny;
    /** Where video runs leave (paced when the link is short), null: straight to the transport. */
    private PacedEgress egress;
    /** Audio packets as sent, for a peer that NACKs audio; null otherwise. */
    private AudioHistory sentPackets;

    /**
     * @param rtxPayloadType -1 to retransmit on the original SSRC (plain retransmission)
     * @param history null for a stream that never retransmits (audio)
     */
    RtpSender(int ssrc, int payloadType, int clockRate, int rtxSsrc, int rtxPayloadType, RtpHeaderWriter header,
              RetransmissionBuffer history, RandomGenerator random) {
        this(ssrc, payloadType, clockRate, rtxSsrc, rtxPayloadType, header, history, random, -1, -1);
    }

    /**
     * @param redPayloadType video RED (RFC 2198) to carry media and ULPFEC in while FEC is on, or -1
     * @param ulpfecPayloadType ULPFEC (RFC 5109) inside it, or -1
     */
    RtpSender(int ssrc, int payloadType, int clockRate, int rtxSsrc, int rtxPayloadType, RtpHeaderWriter header,
              RetransmissionBuffer history, RandomGenerator random, int redPayloadType, int ulpfecPayloadType) {
        this.redPayloadType = redPayloadType;
        this.ulpfecPayloadType = ulpfecPayloadType;
        Arrays.fill(fecSequences, -1);
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

    void pacedBy(PacedEgress egress) {
        this.egress = egress;
    }

    /** Keeps every packet {@link #send} sends, as sent, so a NACK can have it again ({@link #resendAsSent}). */
    void keepSent(AudioHistory history) {
        this.sentPackets = history;
    }

    boolean sentAny() {
        return sentAny;
    }

    long packetCount() {
        return packetCount;
    }

    /** ULPFEC packets sent. */
    long fecPackets() {
        return fecPackets;
    }

    /** NACKed packets not resent: no longer (or never) in the history. */
    long notInHistory() {
        return notInHistory;
    }

    /** NACKed packets not resent because RTX was not negotiated (see {@link #retransmit}). */
    long nacksWithoutRtx() {
        return nacksWithoutRtx;
    }

    /** NACKed packets not resent: resent less than about a round trip before. */
    long resentRecently() {
        return resentRecently;
    }

    /** Whether this stream can carry FEC (RED and ULPFEC negotiated). */
    boolean canFec() {
        return redPayloadType >= 0 && ulpfecPayloadType >= 0;
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
        ByteBuf scratch = SCRATCH.get();
        int written = writePacket(transport, scratch, 0, source, offset, length, marker, timestamp,
                transportSequences.next(header.headerLength() + length, nowNanos),
                RtpHeaderExtensions.absSendTime(nowNanos), nowNanos);
        if (written < 0) {
            return 0;
        }
        if (sentPackets != null) {
            sentPackets.put(sequence - 1 & 0xFFFF, scratch, 0, written, nowNanos);
        }
        return transport.writeRtpSegments(copyOut(transport, scratch, written), written, 1)
                ? header.headerLength() + length : 0;
    }

    /**
     * RFC 4585 §6.2.1 for a stream without RTX whose packets are kept as sent (audio): resends
     * packet {@code lostSequence} byte for byte ({@link AudioHistory}).
     *
     * @return false when it is not kept (any more) or was resent a moment ago
     */
    boolean resendAsSent(RtcTransport transport, int lostSequence, long nowNanos) {
        if (sentPackets == null) {
            return false;
        }
        ByteBuf packet = transport.alloc().directBuffer(AudioHistory.MAX_BYTES);
        int length = sentPackets.resend(lostSequence, packet, nowNanos);
        if (length < 0) {
            packet.release();
            notInHistory++;
            return false;
        }
        return transport.writeRtpSegments(packet, length, 1);
    }

    /**
     * Sends a frame's packets, the cached {@link RtpPayloads} every viewer shares, all with one
     * timestamp. Consecutive packets of one size (FU-A fragments, RFC 6184 §5.8, are cut to the
     * largest size but the last) leave as one run: one UDP GSO send per run where the socket
     * offloads segmentation, so a frame costs the kernel one trip through the stack per viewer
     * instead of one per packet.
     *
     * @param noMarker clear the marker bit on every packet (parameter sets in front of a keyframe)
     * @return the bytes handed to the transport (headers and payloads)
     */
    long sendFrame(RtcTransport transport, ByteBuf payloads, boolean noMarker, int timestamp,
                   TransportSequencer transportSequences, long nowNanos) {
        return sendFrame(transport, payloads, noMarker, timestamp, transportSequences, nowNanos, 0);
    }

    /**
     * The same, with forward error correction when {@code fecGroupSize} > 0 (and FEC was
     * negotiated): the media packets go out in RED (RFC 2198, a 1-byte header naming the media
     * payload type), then one ULPFEC packet (RFC 5109, in RED too, on the media SSRC) per
     * {@code fecGroupSize} of them, each able to rebuild one lost packet of its group without a
     * round trip.
     */
    long sendFrame(RtcTransport transport, ByteBuf payloads, boolean noMarker, int timestamp,
                   TransportSequencer transportSequences, long nowNanos, int fecGroupSize) {
        if (transport.srtpProfile() == null) {
            return 0;
        }
        fecGroup = canFec() ? Math.clamp(fecGroupSize, 0, UlpfecEncoder.MAX_MEDIA_PACKETS) : 0;
        ByteBuf protectedForms = null;
        int captured = 0;
        if (fecGroup > 0) {
            protectedForms = FEC_SCRATCH.get().clear();
        }
        int overhead = header.headerLength() + transport.srtpProfile().rtpTagLength() + (fecGroup > 0 ? 1 : 0);
        int absSendTime = RtpHeaderExtensions.absSendTime(nowNanos);
        int n = RtpPayloads.count(payloads);
        int pos = RtpPayloads.firstPayload(payloads);
        int firstSequence = sequence;
        long bytes = 0;
        for (int i = 0; i < n; ) {
            int length = RtpPayloads.length(payloads, i);
            int segment = overhead + length;
            int max = transport.maxSegments(segment);
            // A run: packets of the first one's size, then at most one shorter (the kernel's rule).
            int end = i + 1;
            while (end < n && end - i < max && RtpPayloads.length(payloads, end) == length) {
                end++;
            }
            if (end < n && end - i < max && RtpPayloads.length(payloads, end) < length) {
                end++;
            }
            int runProtected = 0;
            for (int k = i; k < end; k++) {
                runProtected += overhead + RtpPayloads.length(payloads, k);
            }
            if (egress != null && !egress.direct(runProtected, nowNanos)) {
                // paced: each packet queued plain, numbered and protected when it leaves (PacedEgress)
                for (int k = i; k < end; k++) {
                    int len = RtpPayloads.length(payloads, k);
                    boolean marker = !noMarker && RtpPayloads.marker(payloads, k);
                    if (captureProtectedForm(protectedForms, captured, k, marker, timestamp, payloads, pos, len)) {
                        captured++;
                    }
                    ByteBuf packet = transport.alloc().heapBuffer(overhead + len);
                    writePlain(packet, 0, payloads, pos, len, marker, timestamp, 0, 0);
                    advance(len, timestamp);
                    if (egress.enqueuePlain(packet, header, nowNanos)) {
                        bytes += header.headerLength() + (fecGroup > 0 ? 1 : 0) + len;
                    }
                    pos += len;
                }
                i = end;
                continue;
            }
            ByteBuf run = SCRATCH.get();
            int at = 0;
            long runBytes = 0;
            for (int k = i; k < end; k++) {
                int len = RtpPayloads.length(payloads, k);
                boolean marker = !noMarker && RtpPayloads.marker(payloads, k);
                if (captureProtectedForm(protectedForms, captured, k, marker, timestamp, payloads, pos, len)) {
                    captured++;
                }
                int written = writePacket(transport, run, at, payloads, pos, len, marker, timestamp,
                        transportSequences.next(header.headerLength() + len, nowNanos), absSendTime, nowNanos);
                if (written < 0) {
                    remember(firstSequence, payloads, noMarker, timestamp, nowNanos);
                    return bytes;
                }
                at += written;
                pos += len;
                runBytes += header.headerLength() + (fecGroup > 0 ? 1 : 0) + len;
            }
            ByteBuf out = copyOut(transport, run, at);
            if (transport.writeRtpSegments(out, segment, end - i)) {
                bytes += runBytes;
            }
            i = end;
        }
        remember(firstSequence, payloads, noMarker, timestamp, nowNanos);
        if (captured > 0) {
            bytes += sendFec(transport, protectedForms, payloads, captured, timestamp, transportSequences, absSendTime,
                    nowNanos);
        }
        return bytes;
    }

    /**
     * Writes packet {@code k}'s protected form (RFC 5109 as libwebrtc checks it: media payload
     * type, no RED header, late-written extension data zeroed, {@link UlpfecEncoder#protectedForm})
     * after the frame's earlier ones, when FEC is on and it is the next one and fits.
     */
    private boolean captureProtectedForm(ByteBuf protectedForms, int captured, int k, boolean marker, int timestamp,
                                         ByteBuf payloads, int pos, int len) {
        if (protectedForms == null || captured != k || protectedForms.writableBytes() < header.headerLength() + len) {
            return false;
        }
        header.write(protectedForms, marker, payloadType, sequence, timestamp & 0xFFFF_FFFFL, ssrc, 0, 0);
        protectedForms.writeBytes(payloads, pos, len);
        return true;
    }

    /**
     * One ULPFEC packet per group of the frame's first {@code count} packets, whose protected
     * forms lie back to back in {@code protectedForms} (each a header and the packet's payload).
     */
    private long sendFec(RtcTransport transport, ByteBuf protectedForms, ByteBuf payloads, int count, int timestamp,
                         TransportSequencer transportSequences, int absSendTime, long nowNanos) {
        List<ByteBuf> group = new ArrayList<>(fecGroup);
        long bytes = 0;
        int at = 0;
        for (int k = 0; k < count; k++) {
            int len = header.headerLength() + RtpPayloads.length(payloads, k);
            group.add(protectedForms.slice(at, len));
            at += len;
            if (group.size() == fecGroup || k == count - 1) {
                // the estimator's size: RTP header, RED header, ULPFEC header and level (RFC 5109 §7.3-7.4) and
                // the longest protected payload, as UlpfecEncoder writes it
                int longest = group.stream().mapToInt(ByteBuf::readableBytes).max().orElse(0);
                int size = header.headerLength() + 1 + UlpfecEncoder.FEC_HEADER_SIZE
                        + UlpfecEncoder.SHORT_LEVEL_HEADER_SIZE + longest;
                bytes += writeFecPacket(transport, group, timestamp, size, transportSequences, absSendTime, nowNanos);
                group.clear();
            }
        }
        return bytes;
    }

    /**
     * Sends one RED packet whose single block is the ULPFEC payload protecting {@code group}, of
     * {@code size} bytes (header included): behind the frame's media packets, through the pacer
     * when they were queued.
     */
    private long writeFecPacket(RtcTransport transport, List<ByteBuf> group, int timestamp, int size,
                                TransportSequencer transportSequences, int absSendTime, long nowNanos) {
        int tag = transport.srtpProfile().rtpTagLength();
        if (egress != null && !egress.direct(size + tag, nowNanos)) {
            ByteBuf packet = transport.alloc().heapBuffer(size + tag);
            writeFecPlain(packet, group, timestamp, absSendTime, 0);
            int plain = packet.readableBytes();
            countFec(plain, timestamp);
            return egress.enqueuePlain(packet, header, nowNanos) ? plain : 0;
        }
        ByteBuf out = SCRATCH.get();
        out.clear();
        writeFecPlain(out, group, timestamp, absSendTime, transportSequences.next(size, nowNanos));
        int plain = out.writerIndex();
        int written = transport.protectRtp(out, 0, plain);
        if (written < 0) {
            return 0;
        }
        countFec(plain, timestamp);
        return transport.writeRtpSegments(copyOut(transport, out, written), written, 1) ? plain : 0;
    }

    private void writeFecPlain(ByteBuf out, List<ByteBuf> group, int timestamp, int absSendTime,
                               int transportSequence) {
        // RFC 2198 §3 with one block: the 1-byte header (F=0, ULPFEC's type), then RFC 5109 §7
        header.write(out, false, redPayloadType, sequence, timestamp & 0xFFFF_FFFFL, ssrc, absSendTime,
                transportSequence);
        out.writeByte(ulpfecPayloadType);
        UlpfecEncoder.write(out, group);
    }

    /** An FEC packet of {@code plain} bytes takes the next sequence number (remembered for NACKs of it). */
    private void countFec(int plain, int timestamp) {
        fecSequences[fecNext] = sequence;
        fecTimestamps[fecNext] = timestamp;
        fecNext = (fecNext + 1) % FEC_SEQUENCES;
        sequence = sequence + 1 & 0xFFFF;
        packetCount++;
        octetCount += plain - header.headerLength();
        fecPackets++;
    }

    /** The first {@code length} bytes of the scratch buffer in a pooled direct buffer of the socket's allocator. */
    private static ByteBuf copyOut(RtcTransport transport, ByteBuf scratch, int length) {
        ByteBuf out = transport.alloc().directBuffer(length);
        out.writeBytes(scratch, 0, length);
        return out;
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
                            boolean marker, int timestamp, int transportSequence, int absSendTime, long nowNanos) {
        writePlain(out, start, source, offset, length, marker, timestamp, transportSequence, absSendTime);
        int written = transport.protectRtp(out, start, out.writerIndex() - start);
        if (written < 0) {
            return -1;
        }
        advance(length, timestamp);
        return written;
    }

    /** Writes header and payload of the next packet at {@code out[start..]}, not protected. */
    private void writePlain(ByteBuf out, int start, ByteBuf source, int offset, int length, boolean marker,
                            int timestamp, int transportSequence, int absSendTime) {
        out.writerIndex(start);
        if (fecGroup > 0) {
            // RFC 2198 §3: RED with the primary block only, its 1-byte header naming the media type
            header.write(out, marker, redPayloadType, sequence, timestamp & 0xFFFF_FFFFL, ssrc, absSendTime,
                    transportSequence);
            out.writeByte(payloadType);
        } else {
            header.write(out, marker, payloadType, sequence, timestamp & 0xFFFF_FFFFL, ssrc, absSendTime,
                    transportSequence);
        }
        out.writeBytes(source, offset, length);
    }

    /** The packet written last (a media payload of {@code length} bytes) took its sequence number. */
    private void advance(int length, int timestamp) {
        sequence = sequence + 1 & 0xFFFF;
        packetCount++;
        octetCount += length;
        lastTimestamp = timestamp;
        sentAny = true;
    }

    /**
     * Resends a packet the receiver reported lost as RTX (RFC 4588 §4: own SSRC, payload type and
     * sequence number, the original sequence number in front of the payload). Without RTX nothing
     * is resent ({@link #nacksWithoutRtx}): the packet would go out again under its own sequence
     * number, so its SRTP index, with other header extension values (abs-send-time, transport-wide
     * number) than the first time; with AEAD_AES_GCM that is a nonce used twice on different data,
     * which gives the authentication key away (RFC 7714 §8.1), and with AES-CM a keystream used
     * twice. Such a peer recovers by PLI. Chromium and aiortc negotiate RTX.
     *
     * @param transportSequences the session's transport-wide sequence numbers, taken only when sending
     * @param rttNanos the round-trip time to the viewer, or -1 when not known yet
     * @return false when the packet is unknown, too old, was resent less than about an RTT ago, or
     *     RTX was not negotiated
     */
    boolean retransmit(RtcTransport transport, int lostSequence, TransportSequencer transportSequences, long nowNanos,
                       long rttNanos) {
        if (history == null) {
            return false;
        }
        if (rtxPayloadType < 0) {
            nacksWithoutRtx++;
            return false;
        }
        int slot = history.find(lostSequence, nowNanos);
        if (slot < 0) {
            int fec = fecIndex(lostSequence);
            if (fec >= 0) {
                return resendEmpty(transport, lostSequence, fecTimestamps[fec], transportSequences, nowNanos, rttNanos);
            }
            notInHistory++;
            return false;
        }
        long resent = history.resentNanos(lostSequence);
        long interval = Math.clamp(rttNanos < 0 ? 20_000_000L : rttNanos * 3 / 4, MIN_RESEND_INTERVAL_NANOS,
                MAX_RESEND_INTERVAL_NANOS);
        if (resent != Long.MIN_VALUE && nowNanos - resent < interval) {
            resentRecently++;
            return false;
        }
        history.markResent(lostSequence, nowNanos);
        return resend(transport, slot, lostSequence, transportSequences, nowNanos) > 0;
    }

    /**
     * Sends packet {@code lostSequence} of history entry {@code slot} again (RTX when negotiated).
     *
     * @return the bytes handed to the transport (RTP header, original sequence number, payload), 0 when not sent
     */
    private int resend(RtcTransport transport, int slot, int lostSequence, TransportSequencer transportSequences,
                       long nowNanos) {
        ByteBuf payloads = history.payloads(slot);
        int index = history.index(slot, lostSequence);
        int length = RtpPayloads.length(payloads, index);
        boolean marker = !history.noMarker(slot) && RtpPayloads.marker(payloads, index);
        long timestamp = history.timestamp(slot) & 0xFFFF_FFFFL;
        // only on RTX: its own sequence numbers, so a fresh SRTP index (see retransmit)
        int transportSequence = transportSequences.next(header.headerLength() + 2 + length, nowNanos);
        ByteBuf packet = transport.alloc().heapBuffer(header.headerLength() + 2 + length
                + transport.srtpProfile().rtpTagLength());
        header.write(packet, marker, rtxPayloadType, rtxSequence, timestamp, rtxSsrc,
                RtpHeaderExtensions.absSendTime(nowNanos), transportSequence);
        rtxSequence = rtxSequence + 1 & 0xFFFF;
        packet.writeShort(lostSequence);
        packet.writeBytes(payloads, RtpPayloads.offset(payloads, index), length);
        int size = header.headerLength() + 2 + length;
        return transport.writeRtp(packet) ? size : 0;
    }

    /**
     * Sends media packet {@code sequenceNumber} again on the RTX stream to probe the link (RFC 4588;
     * libwebrtc's "payload padding": a duplicate the receiver discards, as big as a media packet,
     * so probing needs fewer packets than with padding-only ones). Not a retransmission: not
     * marked or counted as one.
     *
     * @return the bytes handed to the transport, 0 without RTX or when the history no longer has it
     */
    int sendRedundant(RtcTransport transport, int sequenceNumber, TransportSequencer transportSequences,
                      long nowNanos) {
        if (rtxPayloadType < 0 || history == null || transport.srtpProfile() == null) {
            return 0;
        }
        int slot = history.find(sequenceNumber, nowNanos);
        return slot < 0 ? 0 : resend(transport, slot, sequenceNumber & 0xFFFF, transportSequences, nowNanos);
    }

    /** The index of a recent FEC packet's sequence number in {@link #fecSequences}, or -1. */
    private int fecIndex(int sequenceNumber) {
        int seq = sequenceNumber & 0xFFFF;
        for (int i = 0; i < FEC_SEQUENCES; i++) {
            if (fecSequences[i] == seq) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Answers a NACK for an FEC packet with an empty packet of its sequence number (as RTX: just
     * the original sequence number, RFC 4588 §4): the receiver then has the number (a packet
     * without payload is padding to it) and takes the frames after it as continuous. The FEC
     * data itself is not needed any more by then: the NACKs have repaired the group.
     */
    private boolean resendEmpty(RtcTransport transport, int lostSequence, int timestamp,
                                TransportSequencer transportSequences, long nowNanos, long rttNanos) {
        long resent = history.resentNanos(lostSequence);
        long interval = Math.clamp(rttNanos < 0 ? 20_000_000L : rttNanos * 3 / 4, MIN_RESEND_INTERVAL_NANOS,
                MAX_RESEND_INTERVAL_NANOS);
        if (resent != Long.MIN_VALUE && nowNanos - resent < interval) {
            resentRecently++;
            return false;
        }
        history.markResent(lostSequence, nowNanos);
        return sendEmpty(transport, lostSequence, timestamp, transportSequences, nowNanos) > 0;
    }

    /**
     * An empty packet of sequence number {@code sequenceNumber} (RTX with only the original sequence
     * number, RFC 4588 §4): the receiver takes it as padding, so it has the number and waits for
     * nothing there. Without RTX nothing is sent: an empty packet of that number on the media SSRC
     * would reuse its SRTP index with other content (see {@link #retransmit}).
     *
     * @return the bytes handed to the transport, 0 when not sent
     */
    int sendEmpty(RtcTransport transport, int sequenceNumber, int timestamp, TransportSequencer transportSequences,
                  long nowNanos) {
        if (rtxPayloadType < 0) {
            return 0;
        }
        int lostSequence = sequenceNumber & 0xFFFF;
        ByteBuf packet = transport.alloc().heapBuffer(header.headerLength() + 2
                + transport.srtpProfile().rtpTagLength());
        // the estimator's size: the RTP header and the 2-byte original sequence number (RFC 4588 §4)
        int transportSequence = transportSequences.next(header.headerLength() + 2, nowNanos);
        header.write(packet, false, rtxPayloadType, rtxSequence, timestamp & 0xFFFF_FFFFL, rtxSsrc,
                RtpHeaderExtensions.absSendTime(nowNanos), transportSequence);
        rtxSequence = rtxSequence + 1 & 0xFFFF;
        packet.writeShort(lostSequence);
        int size = packet.readableBytes();
        return transport.writeRtp(packet) ? size : 0;
    }

    /** Whether retransmissions go on their own RTX stream (RFC 4588). */
    boolean hasRtx() {
        return rtxPayloadType >= 0;
    }

    /**
     * Whether a NACK for {@code lostSequence} would be answered with the packet itself now (in the
     * history, not resent within about a round trip): asked before the retransmission budget is
     * spent on it. Changes nothing.
     */
    boolean retransmittable(int lostSequence, long nowNanos, long rttNanos) {
        if (rtxPayloadType < 0 || history == null || history.find(lostSequence, nowNanos) < 0) {
            return false;
        }
        long resent = history.resentNanos(lostSequence);
        long interval = Math.clamp(rttNanos < 0 ? 20_000_000L : rttNanos * 3 / 4, MIN_RESEND_INTERVAL_NANOS,
                MAX_RESEND_INTERVAL_NANOS);
        return resent == Long.MIN_VALUE || nowNanos - resent >= interval;
    }

    /** The sequence number the next packet of this stream will carry. */
    int nextSequence() {
        return sequence;
    }

    /**
     * Sends one padding-only packet (RFC 3550 §5.1) of {@code paddingLength} octets on the RTX
     * stream (RFC 4588: its own sequence numbers, shared with retransmissions; no original
     * sequence number, so the receiver drops it), numbered for transport-wide congestion control:
     * bandwidth probing.
     *
     * @return the bytes handed to the transport (header and padding), 0 without RTX or when not sent
     */
    int sendPadding(RtcTransport transport, int paddingLength, TransportSequencer transportSequences, long nowNanos) {
        if (rtxPayloadType < 0 || transport.srtpProfile() == null) {
            return 0;
        }
        int size = header.headerLength() + paddingLength;
        ByteBuf packet = transport.alloc().heapBuffer(size + transport.srtpProfile().rtpTagLength());
        header.write(packet, false, rtxPayloadType, rtxSequence, lastTimestamp & 0xFFFF_FFFFL, rtxSsrc,
                RtpHeaderExtensions.absSendTime(nowNanos), transportSequences.next(size, nowNanos));
        RtpPadding.append(packet, 0, paddingLength);
        rtxSequence = rtxSequence + 1 & 0xFFFF;
        return transport.writeRtp(packet) ? size : 0;
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
