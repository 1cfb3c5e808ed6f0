package dev.vireo.webrtc.whep.retransmit;

import dev.vireo.webrtc.RtcTransport;
import dev.vireo.webrtc.bwe.TransportSequencer;
import dev.vireo.webrtc.rtp.RtpHeaderExtensions;
import dev.vireo.webrtc.rtp.RtpHeaderWriter;
import dev.vireo.webrtc.rtp.RtpPadding;
import dev.vireo.webrtc.rtp.RtpPayloads;
import io.netty.buffer.ByteBuf;

/**
 * A viewer's RTX stream for its video (RFC 4588): its own SSRC, payload type and sequence numbers
 * (starting at a random value, RFC 3550 §5.1), so that whatever goes out again gets a fresh SRTP
 * index. Carries retransmissions (§4: the original sequence number in front of the payload),
 * empty packets that fill a sequence number the receiver waits for, and probing padding. Every
 * packet is numbered for transport-wide congestion control. On the session's loop only.
 */
public final class RtxStream {

    private final int ssrc;
    private final int payloadType;
    private final RtpHeaderWriter header;
    private int sequence;

    /** @param payloadType -1 when RTX was not negotiated: nothing is sent then */
    public RtxStream(int ssrc, int payloadType, RtpHeaderWriter header, int firstSequence) {
        this.ssrc = ssrc;
        this.payloadType = payloadType;
        this.header = header;
        this.sequence = firstSequence & 0xFFFF;
    }

    /** Whether RTX was negotiated. */
    public boolean enabled() {
        return payloadType >= 0;
    }

    /**
     * Sends media packet {@code originalSequence}, found in entry {@code slot} of {@code history},
     * again as RTX (RFC 4588 §4: the original sequence number in front of its payload, its marker
     * and timestamp).
     *
     * @return the bytes handed to the transport (RTP header, original sequence number, payload), 0 when not sent
     */
    public int resend(RtcTransport transport, RetransmissionBuffer history, int slot, int originalSequence,
                      TransportSequencer transportSequences, long nowNanos) {
        ByteBuf payloads = history.payloads(slot);
        int index = history.index(slot, originalSequence);
        boolean marker = !history.noMarker(slot) && RtpPayloads.marker(payloads, index);
        long timestamp = history.timestamp(slot) & 0xFFFF_FFFFL;
        int length = RtpPayloads.length(payloads, index);
        int size = header.headerLength() + 2 + length;
        int transportSequence = transportSequences.next(size, nowNanos);
        ByteBuf packet = transport.alloc().heapBuffer(size + transport.srtpProfile().rtpTagLength());
        header.write(packet, marker, payloadType, sequence, timestamp, ssrc,
                RtpHeaderExtensions.absSendTime(nowNanos), transportSequence);
        sequence = sequence + 1 & 0xFFFF;
        packet.writeShort(originalSequence & 0xFFFF);
        packet.writeBytes(payloads, RtpPayloads.offset(payloads, index), length);
        return transport.writeRtp(packet) ? size : 0;
    }

    /**
     * An empty packet of media sequence number {@code originalSequence} (RTX with only the original
     * sequence number, RFC 4588 §4): the receiver takes it as padding, so it has the number and
     * waits for nothing there. Without RTX nothing is sent: an empty packet of that number on the
     * media SSRC would reuse its SRTP index with other content (RFC 7714 §8.1).
     *
     * @return the bytes handed to the transport, 0 when not sent
     */
    public int sendEmpty(RtcTransport transport, int originalSequence, int timestamp,
                         TransportSequencer transportSequences, long nowNanos) {
        if (payloadType < 0) {
            return 0;
        }
        ByteBuf packet = transport.alloc().heapBuffer(header.headerLength() + 2
                + transport.srtpProfile().rtpTagLength());
        // the estimator's size: the RTP header and the 2-byte original sequence number (RFC 4588 §4)
        int transportSequence = transportSequences.next(header.headerLength() + 2, nowNanos);
        header.write(packet, false, payloadType, sequence, timestamp & 0xFFFF_FFFFL, ssrc,
                RtpHeaderExtensions.absSendTime(nowNanos), transportSequence);
        sequence = sequence + 1 & 0xFFFF;
        packet.writeShort(originalSequence & 0xFFFF);
        int size = packet.readableBytes();
        return transport.writeRtp(packet) ? size : 0;
    }

    /**
     * One padding-only packet (RFC 3550 §5.1) of {@code paddingLength} octets: no original sequence
     * number, so the receiver drops it; numbered for transport-wide congestion control (probing).
     *
     * @return the bytes handed to the transport (header and padding), 0 without RTX or when not sent
     */
    public int sendPadding(RtcTransport transport, int paddingLength, int timestamp,
                           TransportSequencer transportSequences, long nowNanos) {
        if (payloadType < 0 || transport.srtpProfile() == null) {
            return 0;
        }
        int size = header.headerLength() + paddingLength;
        ByteBuf packet = transport.alloc().heapBuffer(size + transport.srtpProfile().rtpTagLength());
        header.write(packet, false, payloadType, sequence, timestamp & 0xFFFF_FFFFL, ssrc,
                RtpHeaderExtensions.absSendTime(nowNanos), transportSequences.next(size, nowNanos));
        RtpPadding.append(packet, 0, paddingLength);
        sequence = sequence + 1 & 0xFFFF;
        return transport.writeRtp(packet) ? size : 0;
    }
}
