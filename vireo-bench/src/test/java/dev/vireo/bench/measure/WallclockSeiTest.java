package dev.vireo.bench.measure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.media.nal.NalUnits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.List;
import org.junit.jupiter.api.Test;

class WallclockSeiTest {

    /** An AVC NALU tag body: keyframe, AVCPacketType 1, CTS 0, one 4-byte-length IDR slice. */
    private static final byte[] TAG = {0x17, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x65, (byte) 0x88, (byte) 0x84};

    @Test
    void stampIsTheFirstNalAndReadsBack() {
        long stamp = 1_763_990_000_123_456_789L;
        ByteBuf b = WallclockSei.stamp(ByteBufAllocator.DEFAULT, TAG, 4, stamp);
        try {
            assertThat(b.readableBytes()).isEqualTo(TAG.length + 4 + WallclockSei.NAL_SIZE);
            assertThat(WallclockSei.read(b, 4)).isEqualTo(stamp);
            // still a valid length-prefixed access unit: SEI, then the original slice
            List<ByteBuf> nals = NalUnits.split(b.slice(5, b.readableBytes() - 5), 4);
            assertThat(nals).hasSize(2);
            assertThat(NalUnits.h264Type(nals.get(0).getUnsignedByte(0))).isEqualTo(NalUnits.H264_SEI);
            assertThat(NalUnits.h264Type(nals.get(1).getUnsignedByte(0))).isEqualTo(NalUnits.H264_IDR);
            // no start code emulation in the SEI: no 00 00 anywhere in it
            byte[] sei = ByteBufUtil.getBytes(nals.get(0));
            for (int i = 0; i + 1 < sei.length; i++) {
                assertThat(sei[i] == 0 && sei[i + 1] == 0).isFalse();
            }
        } finally {
            b.release();
        }
    }

    @Test
    void twoByteLengthsWork() {
        byte[] tag = {0x27, 0x01, 0x00, 0x00, 0x00, 0x00, 0x02, 0x41, (byte) 0x9a};
        ByteBuf b = WallclockSei.stamp(ByteBufAllocator.DEFAULT, tag, 2, 42);
        try {
            assertThat(WallclockSei.read(b, 2)).isEqualTo(42);
            assertThat(WallclockSei.read(b, 4)).isEqualTo(-1);
        } finally {
            b.release();
        }
    }

    @Test
    void unstampedOrForeignVideoReadsMinusOne() {
        assertThat(WallclockSei.read(Unpooled.wrappedBuffer(TAG), 4)).isEqualTo(-1);
        assertThat(WallclockSei.read(Unpooled.wrappedBuffer(new byte[] {0x17, 0x00}), 4)).isEqualTo(-1);
        ByteBuf b = WallclockSei.stamp(ByteBufAllocator.DEFAULT, TAG, 4, 7);
        try {
            b.setByte(5 + 4 + 3, 'X'); // first byte of the UUID
            assertThat(WallclockSei.read(b, 4)).isEqualTo(-1);
        } finally {
            b.release();
        }
    }
}
