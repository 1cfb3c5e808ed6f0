package dev.vireo.webrtc.rtcp;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * Compound RTCP packets, RFC 3550 §6.1: RTCP packets back to back in one datagram. Reduced-size
 * RTCP (RFC 5506, a lone feedback packet) parses the same way.
 */
public final class RtcpCompound {

    /** Most packets accepted in one compound packet. */
    public static final int MAX_PACKETS = 64;
    /** Largest compound packet accepted. */
    public static final int MAX_SIZE = 65536;

    private RtcpCompound() {
    }

    /**
     * Parses every packet in the readable bytes of {@code datagram} (already unprotected) without
     * moving its indices. Unknown packet types and feedback formats come back as
     * {@link UnknownRtcpPacket}.
     *
     * @throws RtcpException when a header or body is malformed
     */
    public static List<RtcpPacket> parse(ByteBuf datagram) {
        int pos = datagram.readerIndex();
        int end = datagram.writerIndex();
        if (end - pos > MAX_SIZE) {
            throw new RtcpException("RTCP packet of " + (end - pos) + " bytes exceeds " + MAX_SIZE);
        }
        if (pos == end) {
            throw new RtcpException("empty RTCP packet");
        }
        List<RtcpPacket> out = new ArrayList<>(4);
        while (pos < end) {
            if (out.size() >= MAX_PACKETS) {
                throw new RtcpException("more than " + MAX_PACKETS + " packets in a compound RTCP packet");
            }
            if (end - pos < RtcpHeader.SIZE) {
                throw new RtcpException("truncated RTCP header at offset " + (pos - datagram.readerIndex()));
            }
            int b0 = datagram.getUnsignedByte(pos);
            if (b0 >>> 6 != 2) {
                throw new RtcpException("RTCP version " + (b0 >>> 6) + " is not 2");
            }
            int count = b0 & 0x1F;
            int pt = datagram.getUnsignedByte(pos + 1);
            int length = 4 * (datagram.getUnsignedShort(pos + 2) + 1);
            if (length > end - pos) {
                throw new RtcpException("RTCP packet type " + pt + " of " + length + " bytes runs past the "
                        + (end - pos) + " left");
            }
            int bodyLength = length - RtcpHeader.SIZE;
            if ((b0 & 0x20) != 0) {
                // RFC 3550 §6.4.1: padding only on the last packet; its last octet counts it
                if (pos + length != end) {
                    throw new RtcpException("RTCP padding on a packet that is not the last");
                }
                int pad = datagram.getUnsignedByte(pos + length - 1);
                if (pad == 0 || pad > bodyLength) {
                    throw new RtcpException("RTCP padding of " + pad + " bytes");
                }
                bodyLength -= pad;
            }
            ByteBuf body = datagram.slice(pos + RtcpHeader.SIZE, bodyLength);
            out.add(parseOne(count, pt, body));
            pos += length;
        }
        return out;
    }

    private static RtcpPacket parseOne(int count, int pt, ByteBuf body) {
        return switch (pt) {
            case RtcpPacket.SR -> SenderReport.parse(count, body);
            case RtcpPacket.RR -> ReceiverReport.parse(count, body);
            case RtcpPacket.SDES -> SourceDescription.parse(count, body);
            case RtcpPacket.BYE -> Goodbye.parse(count, body);
            case RtcpPacket.RTPFB -> switch (count) {
                case GenericNack.FMT -> GenericNack.parse(body);
                case TransportCcFeedback.FMT -> TransportCcFeedback.parse(body);
                default -> unknown(pt, count, body);
            };
            case RtcpPacket.PSFB -> switch (count) {
                case PictureLossIndication.FMT -> PictureLossIndication.parse(body);
                case FullIntraRequest.FMT -> FullIntraRequest.parse(body);
                case ReceiverEstimatedMaxBitrate.FMT -> ReceiverEstimatedMaxBitrate.matches(body)
                        ? ReceiverEstimatedMaxBitrate.parse(body) : unknown(pt, count, body);
                default -> unknown(pt, count, body);
            };
            default -> unknown(pt, count, body);
        };
    }

    private static UnknownRtcpPacket unknown(int pt, int count, ByteBuf body) {
        byte[] b = new byte[body.readableBytes() + 3 & ~3];
        body.getBytes(body.readerIndex(), b, 0, body.readableBytes());
        return new UnknownRtcpPacket(pt, count, b);
    }

    /** Writes the packets back to back. */
    public static void write(ByteBuf out, List<? extends RtcpPacket> packets) {
        for (RtcpPacket p : packets) {
            p.write(out);
        }
    }

    /** Writes the packets back to back. */
    public static void write(ByteBuf out, RtcpPacket... packets) {
        write(out, List.of(packets));
    }
}
