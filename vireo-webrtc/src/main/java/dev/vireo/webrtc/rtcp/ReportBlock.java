package dev.vireo.webrtc.rtcp;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * A reception report block, RFC 3550 §6.4.1.
 *
 * @param ssrc                   source this block reports on
 * @param fractionLost           lost fraction since the previous report, 8-bit fixed point (loss = n/256)
 * @param cumulativeLost         cumulative packets lost, signed 24-bit
 * @param highestSequence        extended highest sequence number received (cycles << 16 | seq)
 * @param jitter                 interarrival jitter in timestamp units
 * @param lastSenderReport       LSR: compact NTP time of the last SR received, 0 if none
 * @param delaySinceLastSenderReport DLSR in 1/65536 s
 */
public record ReportBlock(int ssrc, int fractionLost, int cumulativeLost, long highestSequence, long jitter,
                          long lastSenderReport, long delaySinceLastSenderReport) {

    static final int SIZE = 24;

    public ReportBlock {
        if (fractionLost < 0 || fractionLost > 255) {
            throw new IllegalArgumentException("fraction lost " + fractionLost);
        }
        if (cumulativeLost < -0x80_0000 || cumulativeLost > 0x7F_FFFF) {
            throw new IllegalArgumentException("cumulative lost " + cumulativeLost + " is not signed 24-bit");
        }
    }

    /**
     * The report blocks {@code packet} carries: a receiver report's or a sender report's (RFC 3550
     * §6.4.1, §6.4.2), none for any other packet.
     */
    public static List<ReportBlock> in(RtcpPacket packet) {
        return switch (packet) {
            case ReceiverReport rr -> rr.reports();
            case SenderReport sr -> sr.reports();
            default -> List.of();
        };
    }

    /** The lost fraction as a number in [0, 1). */
    public double lossRatio() {
        return fractionLost / 256.0;
    }

    static ReportBlock read(ByteBuf b) {
        int ssrc = b.readInt();
        int fraction = b.readUnsignedByte();
        int cumulative = b.readMedium(); // signed 24-bit
        return new ReportBlock(ssrc, fraction, cumulative, b.readUnsignedInt(), b.readUnsignedInt(),
                b.readUnsignedInt(), b.readUnsignedInt());
    }

    void write(ByteBuf out) {
        out.writeInt(ssrc);
        out.writeByte(fractionLost);
        out.writeMedium(cumulativeLost);
        out.writeInt((int) highestSequence);
        out.writeInt((int) jitter);
        out.writeInt((int) lastSenderReport);
        out.writeInt((int) delaySinceLastSenderReport);
    }
}
