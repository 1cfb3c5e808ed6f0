package dev.vireo.media.nal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.media.Codec;
import dev.vireo.media.MediaFormatException;
import dev.vireo.media.Vectors;
import dev.vireo.media.flv.FlvPacketKind;
import dev.vireo.media.flv.FlvReader;
import dev.vireo.media.flv.FlvTag;
import dev.vireo.media.flv.FlvVideoPacket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NalUnitsTest {

    @Test
    void keyframesOfTheFfmpegFlvMatchItsFrameTypes() {
        List<FlvTag> tags = FlvReader.readAll(Vectors.buf("h264_aac.flv"));
        try {
            int coded = 0;
            for (FlvTag t : tags) {
                if (t.type() != FlvTag.VIDEO) {
                    continue;
                }
                FlvVideoPacket p = FlvVideoPacket.parse(t.body());
                if (p.kind() == FlvPacketKind.CODED) {
                    assertThat(NalUnits.isKeyframe(Codec.H264, p.payload())).isEqualTo(p.isKeyframe());
                    coded++;
                }
            }
            assertThat(coded).isEqualTo(15);
        } finally {
            tags.forEach(ReferenceCountUtil::release);
        }
    }

    @Test
    void hevcIrapAndTypes() {
        ByteBuf au = Vectors.buf("hevc_main_keyframe.bin");
        assertThat(NalUnits.isKeyframe(Codec.H265, au)).isTrue();
        List<ByteBuf> nals = NalUnits.split(au);
        assertThat(NalUnits.type(Codec.H265, nals.get(nals.size() - 1))).isBetween(16, 21);
        assertThat(NalUnits.isKeyframe(Codec.H265, Vectors.hex("00000003 0201aa"))).isFalse(); // TRAIL_R
        assertThat(NalUnits.h264Type(0x65)).isEqualTo(5);
        assertThat(NalUnits.h265Type(0x26)).isEqualTo(19);
    }

    @Test
    void splitRejectsLengthsPastTheEnd() {
        assertThat(NalUnits.split(Vectors.hex("00000001 65 00000000 00000002 4101"))).hasSize(2);
        assertThatThrownBy(() -> NalUnits.split(Vectors.hex("00000005 6501"))).isInstanceOf(MediaFormatException.class)
                .hasMessageContaining("exceeds");
        assertThatThrownBy(() -> NalUnits.split(Vectors.hex("000000"))).isInstanceOf(MediaFormatException.class)
                .hasMessageContaining("truncated");
        assertThatThrownBy(() -> NalUnits.split(Vectors.hex("ffffffff 65"))).isInstanceOf(MediaFormatException.class);
        assertThat(NalUnits.split(Vectors.hex("0002 6501 0001 09"), 2)).hasSize(2);
    }

    @Test
    void annexBRoundTrip() {
        ByteBuf annexB = Vectors.hex("00000001 67 4d 00 0a 000001 68 ee 3c 80 0000 00000001 65 88 80 00 00 03 01");
        ByteBuf lp = NalUnits.annexBToLengthPrefixed(ByteBufAllocator.DEFAULT, annexB);
        assertThat(ByteBufUtil.hexDump(lp)).isEqualTo("00000004674d000a" + "0000000468ee3c80" + "000000076588800000" + "0301");
        ByteBuf back = NalUnits.lengthPrefixedToAnnexB(ByteBufAllocator.DEFAULT, lp);
        assertThat(ByteBufUtil.hexDump(back)).isEqualTo("00000001674d000a" + "0000000168ee3c80" + "000000016588800000" + "0301");
        lp.release();
        back.release();
        assertThat(NalUnits.splitAnnexB(Vectors.hex("aabb 000001 09f0"))).hasSize(1);
        assertThat(NalUnits.splitAnnexB(Vectors.hex("aabbcc"))).isEmpty();
    }

    @Test
    void escapeUnescapeRoundTripAndNoStartCodeEmulation() {
        Random rnd = new Random(37);
        for (int i = 0; i < 5000; i++) {
            byte[] rbsp = new byte[rnd.nextInt(40)];
            for (int j = 0; j < rbsp.length; j++) {
                rbsp[j] = (byte) (rnd.nextInt(3) == 0 ? rnd.nextInt(256) : rnd.nextInt(4));
            }
            if (rbsp.length > 0) {
                rbsp[rbsp.length - 1] = (byte) 0x80; // RBSPs end with the stop bit
            }
            byte[] escaped = NalUnits.escape(rbsp);
            for (int j = 2; j < escaped.length; j++) {
                if (escaped[j - 2] == 0 && escaped[j - 1] == 0) {
                    assertThat(escaped[j] & 0xFF).as("byte after 00 00").isGreaterThanOrEqualTo(3);
                }
            }
            assertThat(NalUnits.unescape(Unpooled.wrappedBuffer(escaped), 1000)).isEqualTo(rbsp);
        }
        assertThat(NalUnits.unescape(Vectors.hex("00 00 03 01 00 00 03 00"), 100)).containsExactly(0, 0, 1, 0, 0, 0);
        assertThatThrownBy(() -> NalUnits.unescape(Unpooled.wrappedBuffer(new byte[200]), 100))
                .isInstanceOf(MediaFormatException.class);
    }

    @Test
    void randomAccessUnitsOnlyThrowMediaFormatException() {
        Random rnd = new Random(41);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[rnd.nextInt(32)];
            rnd.nextBytes(b);
            if (b.length > 4 && rnd.nextBoolean()) {
                b[0] = 0;
                b[1] = 0;
                b[2] = 0;
                b[3] = (byte) rnd.nextInt(b.length);
            }
            ByteBuf in = Unpooled.wrappedBuffer(b);
            try {
                NalUnits.isKeyframe(Codec.H264, in);
                NalUnits.isKeyframe(Codec.H265, in);
                for (ByteBuf nal : NalUnits.split(in)) {
                    if (Sei.isSei(Codec.H264, nal)) {
                        Sei.parse(Codec.H264, nal);
                    }
                }
            } catch (MediaFormatException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
            assertThat(NalUnits.splitAnnexB(in).size()).isLessThanOrEqualTo(b.length);
            try {
                Sei.parse(Codec.H265, Unpooled.wrappedBuffer(Arrays.copyOf(new byte[] {0x4e, 0x01}, 2 + b.length)));
            } catch (MediaFormatException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }
}
