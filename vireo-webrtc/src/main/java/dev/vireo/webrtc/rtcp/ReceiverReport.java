package dev.vireo.webrtc.rtcp;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/** RR: receiver report, RFC 3550 §6.4.2. Browsers send these for the media we send them. */
public record ReceiverReport(int ssrc, List<ReportBlock> reports) implements RtcpPacket {

    public ReceiverReport {
        reports = List.copyOf(reports);
        if (reports.size() > 31) {
            throw new IllegalArgumentException(reports.size() + " report blocks exceed 31");
        }
    }

    @Override
    public int packetType() {
        return RR;
    }

    static ReceiverReport parse(int count, ByteBuf body) {
        RtcpHeader.need(body, 4 + count * ReportBlock.SIZE, "RR with " + count + " report blocks");
        int ssrc = body.readInt();
        List<ReportBlock> blocks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            blocks.add(ReportBlock.read(body));
        }
        return new ReceiverReport(ssrc, blocks);
    }

    @Override
    public void write(ByteBuf out) {
        int start = RtcpHeader.begin(out, reports.size(), RR);
        out.writeInt(ssrc);
        for (ReportBlock r : reports) {
            r.write(out);
        }
        RtcpHeader.end(out, start);
    }
}
