package dev.vireo.media.ts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.media.Codec;
import dev.vireo.media.MediaFormatException;
import dev.vireo.media.Vectors;
import dev.vireo.media.aac.AudioSpecificConfig;
import dev.vireo.media.avc.AvcDecoderConfigurationRecord;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Muxer output read back by the demuxer, including across the 33-bit time stamp wrap. */
class TsMuxerTest {

    private static final Random RND = new Random(7);

    static ByteBuf au(boolean idr, int size) {
        ByteBuf b = Unpooled.buffer();
        byte[] slice = new byte[size];
        RND.nextBytes(slice);
        slice[0] = (byte) (idr ? 0x65 : 0x41);
        for (int i = 1; i < slice.length; i++) {
            if (slice[i] == 0 || slice[i] == 1 || slice[i] == 3) {
                slice[i] = 7; // no start code emulation in this synthetic payload
            }
        }
        b.writeInt(2).writeByte(0x06).writeByte(0x80); // a tiny SEI
        b.writeInt(slice.length).writeBytes(slice);
        return b;
    }

    static byte[] bytes(ByteBuf b) {
        byte[] a = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), a);
        return a;
    }

    @Test
    void h264AndAacRoundTripAcrossTheWrap() {
        TsMuxer mux = new TsMuxer(Codec.H264, Codec.AAC);
        ByteBuf out = Unpooled.buffer();
        byte[] avcC = Vectors.bytes("avc_baseline.avcC");
        byte[] asc = AudioSpecificConfig.of(2, 3, 2); // AAC LC 48 kHz stereo
        mux.write(TsSample.config(Codec.H264, 0, Unpooled.wrappedBuffer(avcC)), out);
        mux.write(TsSample.config(Codec.AAC, 0, Unpooled.wrappedBuffer(asc)), out);

        long start = TsPacket.TIMESTAMP_MODULUS - 90_000; // one second before the wrap
        List<byte[]> sent = new ArrayList<>();
        List<byte[]> sentAudio = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            long dts = start + i * 3000L;
            ByteBuf v = au(i % 30 == 0, 100 + RND.nextInt(i == 0 ? 70_000 : 3000));
            sent.add(bytes(v));
            mux.write(TsSample.media(Codec.H264, dts + 6000, dts, i % 30 == 0, v), out);
            ByteBuf a = Unpooled.buffer().writeBytes(new byte[] {0x21, 0x10, 0x04, 0x60, (byte) RND.nextInt(256)});
            sentAudio.add(bytes(a));
            mux.write(TsSample.media(Codec.AAC, dts + 1000, dts + 1000, false, a), out);
        }
        assertThat(out.readableBytes() % 188).isZero();

        TsDemuxerTest.Collector c = TsDemuxerTest.demux(bytes(out), 3);
        assertThat(c.problems).isEmpty();
        assertThat(c.configs(Codec.H264)).singleElement().satisfies(g -> {
            AvcDecoderConfigurationRecord r = AvcDecoderConfigurationRecord.parse(Unpooled.wrappedBuffer(g.payload()));
            AvcDecoderConfigurationRecord orig = AvcDecoderConfigurationRecord.parse(Unpooled.wrappedBuffer(avcC));
            assertThat(r.sps().get(0)).isEqualTo(orig.sps().get(0));
            assertThat(r.pps().get(0)).isEqualTo(orig.pps().get(0));
        });
        List<TsDemuxerTest.Collector.Got> video = c.media(Codec.H264);
        assertThat(video).hasSize(60);
        for (int i = 0; i < 60; i++) {
            TsDemuxerTest.Collector.Got g = video.get(i);
            long dts = start + i * 3000L;
            assertThat(g.dts()).as("dts %d", i).isEqualTo(dts);
            assertThat(g.pts()).isEqualTo(dts + 6000);
            assertThat(g.keyframe()).isEqualTo(i % 30 == 0);
            // keyframes carry the parameter sets in band in front of the original units
            byte[] expected = sent.get(i);
            byte[] got = g.payload();
            assertThat(java.util.Arrays.copyOfRange(got, got.length - expected.length, got.length)).isEqualTo(expected);
        }
        assertThat(video.get(59).dts()).isGreaterThan(TsPacket.TIMESTAMP_MODULUS); // unwrapped
        List<TsDemuxerTest.Collector.Got> audio = c.media(Codec.AAC);
        assertThat(audio).hasSize(60);
        assertThat(c.configs(Codec.AAC)).singleElement().satisfies(g -> assertThat(g.payload()).isEqualTo(asc));
        for (int i = 0; i < 60; i++) {
            assertThat(audio.get(i).payload()).isEqualTo(sentAudio.get(i));
            assertThat(audio.get(i).pts()).isEqualTo(start + i * 3000L + 1000);
        }
    }

    @Test
    void opusRoundTrip() {
        TsMuxer mux = new TsMuxer(null, Codec.OPUS);
        ByteBuf out = Unpooled.buffer();
        mux.write(TsSample.config(Codec.OPUS, 0, Vectors.buf("opus_stereo.OpusHead")), out);
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            byte[] p = new byte[i == 7 ? 255 : i == 8 ? 600 : 40 + i];
            RND.nextBytes(p);
            p[0] = (byte) 0xFC; // CELT 20 ms, one frame
            sent.add(p);
            mux.write(TsSample.media(Codec.OPUS, 1000 + i * 1800L, 1000 + i * 1800L, false, Unpooled.wrappedBuffer(p)), out);
        }
        TsDemuxerTest.Collector c = TsDemuxerTest.demux(bytes(out), 9);
        assertThat(c.problems).isEmpty();
        assertThat(c.configs(Codec.OPUS)).hasSize(1);
        List<TsDemuxerTest.Collector.Got> audio = c.media(Codec.OPUS);
        assertThat(audio).hasSize(50);
        for (int i = 0; i < 50; i++) {
            assertThat(audio.get(i).payload()).isEqualTo(sent.get(i));
            assertThat(audio.get(i).pts()).isEqualTo(1000 + i * 1800L);
        }
    }

    @Test
    void h265RoundTrip() {
        TsMuxer mux = new TsMuxer(Codec.H265, null);
        ByteBuf out = Unpooled.buffer();
        mux.write(TsSample.config(Codec.H265, 0, Vectors.buf("hevc_main.hvcC")), out);
        ByteBuf key = Vectors.buf("hevc_main_keyframe.bin");
        byte[] sent = bytes(key);
        mux.write(TsSample.media(Codec.H265, 9000, 9000, true, key), out);
        TsDemuxerTest.Collector c = TsDemuxerTest.demux(bytes(out), 0);
        assertThat(c.problems).isEmpty();
        assertThat(c.configs(Codec.H265)).hasSize(1);
        assertThat(c.media(Codec.H265)).singleElement().satisfies(g -> {
            assertThat(g.keyframe()).isTrue();
            assertThat(new String(g.payload(), java.nio.charset.StandardCharsets.ISO_8859_1))
                    .endsWith(new String(sent, java.nio.charset.StandardCharsets.ISO_8859_1));
        });
    }

    @Test
    void aacThatAdtsCannotDescribeIsRefused() {
        TsMuxer mux = new TsMuxer(null, Codec.AAC);
        ByteBuf he = Unpooled.wrappedBuffer(AudioSpecificConfig.of(2, 15 - 15, 2));
        mux.write(TsSample.config(Codec.AAC, 0, he), Unpooled.buffer()); // fine
        assertThatThrownBy(() -> new TsMuxer(null, Codec.AAC).write(TsSample.media(Codec.AAC, 0, 0, false,
                Unpooled.wrappedBuffer(new byte[4])), Unpooled.buffer()))
                .isInstanceOf(MediaFormatException.class).hasMessageContaining("before its AudioSpecificConfig");
        assertThatThrownBy(() -> new TsMuxer(Codec.AV1, null)).isInstanceOf(IllegalArgumentException.class);
    }
}
