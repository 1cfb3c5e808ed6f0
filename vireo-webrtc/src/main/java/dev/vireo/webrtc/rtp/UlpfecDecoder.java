package dev.vireo.webrtc.rtp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.function.IntFunction;

/**
 * Recovers one lost packet from an RFC 5109 level-0 FEC payload and the other packets it
 * protects (§8: the bit strings of the received ones XORed into the FEC's rebuild the missing
 * one's). The FEC payload is what follows the RED header of a {@code ulpfec} packet; packets are
 * looked up by sequence number in their {@link UlpfecEncoder#protectedForm}. Bounded: the FEC
 * payload must hold its headers and its protection length; a recovered length over the protection
 * length is refused. Pure and stateless.
 */
public final class UlpfecDecoder {

    private UlpfecDecoder() {
    }

    /** The parsed FEC and level-0 headers, RFC 5109 §7.3 and §7.4. */
    public record Header(boolean longMask, int pxccRecovery, int mptRecovery, int sequenceBase,
                         long timestampRecovery, int lengthRecovery, int protectionLength, long mask,
                         int payloadOffset) {

        /** The sequence numbers protected, from the mask (MSB first: the base). */
        public int[] protectedSequences() {
            int bits = longMask ? 48 : 16;
            int[] out = new int[Long.bitCount(mask)];
            int n = 0;
            for (int i = 0; i < bits; i++) {
                if ((mask >>> 47 - i & 1) != 0) {
                    out[n++] = sequenceBase + i & 0xFFFF;
                }
            }
            return out;
        }
    }

    /**
     * Parses the headers of the FEC payload in {@code fec}'s readable bytes.
     *
     * @throws RtpException when the headers run past it, E is set, the mask is empty or the
     *                      level-0 payload is shorter than the protection length
     */
    public static Header parse(ByteBuf fec) {
        int start = fec.readerIndex();
        int len = fec.readableBytes();
        if (len < UlpfecEncoder.FEC_HEADER_SIZE + UlpfecEncoder.SHORT_LEVEL_HEADER_SIZE) {
            throw new RtpException("ULPFEC payload of " + len + " bytes is shorter than its headers");
        }
        int b0 = fec.getUnsignedByte(start);
        if ((b0 & 0x80) != 0) {
            throw new RtpException("ULPFEC header with the reserved E bit set"); // RFC 5109 §7.3
        }
        boolean longMask = (b0 & 0x40) != 0;
        int headers = UlpfecEncoder.FEC_HEADER_SIZE
                + (longMask ? UlpfecEncoder.LONG_LEVEL_HEADER_SIZE : UlpfecEncoder.SHORT_LEVEL_HEADER_SIZE);
        if (len < headers) {
            throw new RtpException("ULPFEC payload of " + len + " bytes is shorter than its long-mask headers");
        }
        int protectionLength = fec.getUnsignedShort(start + 10);
        long mask = (long) fec.getUnsignedShort(start + 12) << 32;
        if (longMask) {
            mask |= fec.getUnsignedInt(start + 14);
        }
        if (mask == 0) {
            throw new RtpException("ULPFEC level 0 with an empty mask");
        }
        if (len - headers < protectionLength) {
            throw new RtpException("ULPFEC protection length " + protectionLength + " exceeds the "
                    + (len - headers) + " bytes of level-0 payload");
        }
        return new Header(longMask, b0 & 0x3F, fec.getUnsignedByte(start + 1), fec.getUnsignedShort(start + 2),
                fec.getUnsignedInt(start + 4), fec.getUnsignedShort(start + 8), protectionLength, mask, headers);
    }

    /**
     * The one packet of the FEC's group that {@code received} does not have, rebuilt with SSRC
     * {@code ssrc}; null when none or more than one is missing.
     *
     * @param received the protected form of a packet by sequence number, or null if not received
     * @throws RtpException when the FEC payload is malformed or the recovery does not fit it
     */
    public static ByteBuf recover(ByteBuf fec, IntFunction<ByteBuf> received, int ssrc) {
        Header h = parse(fec);
        int missing = -1;
        for (int seq : h.protectedSequences()) {
            if (received.apply(seq) == null) {
                if (missing >= 0) {
                    return null; // two lost: level 0 cannot rebuild them
                }
                missing = seq;
            }
        }
        if (missing < 0) {
            return null;
        }
        int b0 = h.pxccRecovery();
        int b1 = h.mptRecovery();
        long ts = h.timestampRecovery();
        int length = h.lengthRecovery();
        byte[] bits = new byte[h.protectionLength()];
        fec.getBytes(fec.readerIndex() + h.payloadOffset(), bits);
        for (int seq : h.protectedSequences()) {
            if (seq == missing) {
                continue;
            }
            ByteBuf p = received.apply(seq);
            int start = p.readerIndex();
            int n = p.readableBytes() - RtpHeader.FIXED_SIZE;
            if (n < 0 || n > bits.length) {
                throw new RtpException("a received packet of the FEC group is longer than its protection length");
            }
            b0 ^= p.getUnsignedByte(start);
            b1 ^= p.getUnsignedByte(start + 1);
            ts ^= p.getUnsignedInt(start + 4);
            length ^= n;
            for (int i = 0; i < n; i++) {
                bits[i] ^= p.getByte(start + RtpHeader.FIXED_SIZE + i);
            }
        }
        if (length > bits.length) {
            throw new RtpException("recovered length " + length + " exceeds the protection length " + bits.length);
        }
        ByteBuf out = Unpooled.buffer(RtpHeader.FIXED_SIZE + length);
        out.writeByte(0x80 | b0 & 0x3F); // version 2
        out.writeByte(b1);
        out.writeShort(missing);
        out.writeInt((int) ts);
        out.writeInt(ssrc);
        out.writeBytes(bits, 0, length);
        return out;
    }
}
