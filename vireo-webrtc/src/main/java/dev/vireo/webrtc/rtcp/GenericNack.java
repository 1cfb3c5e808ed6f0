package dev.vireo.webrtc.rtcp;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Generic NACK, RFC 4585 §6.2.1 (RTPFB, FMT 1): the receiver lost these RTP sequence numbers.
 * On the wire each FCI is a PID and a bitmask (BLP) of the 16 following packets.
 *
 * @param senderSsrc        SSRC of the packet sender
 * @param mediaSsrc         SSRC of the media source the packets were lost from
 * @param lostSequenceNumbers lost sequence numbers, in ascending order modulo 2^16
 */
public record GenericNack(int senderSsrc, int mediaSsrc, int[] lostSequenceNumbers) implements RtcpPacket {

    public static final int FMT = 1;
    /** Bound on the FCIs accepted in one packet (each stands for up to 17 packets). */
    public static final int MAX_FCI = 512;

    public GenericNack {
        lostSequenceNumbers = lostSequenceNumbers.clone();
    }

    @Override
    public int[] lostSequenceNumbers() {
        return lostSequenceNumbers.clone();
    }

    @Override
    public int packetType() {
        return RTPFB;
    }

    static GenericNack parse(ByteBuf body) {
        RtcpHeader.need(body, 8, "generic NACK");
        int sender = body.readInt();
        int media = body.readInt();
        int fcis = body.readableBytes() / 4;
        if (fcis > MAX_FCI) {
            throw new RtcpException("generic NACK with " + fcis + " FCIs exceeds " + MAX_FCI);
        }
        int[] lost = new int[fcis * 17];
        int n = 0;
        for (int i = 0; i < fcis; i++) {
            int pid = body.readUnsignedShort();
            int blp = body.readUnsignedShort();
            lost[n++] = pid;
            for (int bit = 0; bit < 16; bit++) {
                if ((blp & 1 << bit) != 0) {
                    lost[n++] = pid + bit + 1 & 0xFFFF; // BLP bit i: PID + i + 1 lost
                }
            }
        }
        return new GenericNack(sender, media, Arrays.copyOf(lost, n));
    }

    @Override
    public void write(ByteBuf out) {
        int start = RtcpHeader.begin(out, FMT, RTPFB);
        out.writeInt(senderSsrc);
        out.writeInt(mediaSsrc);
        int i = 0;
        while (i < lostSequenceNumbers.length) {
            int pid = lostSequenceNumbers[i] & 0xFFFF;
            int blp = 0;
            i++;
            while (i < lostSequenceNumbers.length) {
                int d = lostSequenceNumbers[i] - pid & 0xFFFF;
                if (d == 0) {
                    i++; // duplicate
                } else if (d <= 16) {
                    blp |= 1 << d - 1;
                    i++;
                } else {
                    break;
                }
            }
            out.writeShort(pid).writeShort(blp);
        }
        RtcpHeader.end(out, start);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GenericNack g && senderSsrc == g.senderSsrc && mediaSsrc == g.mediaSsrc
                && Arrays.equals(lostSequenceNumbers, g.lostSequenceNumbers);
    }

    @Override
    public int hashCode() {
        return (senderSsrc * 31 + mediaSsrc) * 31 + Arrays.hashCode(lostSequenceNumbers);
    }

    @Override
    public String toString() {
        return "GenericNack[sender=" + Integer.toUnsignedString(senderSsrc) + ", media="
                + Integer.toUnsignedString(mediaSsrc) + ", lost=" + Arrays.toString(lostSequenceNumbers) + "]";
    }
}
