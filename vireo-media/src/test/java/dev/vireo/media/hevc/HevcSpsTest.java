package dev.vireo.media.hevc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.media.Codec;
import dev.vireo.media.CodecConfigs;
import dev.vireo.media.MediaFormatException;
import dev.vireo.media.Vectors;
import dev.vireo.media.nal.NalUnits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HevcSpsTest {

    @Test
    void x265RecordAndSps() {
        HevcDecoderConfigurationRecord rec = HevcDecoderConfigurationRecord.parse(Vectors.buf("hevc_main.hvcC"));
        assertThat(rec.profileIdc()).isEqualTo(1);
        assertThat(rec.levelIdc()).isEqualTo(30);
        assertThat(rec.lengthSize()).isEqualTo(4);
        assertThat(rec.chromaFormatIdc()).isEqualTo(1);
        assertThat(rec.arrays()).extracting(HevcDecoderConfigurationRecord.NalArray::nalUnitType)
                .contains(NalUnits.H265_VPS, NalUnits.H265_SPS, NalUnits.H265_PPS);
        HevcSps sps = HevcSps.parse(rec.first(NalUnits.H265_SPS));
        // 160x90 is coded as 160x96 with a conformance window of 3 chroma rows
        assertThat(sps.width()).isEqualTo(160);
        assertThat(sps.height()).isEqualTo(90);
        assertThat(sps.profileName()).isEqualTo("Main");
        assertThat(sps.levelName()).isEqualTo("1");
        assertThat(sps.highTier()).isFalse();

        HevcDecoderConfigurationRecord rec10 = HevcDecoderConfigurationRecord.parse(Vectors.buf("hevc_main10.hvcC"));
        HevcSps sps10 = HevcSps.parse(rec10.first(NalUnits.H265_SPS));
        assertThat(sps10.bitDepthLuma()).isEqualTo(10);
        assertThat(rec10.bitDepthLuma()).isEqualTo(10);
        assertThat(sps10.profileName()).isEqualTo("Main 10");
    }

    @Test
    void recordRewritesIdenticallyAndCanBeBuiltFromParameterSets() {
        for (String vector : new String[] {"hevc_main.hvcC", "hevc_main10.hvcC"}) {
            ByteBuf in = Vectors.buf(vector);
            HevcDecoderConfigurationRecord rec = HevcDecoderConfigurationRecord.parse(in);
            ByteBuf out = Unpooled.buffer();
            rec.write(out);
            assertThat(ByteBufUtil.hexDump(out)).as(vector).isEqualTo(ByteBufUtil.hexDump(in));
            out.release();

            HevcDecoderConfigurationRecord built = HevcDecoderConfigurationRecord.of(rec.first(NalUnits.H265_VPS),
                    rec.first(NalUnits.H265_SPS), rec.first(NalUnits.H265_PPS));
            assertThat(built.profileIdc()).isEqualTo(rec.profileIdc());
            assertThat(built.profileCompatibilityFlags()).isEqualTo(rec.profileCompatibilityFlags());
            assertThat(built.constraintIndicatorFlags()).isEqualTo(rec.constraintIndicatorFlags());
            assertThat(built.levelIdc()).isEqualTo(rec.levelIdc());
            assertThat(built.bitDepthLuma()).isEqualTo(rec.bitDepthLuma());
            assertThat(built.chromaFormatIdc()).isEqualTo(rec.chromaFormatIdc());
            assertThat(built.numTemporalLayers()).isEqualTo(rec.numTemporalLayers());
            assertThat(built.temporalIdNested()).isEqualTo(rec.temporalIdNested());
            ByteBuf b = Unpooled.buffer();
            built.write(b);
            assertThat(CodecConfigs.describe(Codec.H265, b).orElseThrow().width())
                    .isEqualTo(HevcSps.parse(rec.first(NalUnits.H265_SPS)).width());
            b.release();
        }
    }

    @Test
    void levelNames() {
        assertThat(HevcSps.levelName(93, false)).isEqualTo("3.1");
        assertThat(HevcSps.levelName(120, true)).isEqualTo("4 High tier");
        assertThat(HevcSps.levelName(153, false)).isEqualTo("5.1");
        assertThat(HevcSps.profileName(0, 1L << 29)).isEqualTo("Main 10");
    }

    @Test
    void mutatedSpsOnlyThrowsMediaFormatException() {
        byte[] seed = HevcDecoderConfigurationRecord.parse(Vectors.buf("hevc_main.hvcC")).first(NalUnits.H265_SPS);
        Random rnd = new Random(29);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = seed.clone();
            if (i % 2 == 0) {
                rnd.nextBytes(b);
                b[0] = 0x42;
            } else {
                b[2 + rnd.nextInt(b.length - 2)] = (byte) rnd.nextInt(256);
            }
            if (rnd.nextBoolean()) {
                b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length));
            }
            try {
                HevcSps.parse(b);
            } catch (MediaFormatException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }
}
