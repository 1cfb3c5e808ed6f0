package dev.vireo.webrtc.transport;

import io.netty.buffer.ByteBuf;

/**
 * What a datagram on the shared media port is, from its first bytes (RFC 7983 §7): STUN, DTLS,
 * RTP or RTCP (RTCP told from RTP by the packet type in the second byte, RFC 5761 §4), or
 * something else that is dropped.
 */
public enum PacketKind {
    STUN,
    DTLS,
    RTP,
    RTCP,
    UNKNOWN;

    public static PacketKind of(ByteBuf datagram) {
        int n = datagram.readableBytes();
        if (n == 0) {
            return UNKNOWN;
        }
        int b0 = datagram.getUnsignedByte(datagram.readerIndex());
        if (b0 <= 3) {
            return STUN;
        }
        if (b0 >= 20 && b0 <= 63) {
            return DTLS;
        }
        if (b0 >= 128 && b0 <= 191) {
            if (n < 2) {
                return UNKNOWN;
            }
            int b1 = datagram.getUnsignedByte(datagram.readerIndex() + 1);
            // RFC 5761 §4: RTCP packet types 192..223 in the second octet (SR=200, RR=201, ...).
            return b1 >= 192 && b1 <= 223 ? RTCP : RTP;
        }
        // 16..19 ZRTP, 64..79 TURN channels: not used here.
        return UNKNOWN;
    }
}
