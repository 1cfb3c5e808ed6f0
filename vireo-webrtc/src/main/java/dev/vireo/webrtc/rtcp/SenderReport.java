package dev.vireo.webrtc.rtcp;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * SR: sender report, RFC 3550 §6.4.1. Lets receivers map RTP time to wallclock (lip sync) and
 * measure round-trip time through LSR/DLSR.
 *
 * @param ssrc         sender SSRC
 * @param ntpTimestamp wallclock, 64-bit NTP ({@link NtpTime})
 * @param rtpTimestamp the same instant in RTP timestamp units (unsigned 32-bit)
 * @param packetCount  RTP packets sent (unsigned 32-bit)
 * @param octetCount   payload octets sent (unsigned 32-bit)
 * @param reports      reception report blocks (at most 31)
 */
public record SenderReport(int ssrc, long ntpTimestamp, long rtpTimestamp, long packetCount, long octetCount,
                           List<ReportBlock> reports) implements RtcpPacket {

    public SenderReport {
        reports = List.copyOf(reports);
        if (reports.size() > 31) {
            throw new IllegalArgumentException(reports.size() + " report blocks exceed 31");
        }
    }

    @Override
    public int packetType() {
        return SR;
    }

    static SenderReport parse(int count, ByteBuf body) {
        RtcpHeader.need(body, 24 + count * ReportBlock.SIZE, "SR with " + count + " report blocks");
        int ssrc = body.readInt();
        long ntp = body.readLong();
        long rtp = body.readUnsignedInt();
        long packets = body.readUnsignedInt();
        long octets = body.readUnsignedInt();
        List<ReportBlock> blocks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            blocks.add(ReportBlock.read(body));
        }
        return new SenderReport(ssrc, ntp, rtp, packets, octets, blocks);
    }

    @Override
    public void write(ByteBuf out) {
        int start = RtcpHeader.begin(out, reports.size(), SR);
        out.writeInt(ssrc);
        out.writeLong(ntpTimestamp);
        out.writeInt((int) rtpTimestamp);
        out.writeInt((int) packetCount);
        out.writeInt((int) octetCount);
        for (ReportBlock r : reports) {
            r.write(out);
        }
        RtcpHeader.end(out, start);
    }
}
