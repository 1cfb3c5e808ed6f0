package dev.vireo.media.mp4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vireo.media.Codec;
import dev.vireo.media.CodecConfigs;
import dev.vireo.media.TrackInfo;
import dev.vireo.media.Vectors;
import dev.vireo.media.aac.AudioSpecificConfig;
import dev.vireo.media.ts.OpusToc;
import dev.vireo.media.ts.TsDemuxer;
import dev.vireo.media.ts.TsSample;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fMP4 writer on bytes (box layout, offsets, codec boxes), then real files decoded by ffmpeg. */
class Fmp4WriterTest {

    private static final byte[] AVCC = Vectors.bytes("avc_baseline.avcC");
    private static final byte[] ASC = AudioSpecificConfig.of(2, 3, 2); // AAC LC 48 kHz stereo

    private static Mp4Track video(byte[] avcC) {
        return new Mp4Track(1, Codec.H264, 90_000, avcC, 320, 240, 0, 0);
    }

    private static Mp4Track aac() {
        return new Mp4Track(2, Codec.AAC, 48_000, ASC, 0, 0, 2, 48_000);
    }

    @Test
    void initSegmentHasFtypMoovAndTheCodecBoxes() {
        ByteBuf out = Unpooled.buffer();
        byte[] avcC = AVCC.clone();
        avcC[4] = (byte) 0xFC; // a publisher's record saying 1-byte lengths: rewritten to 4 (Codec layout)
        InitSegment.write(List.of(video(avcC), aac()), out);
        List<Boxes> top = Boxes.top(out);
        assertThat(top).extracting(Boxes::type).containsExactly("ftyp", "moov");
        Boxes moov = top.get(1);
        assertThat(moov.children()).extracting(Boxes::type).containsExactly("mvhd", "trak", "trak", "mvex");
        Boxes videoTrak = moov.children().get(1);
        assertThat(videoTrak.at("mdia/hdlr").body()).containsSubsequence("vide".getBytes());
        assertThat(videoTrak.at("mdia/mdhd").intAt(20)).as("timescale").isEqualTo(90_000);
        Boxes avc1 = videoTrak.at("mdia/minf/stbl/stsd/avc1");
        assertThat(avc1.file().getUnsignedShort(avc1.start() + 8 + 24)).as("width").isEqualTo(320);
        byte[] written = avc1.at("avcC").body();
        assertThat(written).hasSize(AVCC.length);
        assertThat(written[4] & 3).as("lengthSizeMinusOne").isEqualTo(3);
        assertThat(written[5]).isEqualTo(AVCC[5]);

        Boxes esds = moov.children().get(2).at("mdia/minf/stbl/stsd/mp4a/esds");
        byte[] e = esds.body();
        // version/flags, ES_Descriptor 0x03, ..., DecoderSpecificInfo 0x05 len 2 + the ASC
        assertThat(e[4]).isEqualTo((byte) 0x03);
        assertThat(e).containsSubsequence(new byte[] {0x05, 2, ASC[0], ASC[1]});
        assertThat(e).containsSubsequence(new byte[] {0x04, 17, 0x40, 0x15});
        assertThat(moov.at("mvex").children()).extracting(Boxes::type).containsExactly("trex", "trex");
    }

    @Test
    void dOpsIsTheOpusHeadBigEndianWithoutMagic() {
        byte[] head = Vectors.bytes("opus_stereo.OpusHead");
        ByteBuf out = Unpooled.buffer();
        InitSegment.write(List.of(new Mp4Track(1, Codec.OPUS, 48_000, head, 0, 0, 2, 48_000)), out);
        Boxes opus = Boxes.top(out).get(1).at("trak/mdia/minf/stbl/stsd/Opus");
        assertThat(opus.file().getInt(opus.start() + 8 + 24)).as("samplerate 16.16").isEqualTo(48_000 << 16);
        byte[] dops = opus.at("dOps").body();
        assertThat(dops).hasSize(11);
        assertThat(dops[0]).as("version").isZero();
        assertThat(dops[1]).as("channels").isEqualTo(head[9]);
        assertThat(dops[2]).as("pre-skip high byte").isEqualTo(head[11]);
        assertThat(dops[3]).as("pre-skip low byte").isEqualTo(head[10]);
    }

    @Test
    void fragmentDataOffsetsPointAtEachTracksFirstSample() {
        ByteBuf v1 = Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 2, 0x65, 1});
        ByteBuf v2 = Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 1, 0x41});
        ByteBuf a1 = Unpooled.wrappedBuffer(new byte[] {0x21, 0x22, 0x23});
        ByteBuf out = Unpooled.buffer();
        out.writeBytes(new byte[] {9, 9, 9}); // not at offset 0: offsets must be relative to the moof
        MediaFragment.write(7, List.of(
                new MediaFragment.TrackRun(1, 1L << 33, List.of(new Mp4Sample(3000, 3000, true, v1),
                        new Mp4Sample(3000, -3000, false, v2))),
                new MediaFragment.TrackRun(2, 4800, List.of(new Mp4Sample(1024, 0, true, a1)))), out);
        out.skipBytes(3);
        List<Boxes> top = Boxes.top(out);
        assertThat(top).extracting(Boxes::type).containsExactly("moof", "mdat");
        Boxes moof = top.get(0);
        assertThat(moof.at("mfhd").intAt(12)).isEqualTo(7);
        List<Boxes> trafs = moof.children().stream().filter(b -> b.type().equals("traf")).toList();
        assertThat(trafs).hasSize(2);
        Boxes tfdt = trafs.get(0).at("tfdt");
        assertThat(out.getLong(tfdt.start() + 12)).isEqualTo(1L << 33);
        Boxes trun = trafs.get(0).at("trun");
        assertThat(trun.intAt(8) >>> 24).as("version 1 (signed offsets)").isEqualTo(1);
        assertThat(trun.intAt(12)).as("sample count").isEqualTo(2);
        int dataOffset = trun.intAt(16);
        assertThat(out.getByte(moof.start() + dataOffset + 4)).isEqualTo((byte) 0x65);
        assertThat(trun.intAt(20 + 8)).as("first sample flags").isEqualTo(MediaFragment.SYNC_SAMPLE);
        assertThat(trun.intAt(36 + 8)).as("second sample flags").isEqualTo(MediaFragment.NON_SYNC_SAMPLE);
        assertThat(trun.intAt(36 + 12)).as("negative composition offset").isEqualTo(-3000);
        int audioOffset = trafs.get(1).at("trun").intAt(16);
        assertThat(out.getByte(moof.start() + audioOffset)).isEqualTo((byte) 0x21);
        assertThat(top.get(1).size()).isEqualTo(8 + 6 + 5 + 3);
    }

    // ---- real files: the ffmpeg-made TS vectors remuxed to fMP4 and decoded by ffmpeg ----

    @Test
    void ffmpegDecodesH264AndAacRemuxedToFmp4(@TempDir Path dir) throws Exception {
        Path file = remux("/ts/h264_aac.ts", dir.resolve("h264_aac.mp4"));
        assertThat(decode(file)).as("ffmpeg errors").isEmpty();
        assertThat(probe(file)).contains("codec_name=h264", "codec_name=aac", "width=160", "nb_read_frames=30");
    }

    @Test
    void ffmpegDecodesHevcAndOpusRemuxedToFmp4(@TempDir Path dir) throws Exception {
        Path file = remux("/ts/hevc_opus.ts", dir.resolve("hevc_opus.mp4"));
        assertThat(decode(file)).as("ffmpeg errors").isEmpty();
        assertThat(probe(file)).contains("codec_name=hevc", "codec_name=opus", "nb_read_frames=25");
    }

    /** Demuxes a TS vector and writes it as init + one fragment per 10 video frames. */
    private static Path remux(String resource, Path target) throws IOException {
        byte[] ts;
        try (var in = Fmp4WriterTest.class.getResourceAsStream(resource)) {
            ts = in.readAllBytes();
        }
        List<TsSample> samples = new ArrayList<>();
        try (TsDemuxer d = new TsDemuxer(new TsDemuxer.Listener() {
            @Override
            public void onSample(TsSample s) {
                samples.add(s);
            }

            @Override
            public void onProblem(String description) {
                throw new AssertionError(description);
            }
        })) {
            d.feed(Unpooled.wrappedBuffer(ts));
            d.flush();
        }
        List<Mp4Track> tracks = new ArrayList<>();
        for (TsSample s : samples) {
            if (!s.config() || tracks.stream().anyMatch(t -> t.codec() == s.codec())) {
                continue;
            }
            byte[] config = new byte[s.payload().readableBytes()];
            s.payload().getBytes(s.payload().readerIndex(), config);
            TrackInfo info = CodecConfigs.describe(s.codec(), s.payload()).orElseThrow();
            boolean isVideo = s.codec().track() == dev.vireo.media.TrackType.VIDEO;
            tracks.add(isVideo ? new Mp4Track(1, s.codec(), 90_000, config, info.width(), info.height(), 0, 0)
                    : new Mp4Track(2, s.codec(), info.sampleRate(), config, 0, 0, info.channels(), info.sampleRate()));
        }
        ByteBuf out = Unpooled.buffer();
        InitSegment.write(tracks, out);
        List<TsSample> video = samples.stream().filter(s -> !s.config() && s.codec().track() == dev.vireo.media.TrackType.VIDEO).toList();
        List<TsSample> audio = samples.stream().filter(s -> !s.config() && s.codec().track() == dev.vireo.media.TrackType.AUDIO).toList();
        Mp4Track audioTrack = tracks.stream().filter(t -> !t.isVideo()).findFirst().orElseThrow();
        int seq = 1;
        int ai = 0;
        for (int vi = 0; vi < video.size(); vi += 10) {
            int end = Math.min(vi + 10, video.size());
            List<Mp4Sample> vs = new ArrayList<>();
            for (int k = vi; k < end; k++) {
                TsSample s = video.get(k);
                long next = k + 1 < video.size() ? video.get(k + 1).dts() : s.dts() + (s.dts() - video.get(k - 1).dts());
                vs.add(new Mp4Sample((int) (next - s.dts()), (int) (s.pts() - s.dts()), s.keyframe(), s.payload()));
            }
            long endDts = end < video.size() ? video.get(end).dts() : Long.MAX_VALUE;
            List<Mp4Sample> as = new ArrayList<>();
            long audioBase = -1;
            while (ai < audio.size() && audio.get(ai).dts() < endDts) {
                TsSample s = audio.get(ai++);
                long ticks = s.pts() * audioTrack.timescale() / 90_000;
                if (audioBase < 0) {
                    audioBase = ticks;
                }
                int duration = s.codec() == Codec.OPUS
                        ? OpusToc.samples(s.payload(), s.payload().readerIndex(), s.payload().readableBytes()) : 1024;
                as.add(new Mp4Sample(duration, 0, true, s.payload()));
            }
            MediaFragment.write(seq++, List.of(new MediaFragment.TrackRun(1, video.get(vi).dts(), vs),
                    new MediaFragment.TrackRun(2, Math.max(audioBase, 0), as)), out);
        }
        samples.forEach(TsSample::release);
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        Files.write(target, bytes);
        return target;
    }

    private static String decode(Path file) throws Exception {
        return run(List.of(tool("ffmpeg"), "-hide_banner", "-nostdin", "-v", "error", "-i", file.toString(),
                "-f", "null", "-"));
    }

    private static String probe(Path file) throws Exception {
        return run(List.of(tool("ffprobe"), "-v", "error", "-count_frames", "-select_streams", "v",
                "-show_entries", "stream=codec_name,width,nb_read_frames", "-of", "default=nw=1", file.toString()))
                + run(List.of(tool("ffprobe"), "-v", "error", "-select_streams", "a", "-show_entries",
                "stream=codec_name", "-of", "default=nw=1", file.toString()));
    }

    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out.strip();
    }

    /** ffmpeg/ffprobe from PATH: skipped when absent, a failure with -Dvireo.requirePeers=true. */
    private static String tool(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, name))) {
                return Path.of(d, name).toString();
            }
        }
        if (Boolean.getBoolean("vireo.requirePeers")) {
            throw new AssertionError(name + " is not installed");
        }
        assumeTrue(false, name + " is not installed");
        return name;
    }
}
