package dev.vireo.media.av1;

import dev.vireo.media.MediaFormatException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits AV1 low-overhead bitstream format (AV1 Bitstream & Decoding Process Specification §5.2,
 * the layout of an AV1 {@code MediaFrame} and of av1C's configOBUs) into its OBUs: every OBU has
 * obu_has_size_field set, except that the last one may omit it and run to the end.
 *
 * <p>Bounded: at most {@link #MAX_OBUS} OBUs per call; every size is checked against the bytes
 * left. Anything else throws {@link MediaFormatException} with the reason.
 */
public final class Av1Obus {

    /** OBU types, §6.2.2 obu_type. */
    public static final int SEQUENCE_HEADER = 1;
    public static final int TEMPORAL_DELIMITER = 2;
    public static final int FRAME_HEADER = 3;
    public static final int TILE_GROUP = 4;
    public static final int METADATA = 5;
    public static final int FRAME = 6;
    public static final int REDUNDANT_FRAME_HEADER = 7;
    public static final int TILE_LIST = 8;
    public static final int PADDING = 15;

    /** Bound on the OBUs of one temporal unit (a frame has a handful; many tile groups are still far below). */
    public static final int MAX_OBUS = 4096;

    /**
     * One OBU of the input.
     *
     * @param header        obu_header() byte (§5.3.2) as written (obu_has_size_field may be set)
     * @param extension     obu_extension_header() byte (§5.3.3), or -1 when absent
     * @param payloadOffset absolute index of the OBU payload in the parsed buffer
     * @param payloadSize   payload bytes (without header, extension and size field)
     */
    public record Obu(int header, int extension, int payloadOffset, int payloadSize) {

        public int type() {
            return (header >>> 3) & 0x0F;
        }

        public boolean hasExtension() {
            return extension >= 0;
        }

        /** Header and extension bytes: what precedes the payload once the size field is removed. */
        public int headerSize() {
            return hasExtension() ? 2 : 1;
        }
    }

    private Av1Obus() {
    }

    /** The OBUs between {@code in}'s reader and writer index; does not move them. */
    public static List<Obu> split(ByteBuf in) {
        List<Obu> obus = new ArrayList<>();
        int pos = in.readerIndex();
        int end = in.writerIndex();
        while (pos < end) {
            if (obus.size() == MAX_OBUS) {
                throw new MediaFormatException("more than " + MAX_OBUS + " AV1 OBUs in one temporal unit");
            }
            int header = in.getUnsignedByte(pos);
            if ((header & 0x80) != 0) {
                throw new MediaFormatException("AV1 OBU " + obus.size() + ": obu_forbidden_bit set");
            }
            int p = pos + 1;
            int extension = -1;
            if ((header & 0x04) != 0) {
                if (p >= end) {
                    throw new MediaFormatException("AV1 OBU " + obus.size() + ": truncated extension header");
                }
                extension = in.getUnsignedByte(p++);
            }
            long size;
            if ((header & 0x02) != 0) {
                long leb = leb128(in, p, end);
                size = leb >>> 8;
                p += (int) (leb & 0xFF);
            } else {
                size = end - p; // §5.2: without obu_size the OBU runs to the end of the data
            }
            if (size > end - p) {
                throw new MediaFormatException("AV1 OBU " + obus.size() + ": obu_size " + size + " exceeds the "
                        + (end - p) + " bytes left");
            }
            obus.add(new Obu(header, extension, p, (int) size));
            pos = p + (int) size;
        }
        return obus;
    }

    /** Whether the OBUs contain a sequence header. */
    public static boolean hasSequenceHeader(List<Obu> obus) {
        for (Obu o : obus) {
            if (o.type() == SEQUENCE_HEADER) {
                return true;
            }
        }
        return false;
    }

    /**
     * The first sequence header OBU of {@code obus} as a low-overhead bitstream OBU (with
     * obu_has_size_field and obu_size), or null when there is none.
     */
    public static byte[] sequenceHeaderObu(ByteBuf obus) {
        for (Obu o : split(obus)) {
            if (o.type() == SEQUENCE_HEADER) {
                ByteBuf out = Unpooled.buffer(o.payloadSize() + 8);
                out.writeByte(o.header() | 0x02);
                if (o.hasExtension()) {
                    out.writeByte(o.extension());
                }
                writeLeb128(out, o.payloadSize());
                out.writeBytes(obus, o.payloadOffset(), o.payloadSize());
                byte[] b = new byte[out.readableBytes()];
                out.readBytes(b);
                return b;
            }
        }
        return null;
    }

    /**
     * A temporal unit that starts a coded video sequence: {@code temporalUnit} with
     * {@code sequenceHeaderObu} put after its temporal delimiter (§7.5: a sequence header comes
     * first in its temporal unit, after the delimiter), or null when it has a sequence header
     * already. The result is a new buffer; {@code temporalUnit} is left as it is.
     */
    public static ByteBuf withSequenceHeader(ByteBufAllocator alloc, ByteBuf temporalUnit, byte[] sequenceHeaderObu) {
        List<Obu> obus = split(temporalUnit);
        if (hasSequenceHeader(obus)) {
            return null;
        }
        int at = temporalUnit.readerIndex();
        if (!obus.isEmpty() && obus.getFirst().type() == TEMPORAL_DELIMITER) {
            at = obus.getFirst().payloadOffset() + obus.getFirst().payloadSize();
        }
        int head = at - temporalUnit.readerIndex();
        ByteBuf out = alloc.buffer(temporalUnit.readableBytes() + sequenceHeaderObu.length);
        out.writeBytes(temporalUnit, temporalUnit.readerIndex(), head);
        out.writeBytes(sequenceHeaderObu);
        out.writeBytes(temporalUnit, at, temporalUnit.writerIndex() - at);
        return out;
    }

    /**
     * leb128() §4.10.5 at {@code pos}: {@code value << 8 | bytes read}. At most 8 bytes and a
     * value below 2^32, as §4.10.5 requires.
     */
    public static long leb128(ByteBuf b, int pos, int end) {
        long value = 0;
        for (int i = 0; i < 8; i++) {
            if (pos + i >= end) {
                throw new MediaFormatException("truncated AV1 leb128");
            }
            int byteValue = b.getUnsignedByte(pos + i);
            value |= (long) (byteValue & 0x7F) << (i * 7);
            if ((byteValue & 0x80) == 0) {
                if (value > 0xFFFFFFFFL) {
                    throw new MediaFormatException("AV1 leb128 value exceeds 2^32-1");
                }
                return (value << 8) | (i + 1);
            }
        }
        throw new MediaFormatException("AV1 leb128 longer than 8 bytes");
    }

    /** Bytes leb128 takes for {@code value} (the shortest encoding). */
    public static int leb128Size(long value) {
        int n = 1;
        while (value >= 0x80) {
            value >>>= 7;
            n++;
        }
        return n;
    }

    /** Writes {@code value} as the shortest leb128. */
    public static void writeLeb128(ByteBuf out, long value) {
        while (value >= 0x80) {
            out.writeByte((int) (value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.writeByte((int) value);
    }
}
