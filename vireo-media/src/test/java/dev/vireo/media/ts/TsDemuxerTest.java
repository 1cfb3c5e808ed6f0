package dev.vireo.media.ts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.media.Codec;
import dev.vireo.media.CodecConfigs;
import dev.vireo.media.TrackInfo;
import dev.vireo.media.nal.NalUnits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Transport streams written by ffmpeg (see src/test/resources/ts/generate.sh). */
class TsDemuxerTest {

    static byte[] resource(String name) {
        try (InputStream in = TsDemuxerTest.class.getResourceAsStream("/ts/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test vector " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Collects what a demuxer emits, as copies, releasing the originals. */
    static final class Collector implements TsDemuxer.Listener {
        record Got(Codec codec, long pts, long dts, boolean keyframe, boolean config, byte[] payload) {
        }

        final List<Got> samples = new ArrayList<>();
        final List<String> problems = new ArrayList<>();

        @Override
        public void onSample(TsSample s) {
            try {
                byte[] b = new byte[s.payload().readableBytes()];
                s.payload().getBytes(s.payload().readerIndex(), b);
                samples.add(new Got(s.codec(), s.pts(), s.dts(), s.keyframe(), s.config(), b));
            } finally {
                s.release();
            }
        }

        @Override
        public void onProblem(String description) {
            problems.add(description);
        }

        List<Got> media(Codec codec) {
            return samples.stream().filter(g -> g.codec() == codec && !g.config()).toList();
        }

        List<Got> configs(Codec codec) {
            return samples.stream().filter(g -> g.codec() == codec && g.config()).toList();
        }
    }

    /** Demuxes {@code bytes} fed in chunks of random sizes (seeded), then flushes. */
    static Collector demux(byte[] bytes, long seed) {
        Collector c = new Collector();
        Random rnd = new Random(seed);
        ByteBuf acc = Unpooled.buffer();
        try (TsDemuxer d = new TsDemuxer(c)) {
            int i = 0;
            while (i < bytes.length) {
                int n = seed == 0 ? bytes.length : Math.min(bytes.length - i, 1 + rnd.nextInt(700));
                acc.writeBytes(bytes, i, n);
                i += n;
                d.feed(acc);
                acc.discardReadBytes();
            }
            d.flush();
        }
        return c;
    }

    @Test
    void h264AndAacFromFfmpeg() {
        Collector c = demux(resource("h264_aac.ts"), 0);
        assertThat(c.problems).isEmpty();

        assertThat(c.configs(Codec.H264)).hasSize(1);
        TrackInfo v = CodecConfigs.describe(Codec.H264, Unpooled.wrappedBuffer(c.configs(Codec.H264).get(0).payload())).orElseThrow();
        assertThat(v.width()).isEqualTo(160);
        assertThat(v.height()).isEqualTo(120);

        List<Collector.Got> video = c.media(Codec.H264);
        assertThat(video).hasSize(30);
        assertThat(video.get(0).keyframe()).isTrue();
        assertThat(video.stream().filter(Collector.Got::keyframe)).hasSize(2);
        assertThat(video.get(0).pts()).isEqualTo(132000);
        assertThat(video.get(0).dts()).isEqualTo(126000);
        assertThat(video.get(29).pts()).isEqualTo(216000);
        assertThat(video.get(29).dts()).isEqualTo(213000);
        for (int i = 1; i < video.size(); i++) {
            assertThat(video.get(i).dts() - video.get(i - 1).dts()).isEqualTo(3000);
        }
        // length-prefixed, no access unit delimiters
        for (Collector.Got g : video) {
            List<ByteBuf> nals = NalUnits.split(Unpooled.wrappedBuffer(g.payload()));
            assertThat(nals).isNotEmpty();
            assertThat(nals).noneMatch(n -> NalUnits.type(Codec.H264, n) == NalUnits.H264_AUD);
        }
        assertThat(NalUnits.isKeyframe(Codec.H264, Unpooled.wrappedBuffer(video.get(0).payload()))).isTrue();

        assertThat(c.configs(Codec.AAC)).hasSize(1);
        TrackInfo a = CodecConfigs.describe(Codec.AAC, Unpooled.wrappedBuffer(c.configs(Codec.AAC).get(0).payload())).orElseThrow();
        assertThat(a.sampleRate()).isEqualTo(44100);
        assertThat(a.channels()).isEqualTo(2);
        List<Collector.Got> audio = c.media(Codec.AAC);
        assertThat(audio).hasSize(45);
        assertThat(audio.get(0).pts()).isEqualTo(129910);
        assertThat(audio.get(44).pts()).isEqualTo(221861);
        assertThat(audio).allSatisfy(g -> assertThat(g.payload()[0] & 0xFF).isNotEqualTo(0xFF)); // no ADTS left
    }

    @Test
    void h265AndOpusFromFfmpeg() {
        Collector c = demux(resource("hevc_opus.ts"), 0);
        assertThat(c.problems).isEmpty();
        TrackInfo v = CodecConfigs.describe(Codec.H265, Unpooled.wrappedBuffer(c.configs(Codec.H265).get(0).payload())).orElseThrow();
        assertThat(v.width()).isEqualTo(160);
        assertThat(v.height()).isEqualTo(120);
        List<Collector.Got> video = c.media(Codec.H265);
        assertThat(video).hasSize(25);
        assertThat(video.get(0).keyframe()).isTrue();
        assertThat(video.get(0).pts()).isEqualTo(133200);
        assertThat(video.get(0).dts()).isEqualTo(126000);

        TrackInfo a = CodecConfigs.describe(Codec.OPUS, Unpooled.wrappedBuffer(c.configs(Codec.OPUS).get(0).payload())).orElseThrow();
        assertThat(a.channels()).isEqualTo(1);
        List<Collector.Got> audio = c.media(Codec.OPUS);
        assertThat(audio).hasSize(51);
        assertThat(audio.get(0).pts()).isEqualTo(132615);
        for (int i = 1; i < audio.size(); i++) {
            assertThat(audio.get(i).pts() - audio.get(i - 1).pts()).isEqualTo(1800); // 20 ms
        }
    }

    @Test
    void anyChunkingGivesTheSameSamples() {
        byte[] ts = resource("h264_aac.ts");
        Collector whole = demux(ts, 0);
        for (long seed = 1; seed <= 5; seed++) {
            Collector chunked = demux(ts, seed);
            assertThat(chunked.samples).hasSameSizeAs(whole.samples);
            for (int i = 0; i < whole.samples.size(); i++) {
                Collector.Got a = whole.samples.get(i);
                Collector.Got b = chunked.samples.get(i);
                assertThat(b.pts()).isEqualTo(a.pts());
                assertThat(b.payload()).isEqualTo(a.payload());
            }
        }
    }

    @Test
    void aLostPacketCostsOneAccessUnitAndIsReported() {
        byte[] ts = resource("h264_aac.ts");
        // drop the 3rd packet of the 10th video PES (a mid-PES packet of PID 0x100)
        List<Integer> starts = new ArrayList<>();
        for (int i = 0; i < ts.length; i += 188) {
            int pid = ((ts[i + 1] & 0x1F) << 8) | (ts[i + 2] & 0xFF);
            if (pid == 0x100 && (ts[i + 1] & 0x40) != 0) {
                starts.add(i);
            }
        }
        int victim = -1;
        int seen = 0;
        for (int i = starts.get(9); i < ts.length; i += 188) {
            int pid = ((ts[i + 1] & 0x1F) << 8) | (ts[i + 2] & 0xFF);
            if (pid == 0x100 && ++seen == 2) {
                victim = i;
                break;
            }
        }
        byte[] damaged = new byte[ts.length - 188];
        System.arraycopy(ts, 0, damaged, 0, victim);
        System.arraycopy(ts, victim + 188, damaged, victim, ts.length - victim - 188);

        Collector c = demux(damaged, 0);
        assertThat(c.media(Codec.H264)).hasSize(29);
        assertThat(c.media(Codec.AAC)).hasSize(45);
        assertThat(c.problems).singleElement().asString().contains("continuity counter");
    }

    @Test
    void aDuplicatedPacketIsDiscarded() {
        byte[] ts = resource("h264_aac.ts");
        int at = 188 * 5;
        byte[] dup = new byte[ts.length + 188];
        System.arraycopy(ts, 0, dup, 0, at + 188);
        System.arraycopy(ts, at, dup, at + 188, ts.length - at);
        Collector c = demux(dup, 0);
        assertThat(c.problems).isEmpty();
        assertThat(c.media(Codec.H264)).hasSize(30);
    }

    @Test
    void syncIsRegainedAfterGarbage() {
        byte[] ts = resource("h264_aac.ts");
        int at = 188 * 40;
        byte[] junk = new byte[77];
        new Random(3).nextBytes(junk);
        junk[0] = 0x11;
        byte[] mixed = new byte[ts.length + junk.length];
        System.arraycopy(ts, 0, mixed, 0, at);
        System.arraycopy(junk, 0, mixed, at, junk.length);
        System.arraycopy(ts, at, mixed, at + junk.length, ts.length - at);
        Collector c = demux(mixed, 0);
        assertThat(c.problems).anyMatch(p -> p.startsWith("lost sync"));
        // at most the units open at the garbage are lost
        assertThat(c.media(Codec.H264).size()).isBetween(28, 30);
        assertThat(c.media(Codec.AAC).size()).isBetween(43, 45);
    }

    @Test
    void oversizedPesIsDroppedWithAReason() {
        Collector c = new Collector();
        ByteBuf in = Unpooled.wrappedBuffer(resource("h264_aac.ts"));
        try (TsDemuxer d = new TsDemuxer(c, io.netty.buffer.ByteBufAllocator.DEFAULT, 4000)) {
            d.feed(in);
            d.flush();
        }
        assertThat(c.problems).anyMatch(p -> p.contains("exceeds 4000 bytes"));
        assertThat(c.media(Codec.H264).size()).isLessThan(30);
        assertThat(c.media(Codec.AAC)).hasSize(45);
    }

    /**
     * The input on which {@code TsJazzerTest} crashed the JVM in session 10 (Jazzer 0.26's
     * {@code Arrays.equals} hook dereferences a null argument: the first ADTS frame, compared with
     * no config yet); the input stays in the seed folder, where every run replays it. It splices
     * the two ffmpeg vectors: three version-0 PMTs, H.264/AAC, H.265/Opus, H.264/AAC. Each is
     * followed, so the Opus bytes are not read as ADTS (which found an "AAC" frame in them when
     * only the first PMT counted).
     */
    @Test
    void theSplicedSeedOfTheAdtsCrashIsReadAsItsProgramMapsSay() throws IOException {
        byte[] input;
        try (InputStream in = TsDemuxerTest.class.getResourceAsStream(
                "TsJazzerTestInputs/demux/crash-adts-config-null-jazzer-hook")) {
            input = in.readAllBytes();
        }
        Collector c = demux(input, 0);
        assertThat(c.media(Codec.AAC)).isEmpty();
        assertThat(c.problems).anyMatch(p -> p.startsWith("Opus")).noneMatch(p -> p.startsWith("AAC"));
    }

    @Test
    void aSourceRestartedWithAnotherCodecIsFollowedThoughItsPmtKeepsItsVersion() {
        // One connection carries an H.264 muxer's output, then a restarted ffmpeg's H.265 and Opus:
        // both PMTs are version 0 on the same PIDs, only their stream types (and CRC) differ.
        byte[] first = resource("h264_aac.ts");
        byte[] second = resource("hevc_opus.ts");
        byte[] both = new byte[first.length + second.length];
        System.arraycopy(first, 0, both, 0, first.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        Collector c = demux(both, 0);
        assertThat(c.media(Codec.H264)).hasSize(30); // the last one ends where the new PMT starts
        assertThat(c.configs(Codec.H265)).hasSize(1);
        assertThat(c.media(Codec.H265)).hasSize(25);
        assertThat(c.media(Codec.OPUS)).hasSizeGreaterThan(45);
    }
}
