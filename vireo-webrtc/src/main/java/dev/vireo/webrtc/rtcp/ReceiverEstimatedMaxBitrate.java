package dev.vireo.webrtc.rtcp;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * REMB, draft-alvestrand-rmcat-remb-03 §2.2: an application-layer feedback (PSFB, FMT 15) with
 * the unique identifier "REMB", carrying the receiver's estimate of the total bitrate it can take
 * for the listed SSRCs, as an 18-bit mantissa and a 6-bit exponent.
 */
public record ReceiverEstimatedMaxBitrate(int senderSsrc, long bitrate, int[] ssrcs) implements RtcpPacket {

    public static final int FMT = 15;
    static final int IDENTIFIER = 0x52454D42; // "REMB"

    public ReceiverEstimatedMaxBitrate {
        if (bitrate < 0) {
            throw new IllegalArgumentException("negative bitrate " + bitrate);
        }
        ssrcs = ssrcs.clone();
        if (ssrcs.length > 255) {
            throw new IllegalArgumentException(ssrcs.length + " SSRCs exceed 255");
        }
    }

    @Override
    public int[] ssrcs() {
        return ssrcs.clone();
    }

    @Override
    public int packetType() {
        return PSFB;
    }

    /** Whether a PSFB FMT 15 body is a REMB (its FCI starts with "REMB"). */
    static boolean matches(ByteBuf body) {
        return body.readableBytes() >= 12 && body.getInt(body.readerIndex() + 8) == IDENTIFIER;
    }

    static ReceiverEstimatedMaxBitrate parse(ByteBuf body) {
        RtcpHeader.need(body, 16, "REMB");
        int sender = body.readInt();
        body.readInt(); // media source: 0
        body.readInt(); // "REMB"
        int num = body.readUnsignedByte();
        int exp = body.readUnsignedByte() >>> 2;
        int mantissa = (body.getUnsignedByte(body.readerIndex() - 1) & 0x03) << 16 | body.readUnsignedShort();
        RtcpHeader.need(body, 4 * num, "REMB SSRC list");
        int[] ssrcs = new int[num];
        for (int i = 0; i < num; i++) {
            ssrcs[i] = body.readInt();
        }
        if (exp > 45) {
            throw new RtcpException("REMB exponent " + exp + " overflows"); // 2^18 << 45 would not fit a long
        }
        return new ReceiverEstimatedMaxBitrate(sender, (long) mantissa << exp, ssrcs);
    }

    @Override
    public void write(ByteBuf out) {
        int exp = 0;
        long mantissa = bitrate;
        while (mantissa > 0x3FFFF) {
            mantissa >>>= 1;
            exp++;
        }
        int start = RtcpHeader.begin(out, FMT, PSFB);
        out.writeInt(senderSsrc);
        out.writeInt(0);
        out.writeInt(IDENTIFIER);
        out.writeByte(ssrcs.length);
        out.writeByte(exp << 2 | (int) (mantissa >>> 16));
        out.writeShort((int) mantissa);
        for (int s : ssrcs) {
            out.writeInt(s);
        }
        RtcpHeader.end(out, start);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReceiverEstimatedMaxBitrate r && senderSsrc == r.senderSsrc && bitrate == r.bitrate
                && Arrays.equals(ssrcs, r.ssrcs);
    }

    @Override
    public int hashCode() {
        return (senderSsrc * 31 + Long.hashCode(bitrate)) * 31 + Arrays.hashCode(ssrcs);
    }

    @Override
    public String toString() {
        return "ReceiverEstimatedMaxBitrate[bitrate=" + bitrate + ", ssrcs=" + Arrays.toString(ssrcs) + "]";
    }
}
