package dev.vireo.transcode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.core.HubConfig;
import dev.vireo.core.HubException;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import dev.vireo.media.Codec;
import dev.vireo.media.CodecConfigs;
import dev.vireo.media.TrackInfo;
import dev.vireo.media.opus.OpusHead;
import dev.vireo.transcode.html5.Html5Variant;
import dev.vireo.transcode.templates.TemplateCatalog;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The browser variant (@html5) and the AAC variant (@aac), with real ffmpeg. */
class VariantTest {

    @TempDir
    static Path dir;
    static Path aacWithBFrames;
    static Path aac;
    static Path opus;
    static Path hevc;

    private final EventExecutor timer = new DefaultEventExecutor();
    private final EventExecutor viewers = new DefaultEventExecutor();
    private final StreamHub hub = new StreamHub(HubConfig.defaults(), timer);
    private final StreamKey demo = StreamKey.of("live", "demo");
    private FilePublisher publisher;
    private Transcoder transcoder;
    /** Gaps reported per stage and track: IN video, IN audio, OUT video, OUT audio. */
    private final java.util.concurrent.atomic.AtomicLongArray gaps = new java.util.concurrent.atomic.AtomicLongArray(4);

    @BeforeAll
    static void media() throws Exception {
        aacWithBFrames = TestMedia.h264Aac(dir, "bframes", 320, 180, 30, 6, 2, 30);
        aac = TestMedia.h264Aac(dir, "plain", 320, 180, 30, 6, 0, 30);
        opus = TestMedia.h264Opus(dir, "opus", 320, 180, 30, 6);
        hevc = TestMedia.h265Aac(dir, "hevc", 320, 180, 30, 4);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (transcoder != null) {
            transcoder.close();
        }
        if (publisher != null) {
            publisher.close();
        }
        hub.close();
        timer.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        viewers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    private Stream startWith(FilePublisher p) {
        publisher = p;
        transcoder = new Transcoder(TranscodeConfig.defaults().withFfmpeg(Peers.ffmpeg()).withX264Preset("ultrafast"),
                hub, TemplateCatalog.builtIn());
        transcoder.frameTimings((stage, video, nanos) -> {
            assertThat(nanos).isNotNegative();
            gaps.incrementAndGet(stage.ordinal() * 2 + (video ? 0 : 1));
        });
        transcoder.start();
        Await.until("the source to have video and audio", () -> hub.find(demo).map(s -> s.hasVideo() && s.hasAudio()).orElse(false));
        return hub.find(demo).orElseThrow();
    }

    /** The pts of {@code sent} nearest to {@code pts}. */
    private static long nearest(TreeSet<Long> sent, long pts) {
        Long lo = sent.floor(pts);
        Long hi = sent.ceiling(pts);
        return lo == null ? hi : hi == null ? lo : pts - lo <= hi - pts ? lo : hi;
    }

    @Test
    void html5TurnsAacIntoOpusAndRemovesBFramesOnTheSourceTimeLine() throws Exception {
        Stream source = startWith(FilePublisher.flv(aacWithBFrames, hub, demo));
        Await.until("B-frames to be detected", () -> Html5Variant.keyFor(source).isPresent());
        StreamKey key = Html5Variant.keyFor(source).orElseThrow();
        assertThat(key).isEqualTo(StreamKey.of("live", "demo@html5"));

        Recorder r = new Recorder("browser", viewers);
        hub.subscribe(key, r);
        Await.until(Duration.ofSeconds(20), "3 s of Opus and video", () -> r.count(Codec.OPUS) > 150 && r.count(Codec.H264) > 90);

        OpusHead head = OpusHead.parse(Unpooled.wrappedBuffer(r.config(Codec.OPUS).payload()));
        assertThat(head.channels()).isEqualTo(2);
        TrackInfo video = CodecConfigs.describe(Codec.H264, Unpooled.wrappedBuffer(r.config(Codec.H264).payload())).orElseThrow();
        assertThat(video.profile()).isEqualTo("Constrained Baseline");
        assertThat(video.width()).isEqualTo(320);
        assertThat(r.count(Codec.AAC)).isZero();

        List<Recorder.Got> frames = r.media(Codec.H264);
        for (int i = 1; i < frames.size(); i++) {
            assertThat(frames.get(i).pts()).as("pts of video frame %d", i).isGreaterThan(frames.get(i - 1).pts());
            assertThat(frames.get(i).pts()).isEqualTo(frames.get(i).dts());
        }
        assertThat(hub.find(key).orElseThrow().stats().bFrames()).isFalse();
        // keyframes where the source has them (GOP 30)
        assertThat(frames.stream().filter(Recorder.Got::keyframe).count()).isBetween(3L, (long) frames.size() / 30 + 2);

        TreeSet<Long> sentVideo = new TreeSet<>();
        TreeSet<Long> sentAudio = new TreeSet<>();
        for (FilePublisher.Sent s : publisher.sent) {
            (s.video() ? sentVideo : sentAudio).add(s.pts());
        }
        for (Recorder.Got g : frames) {
            assertThat(g.pts()).as("video pts on the source's time line").isEqualTo(nearest(sentVideo, g.pts()));
        }
        for (Recorder.Got g : r.media(Codec.OPUS)) {
            assertThat(Math.abs(g.pts() - nearest(sentAudio, g.pts()))).as("audio pts %d", g.pts()).isLessThanOrEqualTo(100);
        }
        TranscodeJobStats stats = transcoder.jobs().get(0);
        assertThat(stats.kind()).isEqualTo("html5");
        assertThat(stats.videoLatency().samples()).isPositive();
        assertThat(stats.audioLatency().samples()).isPositive();
        assertThat(stats.command()).contains("libx264 baseline").contains("libopus");
    }

    @Test
    void html5PassesVideoThatNeedsNothingPastFfmpegAndTurnsTheAacIntoOpus() throws Exception {
        Stream source = startWith(FilePublisher.flv(aac, hub, demo));
        StreamKey key = Html5Variant.keyFor(source).orElseThrow(); // AAC: browsers need the variant
        Recorder r = new Recorder("browser", viewers);
        hub.subscribe(key, r);
        Await.until(Duration.ofSeconds(20), "3 s of Opus and video", () -> r.count(Codec.OPUS) > 150 && r.count(Codec.H264) > 90);

        // the source's own video: its configuration, its frames at its time stamps, from a keyframe on
        MediaFrame sourceConfig = source.videoConfig();
        try {
            assertThat(r.config(Codec.H264).payload()).isEqualTo(ByteBufUtil.getBytes(sourceConfig.payload()));
        } finally {
            sourceConfig.release();
        }
        List<Recorder.Got> frames = r.media(Codec.H264);
        assertThat(frames.getFirst().keyframe()).isTrue();
        TreeSet<Long> sentVideo = new TreeSet<>();
        TreeSet<Long> sentAudio = new TreeSet<>();
        for (FilePublisher.Sent s : publisher.sent) {
            (s.video() ? sentVideo : sentAudio).add(s.pts());
        }
        for (int i = 0; i < frames.size(); i++) {
            assertThat(frames.get(i).pts()).as("video pts on the source's time line").isIn(sentVideo);
            if (i > 0) {
                assertThat(frames.get(i).dts()).as("dts of video frame %d", i).isGreaterThan(frames.get(i - 1).dts());
            }
        }
        // Opus at a constant 72 kb/s: every 20 ms packet 180 bytes, which ffmpeg's MPEG-TS muxer writes at once
        List<Recorder.Got> audio = r.media(Codec.OPUS);
        assertThat(audio).allSatisfy(g -> assertThat(g.size()).as("Opus packet at %d", g.pts()).isEqualTo(180));
        for (Recorder.Got g : audio) {
            assertThat(Math.abs(g.pts() - nearest(sentAudio, g.pts()))).as("audio pts %d", g.pts()).isLessThanOrEqualTo(100);
        }
        assertThat(r.count(Codec.AAC)).isZero();
        TranscodeJobStats stats = transcoder.jobs().get(0);
        assertThat(stats.command()).isEqualTo("h264 past ffmpeg / libopus 72k cbr (flv -> mpegts)");
        assertThat(stats.videoLatency().samples()).isPositive();
        assertThat(stats.audioLatency().samples()).isPositive();
    }

    @Test
    void html5VideoPastFfmpegIsTranscodedWhenTheSourceReturnsInH265() throws Exception {
        startWith(FilePublisher.flv(aac, hub, demo));
        StreamKey key = Html5Variant.of(demo);
        Recorder r = new Recorder("browser", viewers);
        hub.subscribe(key, r);
        Await.until(Duration.ofSeconds(20), "video past ffmpeg", () -> r.count(Codec.H264) > 30);
        assertThat(transcoder.jobs().get(0).command()).startsWith("h264 past ffmpeg");

        // the encoder comes back within the reconnect grace in H.265 (SRT after RTMP, say): the job
        // keeps its subscription, and the H.265 must be re-encoded, never handed to browsers as it is
        publisher.close();
        publisher = FilePublisher.ts(hevc, hub, demo);
        Await.until(Duration.ofSeconds(20), "the H.265 re-encoded", () -> transcoder.jobs().get(0).command().contains("libx264"));
        long before = r.count(Codec.H264);
        Await.until(Duration.ofSeconds(20), "re-encoded frames", () -> r.count(Codec.H264) > before + 30);
        assertThat(r.got).as("H.265 sent to the browser variant's viewers").noneMatch(g -> g.codec() == Codec.H265);
        TrackInfo video = CodecConfigs.describe(Codec.H264, Unpooled.wrappedBuffer(r.config(Codec.H264).payload())).orElseThrow();
        assertThat(video.profile()).isEqualTo("Constrained Baseline");
        assertThat(r.ended).isNotDone();
        assertThat(transcoder.jobs().get(0).restarts()).isZero(); // a planned restart is no crash
    }

    @Test
    void html5VideoPastFfmpegResumesAfterItsAudioFfmpegIsKilled() throws Exception {
        startWith(FilePublisher.flv(aac, hub, demo));
        videoPastFfmpegResumesAfterItsAudioFfmpegIsKilled(Html5Variant.of(demo), Codec.OPUS);
    }

    /**
     * Kills the variant's (audio-only) ffmpeg: the audio out of it comes back, and the video past it
     * never stopped: every frame the source sent reached the viewer, across the restart.
     */
    private void videoPastFfmpegResumesAfterItsAudioFfmpegIsKilled(StreamKey key, Codec audioOut) throws Exception {
        Recorder r = new Recorder("viewer", viewers);
        hub.subscribe(key, r);
        Await.until(Duration.ofSeconds(20), "video and audio", () -> r.count(Codec.H264) > 30 && r.count(audioOut) > 50);
        long pid = transcoder.jobs().get(0).pid();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        Await.until(Duration.ofSeconds(20), "a new ffmpeg", () -> {
            TranscodeJobStats s = transcoder.jobs().get(0);
            return s.restarts() == 1 && s.pid() > 0 && s.pid() != pid;
        });
        long video = r.count(Codec.H264);
        long audio = r.count(audioOut);
        Await.until(Duration.ofSeconds(20), "video and audio again", () -> r.count(Codec.H264) > video + 60
                && r.count(audioOut) > audio + 100);
        // one stream for the viewer: per track, time never goes back and no frame comes twice
        for (Codec c : List.of(Codec.H264, audioOut)) {
            List<Recorder.Got> m = r.media(c);
            for (int i = 1; i < m.size(); i++) {
                assertThat(m.get(i).dts()).as("%s dts at %d", c, i).isGreaterThan(m.get(i - 1).dts());
            }
        }
        List<Recorder.Got> frames = r.media(Codec.H264);
        long first = frames.getFirst().dts();
        long last = frames.getLast().dts();
        List<Long> sent = publisher.sent.stream().filter(s -> s.video() && s.dts() >= first && s.dts() <= last)
                .map(FilePublisher.Sent::dts).toList();
        assertThat(frames.stream().map(Recorder.Got::dts).toList()).as("the source's video frames, none left out")
                .isEqualTo(sent);
        assertThat(r.ended).isNotDone();
        assertThat(transcoder.jobs().get(0).command()).startsWith("h264 past ffmpeg");
    }

    @Test
    void h265BecomesH264ForBrowsers() throws Exception {
        Stream source = startWith(FilePublisher.ts(hevc, hub, demo)); // H.265 goes to ffmpeg as MPEG-TS
        StreamKey key = Html5Variant.keyFor(source).orElseThrow();
        Recorder r = new Recorder("browser", viewers);
        hub.subscribe(key, r);
        Await.until(Duration.ofSeconds(20), "H.264 and Opus", () -> r.count(Codec.H264) > 30 && r.count(Codec.OPUS) > 50);
        assertThat(r.count(Codec.H265)).isZero();
        TrackInfo video = CodecConfigs.describe(Codec.H264, Unpooled.wrappedBuffer(r.config(Codec.H264).payload())).orElseThrow();
        assertThat(video.width()).isEqualTo(320);
        assertThat(video.height()).isEqualTo(180);
        assertThat(transcoder.jobs().get(0).command()).contains("(mpegts -> mpegts)");
    }

    @Test
    void aacComesFromOpusWithTheSourcesVideoPastFfmpegByteForByte() throws Exception {
        Stream source = startWith(FilePublisher.stamped(opus, hub, demo)); // a SEI stamp in every frame
        assertThat(Html5Variant.keyFor(source)).isEmpty(); // Opus, no B-frames: fine for browsers as is
        assertThatThrownBy(() -> hub.subscribe(Html5Variant.of(demo), new Recorder("x", viewers)))
                .isInstanceOf(HubException.class).hasMessageContaining("plays in browsers as it is");
        StreamKey key = AacVariant.keyFor(source).orElseThrow();

        Recorder r = new Recorder("flv", viewers).keepingMedia();
        hub.subscribe(key, r);
        Await.until(Duration.ofSeconds(20), "2 s of AAC and video", () -> r.count(Codec.AAC) > 80 && r.count(Codec.H264) > 60);
        TrackInfo audio = CodecConfigs.describe(Codec.AAC, Unpooled.wrappedBuffer(r.config(Codec.AAC).payload())).orElseThrow();
        assertThat(audio.profile()).isEqualTo("AAC LC");
        assertThat(audio.sampleRate()).isEqualTo(48000);
        assertThat(r.count(Codec.OPUS)).isZero();

        // the source's own video: its configuration, and every frame the publisher sent, SEI and all,
        // at its time stamps, from a keyframe on
        MediaFrame sourceConfig = source.videoConfig();
        try {
            assertThat(r.config(Codec.H264).payload()).isEqualTo(ByteBufUtil.getBytes(sourceConfig.payload()));
        } finally {
            sourceConfig.release();
        }
        java.util.Map<Long, FilePublisher.Sent> sentVideo = new java.util.HashMap<>();
        publisher.sent.stream().filter(FilePublisher.Sent::video).forEach(s -> sentVideo.put(s.dts(), s));
        List<Recorder.Got> frames = r.media(Codec.H264);
        assertThat(frames.getFirst().keyframe()).isTrue();
        for (Recorder.Got g : frames) {
            FilePublisher.Sent sent = sentVideo.get(g.dts());
            assertThat(sent).as("a source frame at dts %d", g.dts()).isNotNull();
            assertThat(g.pts()).isEqualTo(sent.pts());
            assertThat(g.payload()).as("video frame at %d as the publisher sent it", g.dts()).isEqualTo(sent.payload());
            assertThat(indexOf(g.payload(), FilePublisher.SEI_UUID)).as("the SEI stamp at %d", g.dts()).isEqualTo(7);
        }
        // the AAC on the same time line as the video: ffmpeg's -copyts plus the job's base
        TreeSet<Long> sentAudio = new TreeSet<>();
        publisher.sent.stream().filter(s -> !s.video()).forEach(s -> sentAudio.add(s.pts()));
        for (Recorder.Got g : r.media(Codec.AAC)) {
            assertThat(Math.abs(g.pts() - nearest(sentAudio, g.pts()))).as("audio pts %d", g.pts()).isLessThanOrEqualTo(100);
        }
        TranscodeJobStats stats = transcoder.jobs().get(0);
        assertThat(stats.command()).isEqualTo("h264 past ffmpeg / aac 128k (mpegts -> flv)");
        assertThat(stats.videoLatency().samples()).isPositive();
        assertThat(stats.audioLatency().samples()).isPositive();
        // frame gaps reported at both ends of the job, for both tracks
        for (int i = 0; i < 4; i++) {
            assertThat(gaps.get(i)).as("gaps of series %d", i).isPositive();
        }

        // a late joiner starts on a keyframe, with the configurations before it
        Recorder late = new Recorder("late", viewers);
        hub.subscribe(key, late);
        Await.until(Duration.ofSeconds(20), "the late joiner's AAC and video", () -> late.count(Codec.AAC) > 20
                && late.count(Codec.H264) > 20);
        Recorder.Got firstVideo = late.got.stream().filter(g -> g.isVideo()).findFirst().orElseThrow();
        assertThat(firstVideo.config()).as("the video configuration first").isTrue();
        assertThat(late.media(Codec.H264).getFirst().keyframe()).as("then a keyframe").isTrue();
        Recorder.Got firstAudio = late.got.stream().filter(g -> g.codec() == Codec.AAC).findFirst().orElseThrow();
        assertThat(firstAudio.config()).as("the AudioSpecificConfig before AAC frames").isTrue();
    }

    @Test
    void aacTakesH265WithBFramesPastFfmpegAsItIs() throws Exception {
        Stream source = startWith(FilePublisher.ts(TestMedia.h265Opus(dir, "hevcopus", 320, 180, 30, 4), hub, demo));
        Recorder r = new Recorder("rtmp", viewers).keepingMedia();
        hub.subscribe(AacVariant.keyFor(source).orElseThrow(), r);
        Await.until(Duration.ofSeconds(20), "AAC and H.265", () -> r.count(Codec.AAC) > 50 && r.count(Codec.H265) > 40);
        java.util.Map<Long, FilePublisher.Sent> sentVideo = new java.util.HashMap<>();
        publisher.sent.stream().filter(FilePublisher.Sent::video).forEach(s -> sentVideo.put(s.dts(), s));
        List<Recorder.Got> frames = r.media(Codec.H265);
        assertThat(frames.getFirst().keyframe()).isTrue();
        assertThat(frames).as("B-frames: presentation order differs from decode order")
                .anyMatch(g -> g.pts() != g.dts());
        for (Recorder.Got g : frames) {
            FilePublisher.Sent sent = sentVideo.get(g.dts());
            assertThat(sent).as("a source frame at dts %d", g.dts()).isNotNull();
            assertThat(g.pts()).isEqualTo(sent.pts());
            assertThat(g.payload()).as("H.265 frame at %d as the publisher sent it", g.dts()).isEqualTo(sent.payload());
        }
        assertThat(r.count(Codec.H264)).isZero();
        assertThat(r.count(Codec.OPUS)).isZero();
        assertThat(transcoder.jobs().get(0).command()).isEqualTo("h265 past ffmpeg / aac 128k (mpegts -> flv)");
    }

    @Test
    void aacVideoPastFfmpegResumesAfterItsAudioFfmpegIsKilled() throws Exception {
        startWith(FilePublisher.ts(opus, hub, demo));
        videoPastFfmpegResumesAfterItsAudioFfmpegIsKilled(AacVariant.of(demo), Codec.AAC);
    }

    /** Where {@code part} first occurs in {@code whole}, -1 when not. */
    private static int indexOf(byte[] whole, byte[] part) {
        outer:
        for (int i = 0; i + part.length <= whole.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (whole[i + j] != part[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
