package dev.vireo.webrtc.testing;

import dev.vireo.media.av1.Av1Obus;
import dev.vireo.media.av1.Av1SequenceHeader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An AV1 clip read from IVF (what ffmpeg writes for {@code -f ivf}: a 32-byte file header, then
 * per temporal unit a 12-byte frame header and the low-overhead bitstream OBUs), with the av1C
 * an enhanced RTMP publisher sends as its SequenceStart.
 *
 * @param timebase seconds per pts unit, as numerator/denominator
 */
public record Av1Clip(int width, int height, int timebaseNum, int timebaseDen, List<TemporalUnit> units) {

    /**
     * One temporal unit.
     *
     * @param keyframe whether it carries a sequence header (libaom and SVT-AV1 put one into every
     *                 keyframe and nowhere else)
     */
    public record TemporalUnit(long pts, boolean keyframe, byte[] obus) {
    }

    public static Av1Clip readIvf(byte[] ivf) {
        ByteBuffer b = ByteBuffer.wrap(ivf).order(ByteOrder.LITTLE_ENDIAN);
        if (ivf.length < 32 || b.getInt(0) != 0x46494B44 /* "DKIF" */ || b.getInt(8) != 0x31305641 /* "AV01" */) {
            throw new IllegalArgumentException("not an AV1 IVF file");
        }
        int headerSize = b.getShort(6) & 0xFFFF;
        int width = b.getShort(12) & 0xFFFF;
        int height = b.getShort(14) & 0xFFFF;
        int rate = b.getInt(16);
        int scale = b.getInt(20);
        List<TemporalUnit> units = new ArrayList<>();
        int pos = headerSize;
        while (pos + 12 <= ivf.length) {
            int size = b.getInt(pos);
            long pts = b.getLong(pos + 4);
            pos += 12;
            if (size < 0 || size > ivf.length - pos) {
                throw new IllegalArgumentException("truncated IVF frame at " + pos);
            }
            byte[] obus = Arrays.copyOfRange(ivf, pos, pos + size);
            pos += size;
            units.add(new TemporalUnit(pts, Av1Obus.hasSequenceHeader(Av1Obus.split(Unpooled.wrappedBuffer(obus))), obus));
        }
        return new Av1Clip(width, height, scale, rate, units);
    }

    /** The first sequence header OBU of the clip, with its obu_size, as written by the encoder. */
    public byte[] sequenceHeaderObu() {
        for (TemporalUnit tu : units) {
            ByteBuf in = Unpooled.wrappedBuffer(tu.obus());
            int start = 0;
            for (Av1Obus.Obu o : Av1Obus.split(in)) {
                int end = o.payloadOffset() + o.payloadSize();
                if (o.type() == Av1Obus.SEQUENCE_HEADER) {
                    return Arrays.copyOfRange(tu.obus(), start, end);
                }
                start = end;
            }
        }
        throw new IllegalStateException("the clip has no sequence header");
    }

    /**
     * AV1CodecConfigurationRecord (AV1-ISOBMFF §2.3.3) for the clip: profile, level and tier of
     * its sequence header, 8-bit 4:2:0 (what the test encodes), and the sequence header as the
     * configOBUs.
     */
    public byte[] av1c() {
        byte[] seq = sequenceHeaderObu();
        Av1SequenceHeader h = Av1SequenceHeader.find(Unpooled.wrappedBuffer(seq));
        byte[] out = new byte[4 + seq.length];
        out[0] = (byte) 0x81; // marker, version 1
        out[1] = (byte) (h.seqProfile() << 5 | h.seqLevelIdx0());
        out[2] = (byte) (h.seqTier0() << 7 | 1 << 3 | 1 << 2); // chroma_subsampling_x/y = 1 (4:2:0)
        out[3] = 0; // no initial_presentation_delay
        System.arraycopy(seq, 0, out, 4, seq.length);
        return out;
    }

    /** The temporal unit's OBUs without any sequence header (a publisher that sends it only in av1C). */
    public static byte[] withoutSequenceHeader(byte[] obus) {
        ByteBuf in = Unpooled.wrappedBuffer(obus);
        ByteBuf out = Unpooled.buffer(obus.length);
        int start = 0;
        for (Av1Obus.Obu o : Av1Obus.split(in)) {
            int end = o.payloadOffset() + o.payloadSize();
            if (o.type() != Av1Obus.SEQUENCE_HEADER) {
                out.writeBytes(obus, start, end - start);
            }
            start = end;
        }
        byte[] b = new byte[out.readableBytes()];
        out.readBytes(b);
        return b;
    }
}
