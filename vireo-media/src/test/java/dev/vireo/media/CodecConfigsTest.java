package dev.vireo.media;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.media.flv.FlvPacketKind;
import dev.vireo.media.flv.FlvReader;
import dev.vireo.media.flv.FlvTag;
import dev.vireo.media.flv.FlvVideoPacket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Expected values are what ffprobe 5.1 reports for the same streams (see vectors/generate.sh). */
class CodecConfigsTest {

    private static TrackInfo describe(Codec codec, String vector) {
        ByteBuf b = Vectors.buf(vector);
        TrackInfo info = CodecConfigs.describe(codec, b).orElseThrow();
        assertThat(b.readerIndex()).isZero();
        return info;
    }

    @Test
    void h264FromFfmpegFlv() {
        List<FlvTag> tags = FlvReader.readAll(Vectors.buf("h264_aac.flv"));
        try {
            ByteBuf avcC = tags.stream().filter(t -> t.type() == FlvTag.VIDEO).map(t -> FlvVideoPacket.parse(t.body()))
                    .filter(p -> p.kind() == FlvPacketKind.CONFIG).findFirst().orElseThrow().payload();
            assertThat(CodecConfigs.describe(Codec.H264, avcC))
                    .contains(new TrackInfo(Codec.H264, 160, 90, "Main", "1.2", 30.0, 0, 0));
            assertThat(CodecConfigs.describe(Codec.AAC, Vectors.hex("121056e500")))
                    .contains(new TrackInfo(Codec.AAC, 0, 0, "AAC LC", "", 0, 44100, 2));
        } finally {
            tags.forEach(ReferenceCountUtil::release);
        }
    }

    @Test
    void h264High444WithScalingMatrixAndBaseline() {
        assertThat(describe(Codec.H264, "avc_high444_cqm.avcC"))
                .isEqualTo(new TrackInfo(Codec.H264, 100, 60, "High 4:4:4 Predictive", "1", 25.0, 0, 0));
        assertThat(describe(Codec.H264, "avc_baseline.avcC"))
                .isEqualTo(new TrackInfo(Codec.H264, 64, 48, "Constrained Baseline", "1", 15.0, 0, 0));
    }

    @Test
    void hevcMainAndMain10() {
        assertThat(describe(Codec.H265, "hevc_main.hvcC"))
                .isEqualTo(new TrackInfo(Codec.H265, 160, 90, "Main", "1", 0, 0, 0));
        assertThat(describe(Codec.H265, "hevc_main10.hvcC"))
                .isEqualTo(new TrackInfo(Codec.H265, 128, 72, "Main 10", "1", 0, 0, 0));
    }

    @Test
    void av1Main() {
        assertThat(describe(Codec.AV1, "av1_main.av1C"))
                .isEqualTo(new TrackInfo(Codec.AV1, 160, 90, "Main", "2.0", 0, 0, 0));
    }

    @Test
    void opusHead() {
        assertThat(describe(Codec.OPUS, "opus_stereo.OpusHead"))
                .isEqualTo(new TrackInfo(Codec.OPUS, 0, 0, "", "", 0, 48000, 2));
    }

    @Test
    void emptyForGarbageNullAndCodecsWithoutConfig() {
        assertThat(CodecConfigs.describe(Codec.H264, Vectors.hex("00 11 22"))).isEmpty();
        assertThat(CodecConfigs.describe(Codec.MP3, Vectors.hex("fffb"))).isEmpty();
        assertThat(CodecConfigs.describe(Codec.AAC, null)).isEmpty();
        assertThat(CodecConfigs.describe(Codec.AAC, Unpooled.EMPTY_BUFFER)).isEmpty();
    }

    @Test
    void randomAndMutatedConfigsNeverThrow() {
        String[][] seeds = {
            {"H264", "avc_high444_cqm.avcC"}, {"H264", "avc_baseline.avcC"}, {"H265", "hevc_main.hvcC"},
            {"H265", "hevc_main10.hvcC"}, {"AV1", "av1_main.av1C"}, {"OPUS", "opus_stereo.OpusHead"},
        };
        Random rnd = new Random(17);
        int described = 0;
        for (int i = 0; i < 20_000; i++) {
            String[] seed = seeds[rnd.nextInt(seeds.length)];
            Codec codec = Codec.valueOf(seed[0]);
            byte[] b = Vectors.bytes(seed[1]);
            if (b.length > 200) {
                b = java.util.Arrays.copyOf(b, 200 + rnd.nextInt(b.length - 200));
            }
            if (i % 3 == 0) {
                rnd.nextBytes(b);
            } else {
                for (int f = 1 + rnd.nextInt(3); f > 0; f--) {
                    b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                }
            }
            Optional<TrackInfo> info = CodecConfigs.describe(codec, Unpooled.wrappedBuffer(b));
            Optional<TrackInfo> aac = CodecConfigs.describe(Codec.AAC, Unpooled.wrappedBuffer(b, 0, Math.min(b.length, 6)));
            described += info.isPresent() ? 1 : 0;
            assertThat(aac).isNotNull();
        }
        assertThat(described).as("mutations that keep a config valid").isPositive();
    }
}
