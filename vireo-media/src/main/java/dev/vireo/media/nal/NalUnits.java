package dev.vireo.media.nal;

import dev.vireo.media.Codec;
import dev.vireo.media.MediaFormatException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * NAL unit helpers for H.264 (ITU-T H.264 §7.3.1) and H.265 (ITU-T H.265 §7.3.1): splitting
 * length-prefixed access units (the AVCC/HVCC layout of FLV and of {@code MediaFrame} payloads),
 * Annex B byte streams, NAL types and emulation prevention.
 */
public final class NalUnits {

    /** Bounds the number of NAL units in one access unit. */
    public static final int MAX_NALUS = 4096;

    // H.264 Table 7-1
    public static final int H264_NON_IDR = 1;
    public static final int H264_IDR = 5;
    public static final int H264_SEI = 6;
    public static final int H264_SPS = 7;
    public static final int H264_PPS = 8;
    public static final int H264_AUD = 9;

    // H.265 Table 7-1
    public static final int H265_IRAP_FIRST = 16; // BLA_W_LP
    public static final int H265_IRAP_LAST = 23;  // RSV_IRAP_VCL23
    public static final int H265_VPS = 32;
    public static final int H265_SPS = 33;
    public static final int H265_PPS = 34;
    public static final int H265_AUD = 35;
    public static final int H265_PREFIX_SEI = 39;
    public static final int H265_SUFFIX_SEI = 40;

    private NalUnits() {
    }

    /** nal_unit_type of an H.264 NAL unit from its first byte. */
    public static int h264Type(int firstByte) {
        return firstByte & 0x1F;
    }

    /** nal_unit_type of an H.265 NAL unit from its first byte. */
    public static int h265Type(int firstByte) {
        return (firstByte >>> 1) & 0x3F;
    }

    /** The NAL unit type for {@code codec} (H264 or H265) of the unit starting at {@code nal}'s reader index. */
    public static int type(Codec codec, ByteBuf nal) {
        if (!nal.isReadable()) {
            throw new MediaFormatException("empty NAL unit");
        }
        int b = nal.getUnsignedByte(nal.readerIndex());
        return codec == Codec.H265 ? h265Type(b) : h264Type(b);
    }

    /**
     * Slices of the NAL units of a length-prefixed access unit (from reader index to writer index,
     * which are not moved); the slices share memory and are not retained.
     *
     * @param lengthSize 1, 2 or 4 (lengthSizeMinusOne + 1 of the decoder configuration)
     * @throws MediaFormatException when a length runs past the end, or is zero-sized garbage
     */
    public static List<ByteBuf> split(ByteBuf accessUnit, int lengthSize) {
        if (lengthSize != 1 && lengthSize != 2 && lengthSize != 4) {
            throw new MediaFormatException("invalid NAL length size " + lengthSize);
        }
        List<ByteBuf> out = new ArrayList<>();
        int pos = accessUnit.readerIndex();
        int end = accessUnit.writerIndex();
        while (pos < end) {
            if (end - pos < lengthSize) {
                throw new MediaFormatException("truncated NAL unit length at offset " + (pos - accessUnit.readerIndex()));
            }
            long len = switch (lengthSize) {
                case 1 -> accessUnit.getUnsignedByte(pos);
                case 2 -> accessUnit.getUnsignedShort(pos);
                default -> accessUnit.getUnsignedInt(pos);
            };
            pos += lengthSize;
            if (len > end - pos) {
                throw new MediaFormatException("NAL unit length " + len + " exceeds the " + (end - pos)
                        + " bytes left");
            }
            if (len > 0) { // some encoders pad with empty units; they carry nothing
                if (out.size() >= MAX_NALUS) {
                    throw new MediaFormatException("more than " + MAX_NALUS + " NAL units in one access unit");
                }
                out.add(accessUnit.slice(pos, (int) len));
            }
            pos += (int) len;
        }
        return out;
    }

    /** {@link #split(ByteBuf, int)} with 4-byte lengths, the layout of {@code MediaFrame} payloads. */
    public static List<ByteBuf> split(ByteBuf accessUnit) {
        return split(accessUnit, 4);
    }

    /**
     * Whether a length-prefixed access unit is a random access point: it contains an IDR slice
     * (H.264 type 5) or an IRAP picture (H.265 types 16..23).
     */
    public static boolean isKeyframe(Codec codec, ByteBuf accessUnit) {
        for (ByteBuf nal : split(accessUnit)) {
            int t = type(codec, nal);
            if (codec == Codec.H265 ? t >= H265_IRAP_FIRST && t <= H265_IRAP_LAST : t == H264_IDR) {
                return true;
            }
        }
        return false;
    }

    /**
     * Slices of the NAL units of an Annex B byte stream (start codes 00 00 01 or 00 00 00 01,
     * ITU-T H.264 Annex B); trailing zero bytes of each unit are dropped. Bytes before the first
     * start code are ignored. Slices share memory and are not retained.
     */
    public static List<ByteBuf> splitAnnexB(ByteBuf stream) {
        List<ByteBuf> out = new ArrayList<>();
        int end = stream.writerIndex();
        int start = nextStartCode(stream, stream.readerIndex(), end);
        while (start >= 0) {
            int nalStart = start + 3;
            int next = nextStartCode(stream, nalStart, end);
            int nalEnd = next < 0 ? end : next;
            while (nalEnd > nalStart && stream.getByte(nalEnd - 1) == 0) {
                nalEnd--; // trailing_zero_8bits, and the leading zero of a 4-byte start code
            }
            if (nalEnd > nalStart) {
                if (out.size() >= MAX_NALUS) {
                    throw new MediaFormatException("more than " + MAX_NALUS + " NAL units in one access unit");
                }
                out.add(stream.slice(nalStart, nalEnd - nalStart));
            }
            start = next;
        }
        return out;
    }

    /** Index of the next 00 00 01 at or after {@code from}, or -1. */
    private static int nextStartCode(ByteBuf b, int from, int end) {
        for (int i = from; i + 2 < end; i++) {
            if (b.getByte(i + 2) > 1) {
                i += 2; // cannot be part of a start code ending within the next two bytes
                continue;
            }
            if (b.getByte(i) == 0 && b.getByte(i + 1) == 0 && b.getByte(i + 2) == 1) {
                return i;
            }
        }
        return -1;
    }

    /** A new buffer with the NAL units of an Annex B stream, each with a 4-byte length prefix. */
    public static ByteBuf annexBToLengthPrefixed(ByteBufAllocator alloc, ByteBuf stream) {
        List<ByteBuf> nals = splitAnnexB(stream);
        int size = 0;
        for (ByteBuf n : nals) {
            size += 4 + n.readableBytes();
        }
        ByteBuf out = alloc.buffer(size);
        for (ByteBuf n : nals) {
            out.writeInt(n.readableBytes()).writeBytes(n, n.readerIndex(), n.readableBytes());
        }
        return out;
    }

    /** A new buffer with the NAL units of a 4-byte length-prefixed access unit behind 00 00 00 01 start codes. */
    public static ByteBuf lengthPrefixedToAnnexB(ByteBufAllocator alloc, ByteBuf accessUnit) {
        List<ByteBuf> nals = split(accessUnit);
        int size = 0;
        for (ByteBuf n : nals) {
            size += 4 + n.readableBytes();
        }
        ByteBuf out = alloc.buffer(size);
        for (ByteBuf n : nals) {
            out.writeInt(1).writeBytes(n, n.readerIndex(), n.readableBytes());
        }
        return out;
    }

    /**
     * The RBSP of a NAL unit (H.264 §7.4.1): the bytes with every emulation_prevention_three_byte
     * (the 03 of 00 00 03) removed, including the NAL header. At most {@code maxBytes} are read.
     */
    public static byte[] unescape(ByteBuf nal, int maxBytes) {
        int len = nal.readableBytes();
        if (len > maxBytes) {
            throw new MediaFormatException("NAL unit of " + len + " bytes exceeds the limit of " + maxBytes);
        }
        byte[] out = new byte[len];
        int n = 0;
        int zeros = 0;
        for (int i = nal.readerIndex(), end = nal.writerIndex(); i < end; i++) {
            byte b = nal.getByte(i);
            if (zeros >= 2 && b == 3) {
                zeros = 0;
                continue;
            }
            zeros = b == 0 ? zeros + 1 : 0;
            out[n++] = b;
        }
        return n == len ? out : java.util.Arrays.copyOf(out, n);
    }

    /** Adds emulation prevention (H.264 §7.4.1) to an RBSP: 00 00 0x (x ≤ 3) becomes 00 00 03 0x. */
    public static byte[] escape(byte[] rbsp) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(rbsp.length + 8);
        int zeros = 0;
        for (byte b : rbsp) {
            if (zeros >= 2 && (b & 0xFF) <= 3) {
                out.write(3);
                zeros = 0;
            }
            out.write(b);
            zeros = b == 0 ? zeros + 1 : 0;
        }
        return out.toByteArray();
    }
}
