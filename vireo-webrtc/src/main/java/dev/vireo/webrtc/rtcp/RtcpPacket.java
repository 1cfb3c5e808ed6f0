package dev.vireo.webrtc.rtcp;

import io.netty.buffer.ByteBuf;

/**
 * One RTCP packet of a compound packet (RFC 3550 §6). Parse with {@link RtcpCompound#parse};
 * {@link #write} appends the packet with its common header (RFC 3550 §6.4.1 layout: V=2, P,
 * count or FMT, PT, length in 32-bit words minus one).
 */
public sealed interface RtcpPacket permits SenderReport, ReceiverReport, SourceDescription, Goodbye, GenericNack,
        PictureLossIndication, FullIntraRequest, ReceiverEstimatedMaxBitrate, TransportCcFeedback, UnknownRtcpPacket {

    // RFC 3550 §12.1 and RFC 4585 §6.1 packet types
    int SR = 200;
    int RR = 201;
    int SDES = 202;
    int BYE = 203;
    int APP = 204;
    int RTPFB = 205;
    int PSFB = 206;

    /** The packet type (PT) field. */
    int packetType();

    /** Appends the packet (header included) to {@code out}. */
    void write(ByteBuf out);
}
