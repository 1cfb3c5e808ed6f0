package dev.vireo.transcode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.core.StreamKey;
import dev.vireo.media.Codec;
import dev.vireo.transcode.ffmpeg.FfmpegInstall;
import dev.vireo.transcode.pipe.PipeFormat;
import dev.vireo.transcode.templates.TemplateCatalog;
import dev.vireo.transcode.templates.TranscodeTemplate;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Command lines and refusals, without running ffmpeg. */
class FfmpegCommandTest {

    private static final FfmpegInstall FFMPEG = new FfmpegInstall("/usr/bin/ffmpeg", "ffmpeg version test",
            Set.of("libx264", "libx265", "libopus", "aac"), null);
    private static final TranscodeConfig CFG = TranscodeConfig.defaults();
    private static final SourceInfo H264_AAC_720 = new SourceInfo(Codec.H264, Codec.AAC, 1280, 720, 30, false, 2500, 2);
    private static final SourceInfo H264_AAC_4_3_BFRAMES = new SourceInfo(Codec.H264, Codec.AAC, 640, 480, 25, true, 1000, 2);
    private static final SourceInfo H264_OPUS = new SourceInfo(Codec.H264, Codec.OPUS, 1280, 720, 30, false, 2000, 2);

    private static Request request(String stream) {
        return Request.parse(StreamKey.of("live", stream)).orElseThrow();
    }

    private static FfmpegCommand.Plan template(String id, SourceInfo src) {
        return FfmpegCommand.plan(request("demo_" + id), TemplateCatalog.builtIn().find(id).orElseThrow(), src, CFG, FFMPEG);
    }

    /** The value after {@code option} in the command. */
    private static String arg(FfmpegCommand.Plan p, String option) {
        List<String> c = p.command();
        int i = c.indexOf(option);
        assertThat(i).as(option + " in " + c).isNotNegative();
        return c.get(i + 1);
    }

    @Test
    void builtInTemplateScalesByHeightKeepingTheAspectRatio() {
        FfmpegCommand.Plan p = template("lld", H264_AAC_4_3_BFRAMES);
        assertThat(arg(p, "-vf")).isEqualTo("scale=-2:360"); // 4:3 gives 480x360, 16:9 gives 640x360
        assertThat(arg(p, "-c:v")).isEqualTo("libx264");
        assertThat(arg(p, "-preset")).isEqualTo("superfast");
        assertThat(arg(p, "-tune")).isEqualTo("zerolatency");
        assertThat(arg(p, "-b:v")).isEqualTo("600k");
        assertThat(arg(p, "-force_key_frames")).isEqualTo("source");
        assertThat(arg(p, "-c:a")).isEqualTo("aac");
        assertThat(arg(p, "-b:a")).isEqualTo("64k");
        assertThat(p.input()).isEqualTo(PipeFormat.FLV);
        assertThat(p.output()).isEqualTo(PipeFormat.FLV);
        assertThat(p.command()).containsSequence("-f", "flv", "-i", "pipe:0", "-copyts").endsWith("pipe:1");
    }

    @Test
    void templateFieldsBecomeOptions() {
        TranscodeTemplate t = new TranscodeTemplate("portrait", "h265", 0, 0, 720, 24, 1200, 48, "opus", 96);
        FfmpegCommand.Plan p = FfmpegCommand.plan(request("demo_portrait"), t, H264_AAC_720, CFG, FFMPEG);
        assertThat(arg(p, "-vf")).isEqualTo("scale='if(gte(iw,ih),-2,720)':'if(gte(iw,ih),720,-2)',fps=24");
        assertThat(arg(p, "-c:v")).isEqualTo("libx265");
        assertThat(arg(p, "-g")).isEqualTo("48");
        assertThat(arg(p, "-keyint_min")).isEqualTo("48");
        assertThat(arg(p, "-c:a")).isEqualTo("libopus");
        assertThat(p.output()).isEqualTo(PipeFormat.MPEGTS); // ffmpeg 5.1 writes neither H.265 nor Opus in FLV
        assertThat(p.command()).contains("-omit_video_pes_length", "-pes_payload_size");

        TranscodeTemplate widthOnly = new TranscodeTemplate("w", "h264", 800, 0, 0, 0, 1000, 0, "aac", 64);
        assertThat(FfmpegCommand.scale(widthOnly)).isEqualTo("scale=800:-2");
        TranscodeTemplate asSource = new TranscodeTemplate("s", "h264", 0, 0, 0, 0, 1000, 0, "aac", 64);
        assertThat(FfmpegCommand.scale(asSource)).isNull();
    }

    @Test
    void html5TranscodesOnlyWhatBrowsersCannotPlay() {
        // video that needs nothing goes past ffmpeg: ffmpeg reads and writes audio alone
        FfmpegCommand.Plan audioOnly = FfmpegCommand.plan(request("demo@html5"), null, H264_AAC_720, CFG, FFMPEG);
        assertThat(audioOnly.bypassesVideo()).isTrue();
        assertThat(audioOnly.keepsSourceVideo()).isTrue();
        assertThat(audioOnly.command()).doesNotContain("-c:v", "0:v:0").containsSequence("-map", "0:a:0");
        assertThat(arg(audioOnly, "-c:a")).isEqualTo("libopus");
        assertThat(audioOnly.command()).containsSequence("-ar", "48000").containsSequence("-frame_duration", "20")
                .containsSequence("-application", "audio").containsSequence("-fec", "1");
        // constant 72 kb/s: 180-byte packets, which ffmpeg's MPEG-TS muxer writes at once (170 and less wait)
        assertThat(arg(audioOnly, "-b:a")).isEqualTo("72k");
        assertThat(arg(audioOnly, "-vbr")).isEqualTo("off");
        assertThat(audioOnly.input()).isEqualTo(PipeFormat.FLV);
        assertThat(audioOnly.output()).isEqualTo(PipeFormat.MPEGTS);
        assertThat(audioOnly.summary()).isEqualTo("h264 past ffmpeg / libopus 72k cbr (flv -> mpegts)");

        // the pipeline of before, kept to measure against: video copied through ffmpeg, Opus VBR 64 kb/s
        FfmpegCommand.Plan before = FfmpegCommand.plan(request("demo@html5"), null, H264_AAC_720,
                CFG.withLowDelayHtml5(false), FFMPEG);
        assertThat(before.bypassesVideo()).isFalse();
        assertThat(before.copiesVideo()).isTrue();
        assertThat(arg(before, "-c:v")).isEqualTo("copy");
        assertThat(arg(before, "-b:a")).isEqualTo("64k");
        assertThat(before.command()).doesNotContain("-vbr");

        FfmpegCommand.Plan both = FfmpegCommand.plan(request("demo@html5"), null, H264_AAC_4_3_BFRAMES, CFG, FFMPEG);
        assertThat(arg(both, "-c:v")).isEqualTo("libx264");
        assertThat(arg(both, "-profile:v")).isEqualTo("baseline");
        assertThat(arg(both, "-bf")).isEqualTo("0");
        assertThat(arg(both, "-b:v")).isEqualTo("900k"); // the source's rate less a tenth for audio
        assertThat(arg(both, "-force_key_frames")).isEqualTo("source");
        assertThat(both.bypassesVideo()).isFalse();
        assertThat(both.keepsSourceVideo()).isFalse();
        assertThat(both.command()).containsSequence("-map", "0:v:0");

        SourceInfo opusWithBFrames = new SourceInfo(Codec.H264, Codec.OPUS, 1280, 720, 30, true, 0, 2);
        FfmpegCommand.Plan videoOnly = FfmpegCommand.plan(request("demo@html5"), null, opusWithBFrames, CFG, FFMPEG);
        assertThat(arg(videoOnly, "-c:a")).isEqualTo("copy");
        assertThat(arg(videoOnly, "-b:v")).isEqualTo("2211k"); // not measured yet: 0.08 bit per pixel
        assertThat(videoOnly.input()).isEqualTo(PipeFormat.MPEGTS); // Opus cannot go in FLV

        assertThatThrownBy(() -> FfmpegCommand.plan(request("demo@html5"), null, H264_OPUS, CFG, FFMPEG))
                .isInstanceOf(TranscodeRefusal.class).hasMessageContaining("plays in browsers as it is");
    }

    @Test
    void aacVariantTakesAnyVideoPastFfmpeg() {
        FfmpegCommand.Plan p = FfmpegCommand.plan(request("demo@aac"), null, H264_OPUS, CFG, FFMPEG);
        assertThat(p.bypassesVideo()).isTrue();
        assertThat(p.command()).doesNotContain("-c:v", "0:v:0").containsSequence("-map", "0:a:0");
        assertThat(arg(p, "-c:a")).isEqualTo("aac");
        assertThat(p.input()).isEqualTo(PipeFormat.MPEGTS); // Opus alone in
        assertThat(p.output()).isEqualTo(PipeFormat.FLV); // AAC alone out
        assertThat(p.summary()).isEqualTo("h264 past ffmpeg / aac 128k (mpegts -> flv)");
        // RTMP/FLV players take every video the source may have, B-frames, H.265 and AV1 included
        for (Codec video : List.of(Codec.H264, Codec.H265, Codec.AV1)) {
            assertThat(p.passesPast(video)).as("%s past ffmpeg", video).isTrue();
            FfmpegCommand.Plan q = FfmpegCommand.plan(request("demo@aac"), null,
                    new SourceInfo(video, Codec.OPUS, 1280, 720, 30, true, 0, 2), CFG, FFMPEG);
            assertThat(q.summary()).startsWith(video.name().toLowerCase(java.util.Locale.ROOT) + " past ffmpeg / aac");
        }
        // a browser variant passes H.264 only
        FfmpegCommand.Plan html5 = FfmpegCommand.plan(request("demo@html5"), null, H264_AAC_720, CFG, FFMPEG);
        assertThat(html5.passesPast(Codec.H264)).isTrue();
        assertThat(html5.passesPast(Codec.H265)).isFalse();
        FfmpegCommand.Plan audioOnly = FfmpegCommand.plan(request("demo@aac"), null,
                new SourceInfo(null, Codec.OPUS, 0, 0, 0, false, 0, 2), CFG, FFMPEG);
        assertThat(audioOnly.bypassesVideo()).isFalse();
        assertThat(audioOnly.summary()).isEqualTo("no video / aac 128k (mpegts -> flv)");
        assertThatThrownBy(() -> FfmpegCommand.plan(request("demo@aac"), null, H264_AAC_720, CFG, FFMPEG))
                .isInstanceOf(TranscodeRefusal.class).hasMessage("stream /live/demo has no Opus audio; it has no @aac variant");
    }

    @Test
    void refusals() {
        SourceInfo av1 = new SourceInfo(Codec.AV1, Codec.AAC, 1280, 720, 30, false, 0, 2);
        assertThatThrownBy(() -> template("lld", av1)).isInstanceOf(TranscodeRefusal.class)
                .hasMessage("stream /live/demo (AV1 / AAC) cannot be transcoded");
        SourceInfo empty = new SourceInfo(null, null, 0, 0, 0, false, 0, 0);
        assertThatThrownBy(() -> template("lld", empty)).hasMessage("stream /live/demo carries no media yet");
        FfmpegInstall noOpus = new FfmpegInstall("/opt/ffmpeg", "", Set.of("libx264", "aac"), null);
        assertThatThrownBy(() -> FfmpegCommand.plan(request("demo@html5"), null, H264_AAC_720, CFG, noOpus))
                .hasMessage("transcoding unavailable: ffmpeg at /opt/ffmpeg has no libopus encoder");
        FfmpegInstall missing = FfmpegInstall.unusable("ffmpeg", "transcoding unavailable: ffmpeg not found on PATH");
        assertThatCode(() -> template("lld", H264_AAC_720)).doesNotThrowAnyException();
        assertThatThrownBy(() -> FfmpegCommand.plan(request("demo_lld"), TemplateCatalog.builtIn().find("lld").orElseThrow(),
                H264_AAC_720, CFG, missing)).hasMessage("transcoding unavailable: ffmpeg not found on PATH");
    }

    @Test
    void audioOnlySourcesAreTranscodedWithoutVideo() {
        SourceInfo radio = new SourceInfo(null, Codec.AAC, 0, 0, 0, false, 128, 2);
        FfmpegCommand.Plan p = template("lld", radio);
        assertThat(p.command()).doesNotContain("0:v:0", "-c:v").contains("0:a:0");
        assertThat(p.output()).isEqualTo(PipeFormat.FLV);
    }
}
