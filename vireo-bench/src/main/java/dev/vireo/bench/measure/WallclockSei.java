package dev.vireo.bench.measure;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * The publisher's send time carried inside the video itself: one H.264 SEI NAL unit
 * (user_data_unregistered, H.264 §D.1.6) put first in every coded video tag. Because the stamp
 * travels in the bitstream, latency is measured the same way whatever a server does to RTMP
 * timestamps (rebasing per viewer, shifting at join) and for any egress protocol.
 *
 * <p>Layout, 36 bytes: NAL header 0x06, payloadType 5, payloadSize 32, a 16-byte UUID
 * ({@code "VireoBenchClock1"}), the stamp as 16 lowercase hex ASCII digits, rbsp trailing bits
 * 0x80. Neither the UUID nor hex digits contain a zero byte, so no emulation prevention byte
 * (H.264 §7.4.1) is ever needed and the NAL is written and read at fixed offsets.
 */
public final class WallclockSei {

    public static final int NAL_SIZE = 36;
    private static final int NAL_TYPE_SEI = 6;
    private static final int USER_DATA_UNREGISTERED = 5;
    private static final int PAYLOAD_SIZE = 32;
    private static final byte[] UUID = "VireoBenchClock1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    /** FLV AVCVIDEOPACKET header: frame type/codec, AVCPacketType, CompositionTime SI24. */
    public static final int AVC_HEADER_SIZE = 5;

    private WallclockSei() {
    }

    /**
     * A copy of a legacy AVC NALU tag body ({@code AVCPacketType 1}) with the stamp NAL first.
     *
     * @param lengthSize NAL length prefix size of the stream (AVCDecoderConfigurationRecord
     *                   lengthSizeMinusOne + 1)
     */
    public static ByteBuf stamp(ByteBufAllocator alloc, byte[] avcTagBody, int lengthSize, long stampNanos) {
        ByteBuf out = alloc.buffer(avcTagBody.length + lengthSize + NAL_SIZE);
        out.writeBytes(avcTagBody, 0, AVC_HEADER_SIZE);
        writeLength(out, lengthSize, NAL_SIZE);
        out.writeByte(NAL_TYPE_SEI).writeByte(USER_DATA_UNREGISTERED).writeByte(PAYLOAD_SIZE);
        out.writeBytes(UUID);
        for (int shift = 60; shift >= 0; shift -= 4) {
            out.writeByte(HEX[(int) (stampNanos >>> shift) & 0xF]);
        }
        out.writeByte(0x80);
        out.writeBytes(avcTagBody, AVC_HEADER_SIZE, avcTagBody.length - AVC_HEADER_SIZE);
        return out;
    }

    /**
     * The stamp of a video tag body, or -1 when its first NAL is not our stamp. Reads at fixed
     * offsets from the reader index without moving it and without allocating.
     */
    public static long read(ByteBuf tagBody, int lengthSize) {
        int base = tagBody.readerIndex();
        int nal = base + AVC_HEADER_SIZE + lengthSize;
        if (tagBody.writerIndex() < nal + NAL_SIZE
                || (tagBody.getByte(base) & 0x0F) != 7            // legacy AVC codec id
                || tagBody.getByte(base + 1) != 1                 // AVCPacketType NALU
                || readLength(tagBody, base + AVC_HEADER_SIZE, lengthSize) != NAL_SIZE) {
            return -1;
        }
        return readNal(tagBody, nal, NAL_SIZE);
    }

    /**
     * The stamp in the NAL unit of {@code length} bytes at {@code nal} (its header byte), or -1
     * when it is not our stamp; for depacketized video (a single NAL unit RTP packet or one unit
     * of a STAP-A, RFC 6184 §5.6/§5.7.1). Does not move any index.
     */
    public static long readNal(ByteBuf buf, int nal, int length) {
        if (length != NAL_SIZE || nal < 0 || buf.writerIndex() < nal + NAL_SIZE
                || (buf.getByte(nal) & 0x1F) != NAL_TYPE_SEI
                || buf.getByte(nal + 1) != USER_DATA_UNREGISTERED
                || buf.getByte(nal + 2) != PAYLOAD_SIZE) {
            return -1;
        }
        for (int i = 0; i < UUID.length; i++) {
            if (buf.getByte(nal + 3 + i) != UUID[i]) {
                return -1;
            }
        }
        long value = 0;
        int digits = nal + 3 + UUID.length;
        for (int i = 0; i < 16; i++) {
            int c = buf.getByte(digits + i);
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (d < 0) {
                return -1;
            }
            value = (value << 4) | d;
        }
        return value;
    }

    private static void writeLength(ByteBuf out, int lengthSize, int length) {
        for (int shift = (lengthSize - 1) * 8; shift >= 0; shift -= 8) {
            out.writeByte(length >>> shift);
        }
    }

    private static int readLength(ByteBuf buf, int at, int lengthSize) {
        int v = 0;
        for (int i = 0; i < lengthSize; i++) {
            v = (v << 8) | buf.getUnsignedByte(at + i);
        }
        return v;
    }
}
