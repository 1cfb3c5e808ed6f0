package dev.vireo.webrtc.rtp;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * Generic forward error correction for RTP, RFC 5109 (ULPFEC), level 0 only, in the form
 * Chromium decodes: an FEC packet is sent inside RED ({@code red/90000}, RFC 2198 with a single
 * 1-byte primary header naming the {@code ulpfec/90000} payload type) on the media SSRC, with its
 * own sequence number from the media's sequence space.
 *
 * <p>The FEC payload (RFC 5109 §7.3 FEC header, §7.4 level-0 header and payload) is the XOR of
 * the protected packets' "bit strings": their first two header bytes (P, X, CC, M, PT), their
 * timestamps, their lengths after the 12-byte fixed header, and those bytes themselves (CSRCs,
 * header extensions, payload, padding), zero-padded to the longest. With one FEC packet over a
 * group, any single lost packet of the group is rebuilt from the others ({@link UlpfecDecoder}).
 *
 * <p>What is protected is the packet <em>as the receiver rebuilds it before decoding FEC</em>:
 * libwebrtc ({@code UlpfecReceiver}) takes a received RED media packet, removes its RED header,
 * puts the media payload type back into the RTP header, and zeroes the data of the extensions a
 * pacer writes late (transport-wide sequence number, abs-send-time, transmission offset;
 * {@code RtpPacket::ZeroMutableExtensions}). {@link #protectedForm} builds that form from the
 * media packet; the sender protects that, not the bytes it sends. Only RED-encapsulated media
 * reaches Chromium's FEC decoder, so a viewer with FEC on gets its video in RED too.
 *
 * <p>Bounded: at most {@link #MAX_MEDIA_PACKETS} packets spanning at most 48 sequence numbers
 * (the long mask, §7.4 L=1), each at most {@link #MAX_PACKET_SIZE} bytes. Pure and stateless.
 */
public final class UlpfecEncoder {

    /** RFC 5109 §7.4: the long mask covers 48 sequence numbers from the base. */
    public static final int MAX_MEDIA_PACKETS = 48;
    /** A protected packet is at most an Ethernet MTU's worth. */
    public static final int MAX_PACKET_SIZE = 1500;
    /** RFC 5109 §7.3: the FEC header. */
    public static final int FEC_HEADER_SIZE = 10;
    /** §7.4: protection length (2) and a 16-bit mask (2), or with L=1 a 48-bit mask (6). */
    public static final int SHORT_LEVEL_HEADER_SIZE = 4;
    public static final int LONG_LEVEL_HEADER_SIZE = 8;
    private static final int SHORT_MASK_BITS = 16;

    private UlpfecEncoder() {
    }

    /**
     * Writes the FEC payload (what follows the RED header) protecting {@code packets}: whole RTP
     * packets in their {@link #protectedForm}, in increasing sequence order (modulo 2^16) within
     * 48 sequence numbers of the first, which is the SN base.
     *
     * @return the number of bytes written
     * @throws IllegalArgumentException when the packets are none, too many, out of order, span
     *                                  more than 48 sequence numbers or are malformed
     */
    public static int write(ByteBuf out, List<ByteBuf> packets) {
        if (packets.isEmpty() || packets.size() > MAX_MEDIA_PACKETS) {
            throw new IllegalArgumentException(packets.size() + " packets to protect, 1 to " + MAX_MEDIA_PACKETS);
        }
        int base = -1;
        long mask = 0;
        int previousOffset = -1;
        int protectionLength = 0;
        int b0 = 0;
        int b1 = 0;
        int lengthRecovery = 0;
        long tsRecovery = 0;
        for (ByteBuf p : packets) {
            int len = p.readableBytes();
            if (len < RtpHeader.FIXED_SIZE || len > MAX_PACKET_SIZE) {
                throw new IllegalArgumentException("a protected packet of " + len + " bytes");
            }
            int start = p.readerIndex();
            int seq = p.getUnsignedShort(start + 2);
            if (base < 0) {
                base = seq;
            }
            int offset = seq - base & 0xFFFF;
            if (offset <= previousOffset && previousOffset >= 0 || offset >= MAX_MEDIA_PACKETS) {
                throw new IllegalArgumentException("sequence number " + seq + " out of order or over 48 from " + base);
            }
            previousOffset = offset;
            mask |= 1L << 47 - offset;
            b0 ^= p.getUnsignedByte(start);
            b1 ^= p.getUnsignedByte(start + 1);
            tsRecovery ^= p.getUnsignedInt(start + 4);
            lengthRecovery ^= len - RtpHeader.FIXED_SIZE;
            protectionLength = Math.max(protectionLength, len - RtpHeader.FIXED_SIZE);
        }
        boolean longMask = previousOffset >= SHORT_MASK_BITS;
        int begin = out.writerIndex();
        // RFC 5109 §7.3: E=0 | L | P X CC recovery, then M + PT recovery, SN base, TS recovery, length recovery
        out.writeByte(b0 & 0x3F | (longMask ? 0x40 : 0));
        out.writeByte(b1);
        out.writeShort(base);
        out.writeInt((int) tsRecovery);
        out.writeShort(lengthRecovery);
        // §7.4 level 0 header: protection length, mask (16 bits, or 48 with L=1)
        out.writeShort(protectionLength);
        if (longMask) {
            out.writeShort((int) (mask >>> 32));
            out.writeInt((int) mask);
        } else {
            out.writeShort((int) (mask >>> 32));
        }
        int payload = out.writerIndex();
        out.writeZero(protectionLength);
        for (ByteBuf p : packets) {
            int start = p.readerIndex() + RtpHeader.FIXED_SIZE;
            int n = p.readableBytes() - RtpHeader.FIXED_SIZE;
            int i = 0;
            for (; i + 8 <= n; i += 8) {
                out.setLong(payload + i, out.getLong(payload + i) ^ p.getLong(start + i));
            }
            for (; i < n; i++) {
                out.setByte(payload + i, out.getByte(payload + i) ^ p.getByte(start + i));
            }
        }
        return out.writerIndex() - begin;
    }

    /**
     * Writes the form of an RTP packet that FEC protects (see the class comment): {@code packet}
     * with payload type {@code mediaPayloadType} and the data of the header extension elements
     * {@code mutableExtensionIds} (the transport-cc and abs-send-time ids) zeroed.
     *
     * @throws RtpException when {@code packet} is not a valid RTP packet
     */
    public static void protectedForm(ByteBuf out, ByteBuf packet, int mediaPayloadType, int... mutableExtensionIds) {
        RtpHeader h = RtpHeader.parse(packet);
        int start = out.writerIndex();
        out.writeBytes(packet, packet.readerIndex(), packet.readableBytes());
        out.setByte(start + 1, out.getUnsignedByte(start + 1) & 0x80 | mediaPayloadType & 0x7F);
        ByteBuf copy = out.slice(start, packet.readableBytes());
        for (int id : mutableExtensionIds) {
            ByteBuf element = RtpHeaderExtensions.find(copy, h, id);
            if (element != null) {
                element.setZero(0, element.capacity());
            }
        }
    }

    /**
     * A group size for the measured loss: one FEC packet per this many media packets, so that
     * a group loses one packet or fewer most of the time (0 under 1 % loss: no FEC).
     */
    public static int groupSize(double lossFraction) {
        if (lossFraction < 0.01) {
            return 0;
        }
        // about one expected loss per group plus the FEC packet: n ≈ 1 / (2 p), from 2 to 24
        return (int) Math.max(2, Math.min(24, Math.round(1 / (2 * lossFraction))));
    }
}
