package dev.vireo.media.av1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.media.BitWriter;
import dev.vireo.media.MediaFormatException;
import dev.vireo.media.Vectors;
import io.netty.buffer.Unpooled;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Av1SequenceHeaderTest {

    @Test
    void libaomConfigAndKeyframe() {
        Av1CodecConfigurationRecord rec = Av1CodecConfigurationRecord.parse(Vectors.buf("av1_main.av1C"));
        assertThat(rec.seqProfile()).isZero();
        assertThat(rec.highBitdepth()).isFalse();
        assertThat(rec.chromaSubsamplingX()).isEqualTo(1);
        Av1SequenceHeader seq = Av1SequenceHeader.find(rec.configObus());
        assertThat(seq.maxFrameWidth()).isEqualTo(160);
        assertThat(seq.maxFrameHeight()).isEqualTo(90);
        assertThat(seq.seqLevelIdx0()).isEqualTo(rec.seqLevelIdx0());
        // the first temporal unit repeats the sequence header after its temporal delimiter
        Av1SequenceHeader inFrame = Av1SequenceHeader.find(Vectors.buf("av1_main_keyframe.obu"));
        assertThat(inFrame).isEqualTo(seq);
    }

    @Test
    void timingInfoGivesFps() {
        // profile 0, not still, not reduced; timing 1/30 with equal_picture_interval (uvlc 0)
        BitWriter w = new BitWriter().u(3, 0).u(1, 0).u(1, 0).u(1, 1).u(32, 1).u(32, 30).u(1, 1).u(1, 1);
        w.u(1, 0).u(1, 0).u(5, 0).u(12, 0).u(5, 9).u(1, 1); // no decoder model, 1 op point, level 4.1 high tier
        w.u(4, 10).u(4, 10).u(11, 1919).u(11, 1079);
        Av1SequenceHeader seq = Av1SequenceHeader.parse(w.toBytes());
        assertThat(seq.fps()).isEqualTo(30.0);
        assertThat(seq.seqLevelIdx0()).isEqualTo(9);
        assertThat(seq.seqTier0()).isEqualTo(1);
        assertThat(seq.maxFrameWidth()).isEqualTo(1920);
        assertThat(seq.maxFrameHeight()).isEqualTo(1080);
        assertThat(Av1CodecConfigurationRecord.levelName(9)).isEqualTo("4.1");
    }

    @Test
    void garbage() {
        assertThatThrownBy(() -> Av1SequenceHeader.find(Vectors.hex("12 00"))).isInstanceOf(MediaFormatException.class)
                .hasMessageContaining("no AV1 sequence header");
        assertThatThrownBy(() -> Av1SequenceHeader.find(Vectors.hex("0a ff ff ff ff ff ff ff ff ff")))
                .isInstanceOf(MediaFormatException.class);
        assertThatThrownBy(() -> Av1CodecConfigurationRecord.parse(Vectors.hex("01 00 0c 00")))
                .isInstanceOf(MediaFormatException.class).hasMessageContaining("marker");
        byte[] seed = Vectors.bytes("av1_main_keyframe.obu");
        Random rnd = new Random(31);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = java.util.Arrays.copyOf(seed, 1 + rnd.nextInt(40));
            for (int f = 1 + rnd.nextInt(3); f > 0; f--) {
                b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
            }
            try {
                Av1SequenceHeader.find(Unpooled.wrappedBuffer(b));
            } catch (MediaFormatException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }
}
