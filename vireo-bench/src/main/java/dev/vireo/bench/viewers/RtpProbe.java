package dev.vireo.bench.viewers;

import dev.vireo.bench.measure.WallclockSei;
import io.netty.buffer.ByteBuf;

/**
 * What a WHEP bench viewer reads from SRTP without decrypting: SRTP (RFC 3711 §3.1) encrypts
 * only the payload, so version, marker, payload type, sequence number and SSRC, and the header's
 * length, are in clear. And, for the sampled viewers that do decrypt, where the bench's wallclock
 * SEI sits in an H.264 RTP payload (RFC 6184).
 */
public final class RtpProbe {

    private RtpProbe() {
    }

    /** RFC 7983 §7: 128..191 is RTP or RTCP; RFC 5761 §4: payload types 192..223 are RTCP (rtcp-mux). */
    static boolean isRtcp(ByteBuf datagram) {
        int pt = datagram.getUnsignedByte(datagram.readerIndex() + 1);
        return pt >= 192 && pt <= 223;
    }

    /**
     * Length of the RTP header (RFC 3550 §5.1, §5.3.1: fixed part, CSRCs, extension), or -1
     * when the datagram is too short for what the header announces.
     */
    static int headerLength(ByteBuf packet) {
        int base = packet.readerIndex();
        int size = packet.readableBytes();
        if (size < 12) {
            return -1;
        }
        int b0 = packet.getUnsignedByte(base);
        if (b0 >> 6 != 2) {
            return -1;
        }
        int length = 12 + 4 * (b0 & 0x0F);
        if ((b0 & 0x10) != 0) {
            if (size < length + 4) {
                return -1;
            }
            length += 4 + 4 * packet.getUnsignedShort(base + length + 2);
        }
        return length <= size ? length : -1;
    }

    public static boolean marker(ByteBuf packet) {
        return (packet.getByte(packet.readerIndex() + 1) & 0x80) != 0;
    }

    public static int payloadType(ByteBuf packet) {
        return packet.getByte(packet.readerIndex() + 1) & 0x7F;
    }

    public static int sequence(ByteBuf packet) {
        return packet.getUnsignedShort(packet.readerIndex() + 2);
    }

    /**
     * The bench's wallclock stamp in a decrypted H.264 RTP payload of {@code length} bytes at
     * {@code offset}: in a single NAL unit packet, or in any unit of a STAP-A (RFC 6184 §5.7.1:
     * 16-bit size before each unit); -1 when none (FU-A fragments never carry it: the stamp NAL
     * is 36 bytes).
     */
    public static long wallclockStamp(ByteBuf buf, int offset, int length) {
        if (length < 1) {
            return -1;
        }
        int type = buf.getByte(offset) & 0x1F;
        if (type >= 1 && type <= 23) {
            return WallclockSei.readNal(buf, offset, length);
        }
        if (type == 24) {
            int pos = offset + 1;
            int end = offset + length;
            while (pos + 2 <= end) {
                int size = buf.getUnsignedShort(pos);
                pos += 2;
                if (size == 0 || pos + size > end) {
                    return -1;
                }
                long stamp = WallclockSei.readNal(buf, pos, size);
                if (stamp >= 0) {
                    return stamp;
                }
                pos += size;
            }
        }
        return -1;
    }

    /**
     * Loss on one RTP stream from sequence gaps (RFC 3550 Appendix A.1 style, 16-bit wrap): a
     * packet more than one ahead of the highest seen counts the skipped numbers as lost; a late
     * one (behind the highest, within half the space) fills a gap back in.
     */
    static final class SequenceGaps {

        private int highest = -1;
        private long lost;

        /** @return the sequence numbers newly counted lost by this packet (0 when none) */
        int onPacket(int sequence) {
            if (highest < 0) {
                highest = sequence;
                return 0;
            }
            int delta = (sequence - highest) & 0xFFFF;
            if (delta == 0) {
                return 0; // duplicate
            }
            if (delta < 0x8000) {
                highest = sequence;
                lost += delta - 1;
                return delta - 1;
            }
            // late (reordered or retransmitted with the original number): one fewer lost
            if (lost > 0) {
                lost--;
                return -1;
            }
            return 0;
        }

        long lost() {
            return lost;
        }
    }
}
