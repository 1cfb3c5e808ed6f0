package dev.vireo.media.mp4;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.media.Codec;
import dev.vireo.media.aac.AudioSpecificConfig;
import dev.vireo.media.hevc.HevcDecoderConfigurationRecord;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 6381 codec strings from decoder configuration bytes (the values HLS players expect). */
class CodecStringTest {

    @Test
    void avcAacOpusHevcAndGarbage() {
        // AVCDecoderConfigurationRecord: version 1, profile 0x42 (Baseline), constraints 0xc0, level 0x0a
        ByteBuf avcc = Unpooled.wrappedBuffer(HexFormat.of().parseHex(
                "0142c00affe100176742c00ad9047b0110000003001000000301e0f122648001000568cb83cb20"));
        assertThat(CodecString.of(Codec.H264, avcc)).isEqualTo("avc1.42c00a");
        assertThat(avcc.readerIndex()).as("not consumed").isZero();
        assertThat(CodecString.of(Codec.AAC, Unpooled.wrappedBuffer(AudioSpecificConfig.of(2, 3, 2)))).isEqualTo("mp4a.40.2");
        assertThat(CodecString.of(Codec.OPUS, Unpooled.EMPTY_BUFFER)).isEqualTo("opus");
        // ISO/IEC 14496-15 E.3's example: Main profile, compatible with Main and Main 10, level 3.1, progressive
        HevcDecoderConfigurationRecord hevc = new HevcDecoderConfigurationRecord(0, false, 1, 0x60000000L,
                0xB00000000000L, 93, 0, 0, 1, 8, 8, 0, 0, 1, true, 4, List.of());
        ByteBuf b = Unpooled.buffer();
        hevc.write(b);
        assertThat(CodecString.of(Codec.H265, b)).isEqualTo("hvc1.1.6.L93.B0");
        assertThat(CodecString.of(Codec.H264, Unpooled.wrappedBuffer(new byte[] {1, 2}))).as("truncated").isNull();
    }
}
