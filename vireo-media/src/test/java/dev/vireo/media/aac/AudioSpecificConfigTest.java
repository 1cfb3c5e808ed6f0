package dev.vireo.media.aac;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.media.BitWriter;
import dev.vireo.media.MediaFormatException;
import dev.vireo.media.Vectors;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AudioSpecificConfigTest {

    private static AudioSpecificConfig parse(byte[] b) {
        return AudioSpecificConfig.parse(Unpooled.wrappedBuffer(b));
    }

    @Test
    void plainAacLc() {
        AudioSpecificConfig c = AudioSpecificConfig.parse(Vectors.hex("1190"));
        assertThat(c).isEqualTo(new AudioSpecificConfig(2, 3, 48000, 2, 2, false, false, 48000));
        assertThat(c.profileName()).isEqualTo("AAC LC");
        assertThat(AudioSpecificConfig.of(2, 3, 2)).containsExactly(0x11, 0x90);
    }

    @Test
    void ffmpegBackwardCompatibleSignallingWithoutSbr() {
        AudioSpecificConfig c = AudioSpecificConfig.parse(Vectors.hex("121056e500"));
        assertThat(c.sbr()).isFalse();
        assertThat(c.outputSampleRate()).isEqualTo(44100);
    }

    @Test
    void explicitHierarchicalHeAac() {
        // AOT 5 (SBR), 24 kHz core, stereo, extension 48 kHz, core AOT 2, GASpecificConfig 000
        byte[] b = new BitWriter().u(5, 5).u(4, 6).u(4, 2).u(4, 3).u(5, 2).u(3, 0).toBytes();
        AudioSpecificConfig c = parse(b);
        assertThat(c.objectType()).isEqualTo(2);
        assertThat(c.sbr()).isTrue();
        assertThat(c.ps()).isFalse();
        assertThat(c.sampleRate()).isEqualTo(24000);
        assertThat(c.outputSampleRate()).isEqualTo(48000);
        assertThat(c.channels()).isEqualTo(2);
        assertThat(c.profileName()).isEqualTo("HE-AAC");
    }

    @Test
    void explicitHierarchicalHeAacV2IsStereoFromMono() {
        byte[] b = new BitWriter().u(5, 29).u(4, 6).u(4, 1).u(4, 3).u(5, 2).u(3, 0).toBytes();
        AudioSpecificConfig c = parse(b);
        assertThat(c.ps()).isTrue();
        assertThat(c.channelConfiguration()).isEqualTo(1);
        assertThat(c.channels()).isEqualTo(2);
        assertThat(c.profileName()).isEqualTo("HE-AAC v2");
    }

    @Test
    void backwardCompatibleSbrAndPsSignalling() {
        // AAC LC 22.05 kHz mono; sync 0x2b7, AOT 5, sbr 1, ext index 4 (44.1k), sync 0x548, ps 1
        byte[] b = new BitWriter().u(5, 2).u(4, 7).u(4, 1).u(3, 0)
                .u(11, 0x2B7).u(5, 5).u(1, 1).u(4, 4).u(11, 0x548).u(1, 1).toBytes();
        AudioSpecificConfig c = parse(b);
        assertThat(c.sbr()).isTrue();
        assertThat(c.ps()).isTrue();
        assertThat(c.outputSampleRate()).isEqualTo(44100);
        assertThat(c.channels()).isEqualTo(2);
    }

    @Test
    void escapedObjectTypeAndExplicitFrequency() {
        // AOT 31 escape -> 32 + 7 = 39 (ELD), explicit 24-bit rate 50000, mono
        byte[] b = new BitWriter().u(5, 31).u(6, 7).u(4, 15).u(24, 50000).u(4, 1).toBytes();
        AudioSpecificConfig c = parse(b);
        assertThat(c.objectType()).isEqualTo(39);
        assertThat(c.samplingIndex()).isEqualTo(15);
        assertThat(c.sampleRate()).isEqualTo(50000);
        assertThat(c.channels()).isEqualTo(1);
        assertThat(c.profileName()).isEqualTo("AAC ELD");
    }

    @Test
    void programConfigElementGivesTheChannelCount() {
        // channelConfiguration 0, PCE: front SCE + CPE, back CPE, one LFE = 6 channels
        BitWriter w = new BitWriter().u(5, 2).u(4, 3).u(4, 0).u(3, 0);
        w.u(4, 0).u(2, 1).u(4, 3).u(4, 2).u(4, 0).u(4, 1).u(2, 1).u(3, 0).u(4, 0).u(1, 0).u(1, 0).u(1, 0);
        w.u(1, 0).u(4, 0).u(1, 1).u(4, 0); // front: SCE, CPE
        w.u(1, 1).u(4, 1); // back: CPE
        w.u(4, 0); // lfe
        byte[] pce = w.toBytes(); // byte_alignment
        byte[] b = java.util.Arrays.copyOf(pce, pce.length + 3);
        b[pce.length] = 2; // comment_field_bytes
        b[pce.length + 1] = 'h';
        b[pce.length + 2] = 'i';
        assertThat(parse(b).channels()).isEqualTo(6);
    }

    @Test
    void garbageIsRejected() {
        assertThatThrownBy(() -> AudioSpecificConfig.parse(Vectors.hex("17"))).isInstanceOf(MediaFormatException.class);
        assertThatThrownBy(() -> AudioSpecificConfig.parse(Vectors.hex("16 80")))
                .isInstanceOf(MediaFormatException.class).hasMessageContaining("samplingFrequencyIndex 13");
        Random rnd = new Random(1);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[rnd.nextInt(12)];
            rnd.nextBytes(b);
            try {
                parse(b);
            } catch (MediaFormatException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }

    @Test
    void adtsFromFfmpegParsesFrameByFrameAndRoundTrips() {
        ByteBuf stream = Vectors.buf("aac_lc_mono_48k.adts");
        int frames = 0;
        while (stream.isReadable()) {
            AdtsHeader h = AdtsHeader.parse(stream);
            assertThat(h.objectType()).isEqualTo(2);
            assertThat(h.sampleRate()).isEqualTo(48000);
            assertThat(h.channelConfiguration()).isEqualTo(1);
            assertThat(h.headerLength()).isEqualTo(7);
            assertThat(h.frameLength()).isLessThanOrEqualTo(stream.readableBytes());
            ByteBuf rewritten = Unpooled.buffer();
            AdtsHeader.write(rewritten, 2, h.samplingIndex(), 1, h.payloadLength());
            // ffmpeg writes buffer fullness 0x7FF too, so the whole header is identical
            assertThat(ByteBufUtil.hexDump(rewritten)).isEqualTo(ByteBufUtil.hexDump(stream, stream.readerIndex(), 7));
            stream.skipBytes(h.frameLength());
            frames++;
        }
        assertThat(frames).isGreaterThan(3);
        AdtsHeader first = AdtsHeader.parse(Vectors.buf("aac_lc_mono_48k.adts"));
        assertThat(parse(first.audioSpecificConfig()).outputSampleRate()).isEqualTo(48000);
        assertThat(AdtsHeader.parse(Vectors.hex("fff1"))).isNull();
        assertThatThrownBy(() -> AdtsHeader.parse(Vectors.hex("fff0 0000 0000 00"))).isInstanceOf(MediaFormatException.class);
        assertThatThrownBy(() -> AdtsHeader.parse(Vectors.hex("0ff1 5080 0000 00"))).isInstanceOf(MediaFormatException.class)
                .hasMessageContaining("syncword");
    }

    @Test
    void randomAdtsHeadersOnlyThrowMediaFormatException() {
        Random rnd = new Random(47);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[7 + rnd.nextInt(3)];
            rnd.nextBytes(b);
            if (rnd.nextBoolean()) {
                b[0] = (byte) 0xFF;
                b[1] = (byte) (0xF0 | rnd.nextInt(16));
            }
            try {
                AdtsHeader h = AdtsHeader.parse(Unpooled.wrappedBuffer(b));
                assertThat(h.payloadLength()).isNotNegative();
            } catch (MediaFormatException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }
}
