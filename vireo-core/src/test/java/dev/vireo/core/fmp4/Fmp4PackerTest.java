package dev.vireo.core.fmp4;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.MediaFrame;
import dev.vireo.media.Codec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class Fmp4PackerTest {

    /** ffmpeg's avcC, as the seed {@code ffmpeg-h264-aac-gops} holds it (after its choice byte and length). */
    private static byte[] avcC() throws Exception {
        try (var in = Fmp4PackerTest.class.getResourceAsStream("Fmp4PackerJazzerTestInputs/fragments/ffmpeg-h264-aac-gops")) {
            byte[] seed = in.readAllBytes();
            int len = (seed[1] & 0xFF) << 8 | seed[2] & 0xFF;
            return Arrays.copyOfRange(seed, 3, 3 + len);
        }
    }

    private static int u32(byte[] b, int pos) {
        return (b[pos] & 0xFF) << 24 | (b[pos + 1] & 0xFF) << 16 | (b[pos + 2] & 0xFF) << 8 | b[pos + 3] & 0xFF;
    }

    @Test
    void aTimeStampJumpOfHoursKeepsTheDurationPositive() throws Exception {
        // Fmp4PackerJazzerTest's finding: a gap over 2^31 / 90 ms (6.6 h) wrapped the int duration
        MediaFrame config = MediaFrame.config(Codec.H264, 0, Unpooled.wrappedBuffer(avcC()));
        ByteBuf slice = Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 2, 0x65, (byte) 0x88});
        MediaFrame a = MediaFrame.media(Codec.H264, 1_000, 0, true, slice.retainedDuplicate());
        MediaFrame b = MediaFrame.media(Codec.H264, 1_000 + 30_000_000L, 0, false, slice.retainedDuplicate());
        try {
            Fmp4Packer packer = Fmp4Packer.of(config, null, null);
            byte[] fragment = packer.fragment(List.of(a, b), b.dts() + 40, List.of());
            // moof(8) mfhd(16) traf(8) tfhd(16) tfdt(20) trun(8 + 4 + count 4 + offset 4) then the samples
            int trun = 8 + 16 + 8 + 16 + 20;
            assertThat(new String(fragment, trun + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1)).isEqualTo("trun");
            assertThat(u32(fragment, trun + 12)).isEqualTo(2);
            assertThat(u32(fragment, trun + 20)).as("the 8.3 h sample, clamped").isEqualTo(Integer.MAX_VALUE);
            assertThat(u32(fragment, trun + 36)).as("the last sample lasts until the end").isEqualTo(40 * 90);
        } finally {
            config.release();
            a.release();
            b.release();
            slice.release();
        }
    }

    @Test
    void aCompositionOffsetOfHoursSaturatesInsteadOfWrapping() throws Exception {
        // 2^31 / 90 ms is 6.6 h; an MPEG-TS source's PTS - DTS can be larger (33 bits of 90 kHz)
        MediaFrame config = MediaFrame.config(Codec.H264, 0, Unpooled.wrappedBuffer(avcC()));
        ByteBuf slice = Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 2, 0x65, (byte) 0x88});
        MediaFrame a = MediaFrame.media(Codec.H264, 1_000, 30_000_000, true, slice.retainedDuplicate());
        MediaFrame b = MediaFrame.media(Codec.H264, 1_040, -30_000_000, false, slice.retainedDuplicate());
        try {
            Fmp4Packer packer = Fmp4Packer.of(config, null, null);
            byte[] fragment = packer.fragment(List.of(a, b), b.dts() + 40, List.of());
            int trun = 8 + 16 + 8 + 16 + 20;
            assertThat(new String(fragment, trun + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1)).isEqualTo("trun");
            // sample entries (duration, size, flags, composition offset) from trun + 20, 16 bytes each
            assertThat(u32(fragment, trun + 32)).as("8.3 h ahead, saturated").isEqualTo(Integer.MAX_VALUE);
            assertThat(u32(fragment, trun + 48)).as("8.3 h behind, saturated").isEqualTo(Integer.MIN_VALUE);
        } finally {
            config.release();
            a.release();
            b.release();
            slice.release();
        }
    }
}
