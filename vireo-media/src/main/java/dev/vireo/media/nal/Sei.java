package dev.vireo.media.nal;

import dev.vireo.media.Codec;
import dev.vireo.media.MediaFormatException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Supplemental enhancement information NAL units of H.264 (type 6, §7.3.2.3) and H.265 (prefix
 * 39 / suffix 40, §7.3.2.4): reading their messages and writing user_data_unregistered ones, the
 * way the benchmark carries a wallclock time stamp through the server.
 */
public final class Sei {

    /** A SEI NAL is read whole into memory; this bounds it. */
    public static final int MAX_SEI_BYTES = 1 << 20;
    /** Bounds the messages taken from one SEI NAL. */
    static final int MAX_MESSAGES = 256;

    private Sei() {
    }

    /** Whether {@code nal} (header at the reader index) is a SEI NAL unit of {@code codec}. */
    public static boolean isSei(Codec codec, ByteBuf nal) {
        if (!nal.isReadable()) {
            return false;
        }
        int t = NalUnits.type(codec, nal);
        return codec == Codec.H265 ? t == NalUnits.H265_PREFIX_SEI || t == NalUnits.H265_SUFFIX_SEI
                : t == NalUnits.H264_SEI;
    }

    /** The messages of a SEI NAL unit (with its header and emulation prevention). */
    public static List<SeiMessage> parse(Codec codec, ByteBuf nal) {
        if (!isSei(codec, nal)) {
            throw new MediaFormatException("not a SEI NAL unit");
        }
        byte[] rbsp = NalUnits.unescape(nal, MAX_SEI_BYTES);
        int pos = codec == Codec.H265 ? 2 : 1;
        List<SeiMessage> out = new ArrayList<>();
        // sei_rbsp(): messages until only rbsp_trailing_bits (0x80, maybe zero bytes) remain
        int end = rbsp.length;
        while (end > pos && rbsp[end - 1] == 0) {
            end--;
        }
        if (end > pos && rbsp[end - 1] == (byte) 0x80) {
            end--;
        }
        while (pos < end) {
            if (out.size() >= MAX_MESSAGES) {
                throw new MediaFormatException("more than " + MAX_MESSAGES + " SEI messages");
            }
            int type = 0;
            while (pos < end && rbsp[pos] == (byte) 0xFF) {
                type += 255;
                pos++;
            }
            if (pos >= end) {
                throw new MediaFormatException("truncated SEI payload type");
            }
            type += rbsp[pos++] & 0xFF;
            int size = 0;
            while (pos < end && rbsp[pos] == (byte) 0xFF) {
                size += 255;
                pos++;
            }
            if (pos >= end) {
                throw new MediaFormatException("truncated SEI payload size");
            }
            size += rbsp[pos++] & 0xFF;
            // a payload may end in a 0x80 byte that looked like the trailing bits
            if (size > rbsp.length - pos) {
                throw new MediaFormatException("SEI payload size " + size + " exceeds the " + (rbsp.length - pos)
                        + " bytes left");
            }
            byte[] payload = java.util.Arrays.copyOfRange(rbsp, pos, pos + size);
            pos += size;
            out.add(new SeiMessage(type, payload));
        }
        return out;
    }

    /**
     * A complete SEI NAL unit (header, one user_data_unregistered message, trailing bits, with
     * emulation prevention) carrying {@code uuid} and {@code data}. H.265 uses a prefix SEI.
     */
    public static byte[] userDataUnregistered(Codec codec, UUID uuid, byte[] data) {
        ByteArrayOutputStream rbsp = new ByteArrayOutputStream(data.length + 32);
        int size = 16 + data.length;
        if (size > MAX_SEI_BYTES) {
            throw new IllegalArgumentException("SEI user data of " + data.length + " bytes is too large");
        }
        writeFfCoded(rbsp, SeiMessage.USER_DATA_UNREGISTERED);
        writeFfCoded(rbsp, size);
        for (int i = 7; i >= 0; i--) {
            rbsp.write((int) (uuid.getMostSignificantBits() >>> (8 * i)));
        }
        for (int i = 7; i >= 0; i--) {
            rbsp.write((int) (uuid.getLeastSignificantBits() >>> (8 * i)));
        }
        rbsp.writeBytes(data);
        rbsp.write(0x80); // rbsp_trailing_bits
        byte[] escaped = NalUnits.escape(rbsp.toByteArray());
        byte[] header = codec == Codec.H265
                ? new byte[] {(byte) (NalUnits.H265_PREFIX_SEI << 1), 0x01} // layer 0, TemporalId 0
                : new byte[] {NalUnits.H264_SEI}; // nal_ref_idc 0
        byte[] nal = new byte[header.length + escaped.length];
        System.arraycopy(header, 0, nal, 0, header.length);
        System.arraycopy(escaped, 0, nal, header.length, escaped.length);
        return nal;
    }

    /** payloadType / payloadSize coding: 0xFF per 255, then the remainder (§7.3.2.3.1). */
    private static void writeFfCoded(ByteArrayOutputStream out, int value) {
        while (value >= 255) {
            out.write(0xFF);
            value -= 255;
        }
        out.write(value);
    }

    /**
     * The user data of the first user_data_unregistered message with {@code uuid} in a 4-byte
     * length-prefixed access unit, or null. SEI NAL units that fail to parse are skipped.
     */
    public static byte[] findUserData(Codec codec, ByteBuf accessUnit, UUID uuid) {
        for (ByteBuf nal : NalUnits.split(accessUnit)) {
            if (!isSei(codec, nal)) {
                continue;
            }
            List<SeiMessage> messages;
            try {
                messages = parse(codec, nal);
            } catch (MediaFormatException e) {
                continue;
            }
            for (SeiMessage m : messages) {
                if (uuid.equals(m.uuid())) {
                    return m.userData();
                }
            }
        }
        return null;
    }

    /**
     * A new 4-byte length-prefixed access unit with {@code nal} inserted before the first VCL NAL
     * unit (after AUD, parameter sets and other SEI, where §7.4.1.2.3 wants SEI), or at the end
     * when there is none.
     */
    public static ByteBuf insert(ByteBufAllocator alloc, Codec codec, ByteBuf accessUnit, byte[] nal) {
        List<ByteBuf> nals = NalUnits.split(accessUnit);
        ByteBuf out = alloc.buffer(accessUnit.readableBytes() + 4 + nal.length);
        boolean inserted = false;
        for (ByteBuf n : nals) {
            if (!inserted && isVcl(codec, NalUnits.type(codec, n))) {
                out.writeInt(nal.length).writeBytes(nal);
                inserted = true;
            }
            out.writeInt(n.readableBytes()).writeBytes(n, n.readerIndex(), n.readableBytes());
        }
        if (!inserted) {
            out.writeInt(nal.length).writeBytes(nal);
        }
        return out;
    }

    private static boolean isVcl(Codec codec, int type) {
        return codec == Codec.H265 ? type < 32 : type >= 1 && type <= 5;
    }
}
