package dev.vireo.webrtc.rtcp;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Transport-wide congestion control feedback, draft-holmer-rmcat-transport-wide-cc-extensions-01
 * §3.1 (RTPFB, FMT 15): for a run of transport-wide sequence numbers starting at the base, whether
 * each packet arrived and, for those that did, its arrival time as a delta from the previous one.
 *
 * @param senderSsrc     SSRC of the feedback sender
 * @param mediaSsrc      SSRC of the media source (Chrome puts the first media SSRC)
 * @param baseSequence   transport-wide sequence number of the first status
 * @param referenceTime  signed 24-bit, in multiples of 64 ms: arrival time of the first received packet's base
 * @param feedbackCount  8-bit feedback packet counter
 * @param statuses       one per packet from the base: {@link #NOT_RECEIVED}, {@link #SMALL_DELTA}, {@link #LARGE_DELTA}
 * @param deltas         one per packet: receive delta in 250 µs units (0 where not received)
 */
public record TransportCcFeedback(int senderSsrc, int mediaSsrc, int baseSequence, int referenceTime,
                                  int feedbackCount, byte[] statuses, int[] deltas) implements RtcpPacket {

    public static final int FMT = 15;
    public static final byte NOT_RECEIVED = 0;
    public static final byte SMALL_DELTA = 1;
    public static final byte LARGE_DELTA = 2;
    /** Bound on the packet status count accepted (Chrome reports far fewer per feedback). */
    public static final int MAX_STATUS_COUNT = 8192;
    /** The unit of receive deltas, in microseconds. */
    public static final int DELTA_MICROS = 250;

    public TransportCcFeedback {
        statuses = statuses.clone();
        deltas = deltas.clone();
        if (statuses.length != deltas.length || statuses.length > MAX_STATUS_COUNT) {
            throw new IllegalArgumentException(statuses.length + " statuses with " + deltas.length + " deltas");
        }
        for (int i = 0; i < statuses.length; i++) {
            byte s = statuses[i];
            if (s != NOT_RECEIVED && s != SMALL_DELTA && s != LARGE_DELTA) {
                throw new IllegalArgumentException("status " + s);
            }
            if (s == SMALL_DELTA && (deltas[i] < 0 || deltas[i] > 255)
                    || s == LARGE_DELTA && (deltas[i] < Short.MIN_VALUE || deltas[i] > Short.MAX_VALUE)) {
                throw new IllegalArgumentException("delta " + deltas[i] + " does not fit status " + s);
            }
        }
    }

    @Override
    public byte[] statuses() {
        return statuses.clone();
    }

    @Override
    public int[] deltas() {
        return deltas.clone();
    }

    @Override
    public int packetType() {
        return RTPFB;
    }

    /** Number of packets this feedback covers. */
    public int packetStatusCount() {
        return statuses.length;
    }

    /** How many of them arrived. */
    public int receivedCount() {
        int n = 0;
        for (byte s : statuses) {
            if (s != NOT_RECEIVED) {
                n++;
            }
        }
        return n;
    }

    /** The reference time in microseconds. */
    public long referenceTimeMicros() {
        return referenceTime * 64_000L;
    }

    /**
     * Arrival time of each packet in microseconds on the receiver's clock (reference time plus the
     * running sum of deltas), or -1 where not received.
     */
    public long[] arrivalTimesMicros() {
        long[] out = new long[statuses.length];
        long t = referenceTimeMicros();
        for (int i = 0; i < statuses.length; i++) {
            if (statuses[i] == NOT_RECEIVED) {
                out[i] = -1;
            } else {
                t += (long) deltas[i] * DELTA_MICROS;
                out[i] = t;
            }
        }
        return out;
    }

    static TransportCcFeedback parse(ByteBuf body) {
        RtcpHeader.need(body, 16, "transport-cc feedback");
        int sender = body.readInt();
        int media = body.readInt();
        int base = body.readUnsignedShort();
        int count = body.readUnsignedShort();
        int reference = body.readMedium(); // signed 24-bit
        int fbCount = body.readUnsignedByte();
        if (count > MAX_STATUS_COUNT) {
            throw new RtcpException("transport-cc feedback with " + count + " statuses exceeds " + MAX_STATUS_COUNT);
        }
        byte[] statuses = new byte[count];
        int n = 0;
        while (n < count) {
            RtcpHeader.need(body, 2, "transport-cc packet chunk");
            int chunk = body.readUnsignedShort();
            if ((chunk & 0x8000) == 0) {
                // §3.1.3 run length chunk: T=0, 2-bit symbol, 13-bit run length
                int symbol = chunk >>> 13 & 0x3;
                int run = chunk & 0x1FFF;
                checkSymbol(symbol);
                for (int k = 0; k < run && n < count; k++) {
                    statuses[n++] = (byte) symbol;
                }
            } else if ((chunk & 0x4000) == 0) {
                // §3.1.4 status vector chunk, S=0: fourteen 1-bit symbols
                for (int k = 13; k >= 0 && n < count; k--) {
                    statuses[n++] = (byte) (chunk >>> k & 1);
                }
            } else {
                // S=1: seven 2-bit symbols
                for (int k = 6; k >= 0 && n < count; k--) {
                    int symbol = chunk >>> 2 * k & 0x3;
                    checkSymbol(symbol);
                    statuses[n++] = (byte) symbol;
                }
            }
        }
        int[] deltas = new int[count];
        for (int i = 0; i < count; i++) {
            if (statuses[i] == SMALL_DELTA) {
                RtcpHeader.need(body, 1, "transport-cc receive delta");
                deltas[i] = body.readUnsignedByte();
            } else if (statuses[i] == LARGE_DELTA) {
                RtcpHeader.need(body, 2, "transport-cc receive delta");
                deltas[i] = body.readShort();
            }
        }
        return new TransportCcFeedback(sender, media, base, reference, fbCount, statuses, deltas);
    }

    private static void checkSymbol(int symbol) {
        if (symbol == 3) {
            throw new RtcpException("reserved transport-cc packet status symbol 11");
        }
    }

    /** Writes the statuses as two-bit status vector chunks (§3.1.4, S=1), then the deltas. */
    @Override
    public void write(ByteBuf out) {
        int start = RtcpHeader.begin(out, FMT, RTPFB);
        out.writeInt(senderSsrc);
        out.writeInt(mediaSsrc);
        out.writeShort(baseSequence);
        out.writeShort(statuses.length);
        out.writeMedium(referenceTime);
        out.writeByte(feedbackCount);
        for (int i = 0; i < statuses.length; i += 7) {
            int chunk = 0xC000;
            for (int k = 0; k < 7 && i + k < statuses.length; k++) {
                chunk |= statuses[i + k] << 2 * (6 - k);
            }
            out.writeShort(chunk);
        }
        for (int i = 0; i < statuses.length; i++) {
            if (statuses[i] == SMALL_DELTA) {
                out.writeByte(deltas[i]);
            } else if (statuses[i] == LARGE_DELTA) {
                out.writeShort(deltas[i]);
            }
        }
        RtcpHeader.end(out, start);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TransportCcFeedback t && senderSsrc == t.senderSsrc && mediaSsrc == t.mediaSsrc
                && baseSequence == t.baseSequence && referenceTime == t.referenceTime
                && feedbackCount == t.feedbackCount && Arrays.equals(statuses, t.statuses)
                && Arrays.equals(deltas, t.deltas);
    }

    @Override
    public int hashCode() {
        return ((baseSequence * 31 + referenceTime) * 31 + Arrays.hashCode(statuses)) * 31 + Arrays.hashCode(deltas);
    }

    @Override
    public String toString() {
        return "TransportCcFeedback[base=" + baseSequence + ", count=" + statuses.length + ", received="
                + receivedCount() + ", reference=" + referenceTime + ", fbCount=" + feedbackCount + "]";
    }
}
