package dev.vireo.webrtc.rtcp;

import io.netty.buffer.ByteBuf;

/** PLI, RFC 4585 §6.3.1 (PSFB, FMT 1): the receiver lost picture data and needs a keyframe. No FCI. */
public record PictureLossIndication(int senderSsrc, int mediaSsrc) implements RtcpPacket {

    public static final int FMT = 1;

    @Override
    public int packetType() {
        return PSFB;
    }

    static PictureLossIndication parse(ByteBuf body) {
        RtcpHeader.need(body, 8, "PLI");
        return new PictureLossIndication(body.readInt(), body.readInt());
    }

    @Override
    public void write(ByteBuf out) {
        int start = RtcpHeader.begin(out, FMT, PSFB);
        out.writeInt(senderSsrc);
        out.writeInt(mediaSsrc);
        RtcpHeader.end(out, start);
    }
}
