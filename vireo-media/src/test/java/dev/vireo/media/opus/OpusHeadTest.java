package dev.vireo.media.opus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.media.MediaFormatException;
import dev.vireo.media.Vectors;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class OpusHeadTest {

    @Test
    void ffmpegOpusHeadParsesAndRewritesIdentically() {
        ByteBuf in = Vectors.buf("opus_stereo.OpusHead");
        OpusHead h = OpusHead.parse(in);
        assertThat(h).isEqualTo(new OpusHead(2, 312, 48000, 0, 0));
        ByteBuf out = Unpooled.buffer();
        h.write(out);
        assertThat(ByteBufUtil.hexDump(out)).isEqualTo(ByteBufUtil.hexDump(in));
    }

    @Test
    void rejectsBadHeaders() {
        assertThatThrownBy(() -> OpusHead.parse(Vectors.hex("4f707573486561"))).isInstanceOf(MediaFormatException.class);
        assertThatThrownBy(() -> OpusHead.parse(Vectors.hex("4f70757348656164 10 02 3801 80bb0000 0000 00")))
                .isInstanceOf(MediaFormatException.class).hasMessageContaining("version");
        assertThatThrownBy(() -> OpusHead.parse(Vectors.hex("4f70757348656164 01 06 3801 80bb0000 0000 00")))
                .isInstanceOf(MediaFormatException.class).hasMessageContaining("channel count 6");
        assertThatThrownBy(() -> OpusHead.parse(Vectors.hex("4f70757348656164 01 06 3801 80bb0000 0000 01 04")))
                .isInstanceOf(MediaFormatException.class).hasMessageContaining("mapping table");
        OpusHead six = OpusHead.parse(Vectors.hex("4f70757348656164 01 06 3801 80bb0000 0000 01 04 02 000401020305"));
        assertThat(six.channels()).isEqualTo(6);
    }

    @Test
    void mutatedHeadersOnlyThrowMediaFormatException() {
        byte[] seed = Vectors.bytes("opus_stereo.OpusHead");
        java.util.Random rnd = new java.util.Random(43);
        int ok = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] b = java.util.Arrays.copyOf(seed, 9 + rnd.nextInt(20));
            b[8 + rnd.nextInt(b.length - 8)] = (byte) rnd.nextInt(256);
            try {
                OpusHead.parse(Unpooled.wrappedBuffer(b));
                ok++;
            } catch (MediaFormatException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
        assertThat(ok).isPositive();
    }
}
