package dev.vireo.webrtc.rtcp;

import io.netty.buffer.ByteBuf;

/** Telling RTCP from RTP on one port (rtcp-mux). */
public final class RtcpDemux {

    private RtcpDemux() {
    }

    /**
     * RFC 5761 §4: the second byte of an RTCP packet is its packet type 192..223 (SR 200 ... PSFB
     * 206), which as an RTP marker bit and payload type is PT 64..95 — payload types an RTP
     * session multiplexed with RTCP must not use.
     */
    public static boolean isRtcp(ByteBuf packet) {
        if (packet.readableBytes() < 2) {
            return false;
        }
        int pt = packet.getUnsignedByte(packet.readerIndex() + 1) & 0x7F;
        return pt >= 64 && pt <= 95;
    }
}
