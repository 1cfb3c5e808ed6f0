package dev.vireo.webrtc.rtcp;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * FIR, RFC 5104 §4.3.1 (PSFB, FMT 4): a request for a decoder refresh point. The media source
 * SSRC of the common header is unused (0); each FCI names an SSRC and a command sequence number
 * that a repeated request keeps.
 */
public record FullIntraRequest(int senderSsrc, List<Entry> entries) implements RtcpPacket {

    public static final int FMT = 4;
    static final int MAX_ENTRIES = 64;

    /** One FCI: the media SSRC and the 8-bit command sequence number. */
    public record Entry(int ssrc, int sequenceNumber) {
        public Entry {
            if (sequenceNumber < 0 || sequenceNumber > 255) {
                throw new IllegalArgumentException("FIR sequence number " + sequenceNumber);
            }
        }
    }

    public FullIntraRequest {
        entries = List.copyOf(entries);
    }

    @Override
    public int packetType() {
        return PSFB;
    }

    static FullIntraRequest parse(ByteBuf body) {
        RtcpHeader.need(body, 8, "FIR");
        int sender = body.readInt();
        body.readInt(); // media source: unused, RFC 5104 §4.3.1.2
        int n = body.readableBytes() / 8;
        if (n > MAX_ENTRIES) {
            throw new RtcpException("FIR with " + n + " entries exceeds " + MAX_ENTRIES);
        }
        List<Entry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int ssrc = body.readInt();
            int seq = body.readUnsignedByte();
            body.skipBytes(3); // reserved
            entries.add(new Entry(ssrc, seq));
        }
        return new FullIntraRequest(sender, entries);
    }

    @Override
    public void write(ByteBuf out) {
        int start = RtcpHeader.begin(out, FMT, PSFB);
        out.writeInt(senderSsrc);
        out.writeInt(0);
        for (Entry e : entries) {
            out.writeInt(e.ssrc()).writeByte(e.sequenceNumber()).writeMedium(0);
        }
        RtcpHeader.end(out, start);
    }
}
