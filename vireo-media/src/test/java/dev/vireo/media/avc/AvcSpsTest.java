package dev.vireo.media.avc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.media.BitWriter;
import dev.vireo.media.MediaFormatException;
import dev.vireo.media.Vectors;
import dev.vireo.media.nal.NalUnits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AvcSpsTest {

    @Test
    void recordFromX264ParsesAndRewritesIdentically() {
        for (String vector : new String[] {"avc_high444_cqm.avcC", "avc_baseline.avcC"}) {
            ByteBuf in = Vectors.buf(vector);
            AvcDecoderConfigurationRecord rec = AvcDecoderConfigurationRecord.parse(in);
            assertThat(rec.lengthSize()).isEqualTo(4);
            assertThat(rec.sps()).hasSize(1);
            assertThat(rec.pps()).hasSize(1);
            ByteBuf out = Unpooled.buffer();
            AvcDecoderConfigurationRecord.of(rec.sps().get(0), rec.pps().get(0)).write(out);
            assertThat(ByteBufUtil.hexDump(out)).as(vector).isEqualTo(ByteBufUtil.hexDump(in));
            out.release();
        }
    }

    @Test
    void high444WithScalingMatrix() {
        AvcDecoderConfigurationRecord rec = AvcDecoderConfigurationRecord.parse(Vectors.buf("avc_high444_cqm.avcC"));
        AvcSps sps = AvcSps.parse(rec.sps().get(0));
        assertThat(sps.profileIdc()).isEqualTo(244);
        assertThat(sps.chromaFormatIdc()).isEqualTo(3);
        assertThat(sps.bitDepthLuma()).isEqualTo(8);
        assertThat(sps.width()).isEqualTo(100);
        assertThat(sps.height()).isEqualTo(60);
        assertThat(sps.fps()).isEqualTo(25.0);
        assertThat(sps.profileName()).isEqualTo("High 4:4:4 Predictive");
    }

    /** An SPS crafted field by field: 4:2:2, interlaced (field pairs), POC type 1, Extended SAR. */
    @Test
    void interlaced422CroppingAndPocType1() {
        BitWriter w = new BitWriter().u(8, 0x67).u(8, 122).u(8, 0).u(8, 31).ue(0);
        w.ue(2).ue(2).ue(2).u(1, 0).u(1, 0); // chroma 4:2:2, 10-bit, no scaling matrix
        w.ue(0).ue(1); // log2_max_frame_num_minus4, pic_order_cnt_type 1
        w.u(1, 0).se(-2).se(3).ue(2).se(1).se(-1);
        w.ue(4).u(1, 0).ue(119).ue(33); // 1920 wide, 34 map units
        w.u(1, 0).u(1, 1).u(1, 1); // frame_mbs_only 0, mb_adaptive, direct_8x8
        w.u(1, 1).ue(0).ue(0).ue(0).ue(4); // crop bottom 4 * CropUnitY(1 * 2) = 8
        w.u(1, 1); // VUI
        w.u(1, 1).u(8, 255).u(16, 4).u(16, 3); // Extended_SAR
        w.u(1, 0).u(1, 1).u(3, 5).u(1, 0).u(1, 1).u(24, 0x010101); // video signal + colour
        w.u(1, 1).ue(0).ue(0); // chroma loc
        w.u(1, 1).u(32, 1001).u(32, 60000).u(1, 1);
        byte[] nal = NalUnits.escape(w.toRbsp());
        AvcSps sps = AvcSps.parse(nal);
        assertThat(sps.width()).isEqualTo(1920);
        assertThat(sps.height()).isEqualTo(2 * 34 * 16 - 8);
        assertThat(sps.frameMbsOnly()).isFalse();
        assertThat(sps.chromaFormatIdc()).isEqualTo(2);
        assertThat(sps.bitDepthLuma()).isEqualTo(10);
        assertThat(sps.fps()).isEqualTo(60000 / 2002.0);
        assertThat(sps.profileName()).isEqualTo("High 4:2:2");
        assertThat(sps.levelName()).isEqualTo("3.1");
    }

    @Test
    void emulationPreventionIsRemovedBeforeParsing() {
        // Baseline, level 1b via constraint_set3; width field forces 00 00 0x bytes in the RBSP
        BitWriter w = new BitWriter().u(8, 0x67).u(8, 66).u(8, 0x50).u(8, 11).ue(0);
        w.ue(0).ue(2).ue(1).u(1, 0).ue(0).ue(0).u(1, 1).u(1, 1).u(1, 0).u(1, 0);
        byte[] rbsp = w.toRbsp();
        byte[] nal = NalUnits.escape(rbsp);
        AvcSps sps = AvcSps.parse(nal);
        assertThat(sps.width()).isEqualTo(16);
        assertThat(sps.height()).isEqualTo(16);
        assertThat(sps.profileName()).isEqualTo("Constrained Baseline");
        assertThat(sps.levelName()).isEqualTo("1b");
        assertThat(sps.fps()).isZero();
    }

    @Test
    void rejectsGarbage() {
        assertThatThrownBy(() -> AvcSps.parse(new byte[] {0x68, 1, 2})).isInstanceOf(MediaFormatException.class)
                .hasMessageContaining("not an H.264 SPS");
        assertThatThrownBy(() -> AvcSps.parse(new byte[] {0x67, 100, 0})).isInstanceOf(MediaFormatException.class)
                .hasMessageContaining("truncated");
        assertThatThrownBy(() -> AvcDecoderConfigurationRecord.parse(Vectors.hex("01 64 00 1f ff e1 00 30 67")))
                .isInstanceOf(MediaFormatException.class).hasMessageContaining("truncated");
        Random rnd = new Random(23);
        byte[] seed = AvcDecoderConfigurationRecord.parse(Vectors.buf("avc_high444_cqm.avcC")).sps().get(0);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = seed.clone();
            if (i % 2 == 0) {
                rnd.nextBytes(b);
                b[0] = 0x67;
            } else {
                b[1 + rnd.nextInt(b.length - 1)] = (byte) rnd.nextInt(256);
            }
            try {
                AvcSps sps = AvcSps.parse(b);
                assertThat(sps.width()).isPositive();
            } catch (MediaFormatException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }
}
