package dev.vireo.transcode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.core.HubConfig;
import dev.vireo.core.HubException;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.Subscription;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import dev.vireo.media.Codec;
import dev.vireo.media.CodecConfigs;
import dev.vireo.media.TrackInfo;
import dev.vireo.transcode.templates.TemplateCatalog;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transcoder with a real hub and real ffmpeg, fed by a real-time publisher. */
class TranscoderTest {

    @TempDir
    static Path dir;
    /** 320x180 (16:9) 30 fps, H.264 with B-frames, GOP 1 s, AAC 44.1 kHz stereo, 6 s (looped). */
    static Path source;
    /** The same at 320x240 (4:3). */
    static Path source43;

    private final EventExecutor timer = new DefaultEventExecutor();
    private final EventExecutor viewers = new DefaultEventExecutor();
    private final StreamHub hub = new StreamHub(HubConfig.defaults(), timer);
    private final StreamKey demo = StreamKey.of("live", "demo");
    private FilePublisher publisher;
    private Transcoder transcoder;

    @BeforeAll
    static void media() throws Exception {
        source = TestMedia.h264Aac(dir, "demo", 320, 180, 30, 6, 2, 30);
        source43 = TestMedia.h264Aac(dir, "demo43", 320, 240, 30, 6, 2, 30);
    }

    private TranscodeConfig config() {
        return TranscodeConfig.defaults().withFfmpeg(Peers.ffmpeg()).withX264Preset("ultrafast")
                .withIdleTimeout(Duration.ofSeconds(1)).withRestartBackoff(Duration.ofMillis(200), Duration.ofSeconds(1));
    }

    private void start(TranscodeConfig cfg) throws Exception {
        publisher = FilePublisher.flv(source, hub, demo);
        transcoder = new Transcoder(cfg, hub, TemplateCatalog.builtIn());
        transcoder.start();
        Await.until("the source to have video and audio", () -> hub.find(demo).map(s -> s.hasVideo() && s.hasAudio()).orElse(false));
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

    private static long ffmpegChildren() {
        return ProcessHandle.current().children()
                .filter(p -> p.info().command().map(c -> c.endsWith("ffmpeg")).orElse(false)).count();
    }

    @Test
    void aTemplateIsSharedByItsViewersAndStopsWhenTheyLeave() throws Exception {
        start(config());
        StreamKey lld = StreamKey.of("live", "demo_lld");
        Recorder a = new Recorder("a", viewers);
        Recorder b = new Recorder("b", viewers);
        Subscription sa = hub.subscribe(lld, a);
        Subscription sb = hub.subscribe(lld, b);

        Await.until(Duration.ofSeconds(15), "transcoded video and audio",
                () -> a.count(Codec.H264) > 30 && a.count(Codec.AAC) > 30 && b.count(Codec.H264) > 30);
        TrackInfo video = CodecConfigs.describe(Codec.H264, Unpooled.wrappedBuffer(a.config(Codec.H264).payload())).orElseThrow();
        assertThat(video.width()).isEqualTo(640);
        assertThat(video.height()).isEqualTo(360);
        TrackInfo audio = CodecConfigs.describe(Codec.AAC, Unpooled.wrappedBuffer(a.config(Codec.AAC).payload())).orElseThrow();
        assertThat(audio.channels()).isEqualTo(2);
        assertThat(a.media(Codec.H264).get(0).keyframe()).isTrue();

        List<TranscodeJobStats> jobs = transcoder.jobs();
        assertThat(jobs).singleElement().satisfies(j -> {
            assertThat(j.output()).isEqualTo(lld);
            assertThat(j.source()).isEqualTo(demo);
            assertThat(j.kind()).isEqualTo("template lld");
            assertThat(j.viewers()).isEqualTo(2);
            assertThat(j.pid()).isPositive();
        });
        assertThat(ffmpegChildren()).isEqualTo(1);
        long pid = jobs.get(0).pid();

        sa.close();
        sb.close();
        Await.until(Duration.ofSeconds(5), "the job to stop after the idle timeout", () -> transcoder.jobs().isEmpty());
        Await.until(Duration.ofSeconds(5), "ffmpeg to be gone",
                () -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
        assertThat(ffmpegChildren()).isZero();
        assertThat(hub.find(lld)).isEmpty();
    }

    @Test
    void aKilledFfmpegIsRestartedAndViewersKeepReceiving() throws Exception {
        start(config());
        Recorder r = new Recorder("r", viewers);
        hub.subscribe(StreamKey.of("live", "demo_lld"), r);
        Await.until(Duration.ofSeconds(15), "transcoded frames", () -> r.count(Codec.H264) > 15);
        long pid = transcoder.jobs().get(0).pid();

        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        Await.until(Duration.ofSeconds(10), "a new ffmpeg", () -> {
            TranscodeJobStats s = transcoder.jobs().get(0);
            return s.restarts() == 1 && s.pid() > 0 && s.pid() != pid;
        });
        assertThat(transcoder.jobs().get(0).lastError()).startsWith("ffmpeg was killed by signal 9");
        long before = r.count(Codec.H264);
        Await.until(Duration.ofSeconds(10), "frames from the new ffmpeg",
                () -> r.count(Codec.H264) > before + 30 && r.count(Codec.AAC) > 0);
        assertThat(r.ended).isNotDone();
        // one continuous stream for the viewer: time never goes back, per track
        for (Codec c : List.of(Codec.H264, Codec.AAC)) {
            List<Recorder.Got> m = r.media(c);
            for (int i = 1; i < m.size(); i++) {
                assertThat(m.get(i).dts()).as("%s dts at %d", c, i).isGreaterThan(m.get(i - 1).dts());
            }
        }
    }

    @Test
    void aPublisherComingBackWithAnotherSizeGetsAFreshFfmpegAndViewersStay() throws Exception {
        start(config());
        Recorder r = new Recorder("r", viewers);
        hub.subscribe(StreamKey.of("live", "demo_lld"), r);
        Await.until(Duration.ofSeconds(15), "transcoded frames", () -> r.count(Codec.H264) > 15);
        long pid = transcoder.jobs().get(0).pid();

        publisher.close(); // the encoder reconnects within the grace period, now in 4:3
        publisher = FilePublisher.flv(source43, hub, demo);
        Await.until(Duration.ofSeconds(15), "the 4:3 picture, scaled by height", () -> {
            TrackInfo v = CodecConfigs.describe(Codec.H264, Unpooled.wrappedBuffer(r.config(Codec.H264).payload())).orElseThrow();
            return v.width() == 480 && v.height() == 360;
        });
        long configAt = r.got.indexOf(r.config(Codec.H264));
        Await.until(Duration.ofSeconds(10), "frames after the new configuration",
                // Snapshot first: a sub-list view of the live CopyOnWriteArrayList breaks when it grows.
                () -> List.copyOf(r.got).stream().skip(configAt).filter(g -> g.codec() == Codec.H264).count() > 30);
        TranscodeJobStats s = transcoder.jobs().get(0);
        assertThat(s.pid()).isNotEqualTo(pid);
        assertThat(s.restarts()).isZero(); // a planned restart is no crash
        assertThat(r.ended).isNotDone();
        List<Recorder.Got> video = r.media(Codec.H264);
        for (int i = 1; i < video.size(); i++) {
            assertThat(video.get(i).dts()).isGreaterThan(video.get(i - 1).dts());
        }
    }

    @Test
    void anUnknownTemplateOrAFullHostIsRefusedWithTheReason() throws Exception {
        start(config().withMaxJobs(1));
        assertThatThrownBy(() -> hub.subscribe(StreamKey.of("live", "demo_nope"), new Recorder("x", viewers)))
                .isInstanceOf(HubException.class)
                .hasMessage("unknown transcoding template 'nope'")
                .extracting(e -> ((HubException) e).reason()).isEqualTo(HubException.Reason.SOURCE_REFUSED);

        hub.subscribe(StreamKey.of("live", "demo_lld"), new Recorder("y", viewers));
        assertThatThrownBy(() -> hub.subscribe(StreamKey.of("live", "demo_lsd"), new Recorder("z", viewers)))
                .isInstanceOf(HubException.class)
                .hasMessageContaining("transcoding capacity reached: 1 of 1");
        // a variant of a stream that is not live is simply not live
        assertThatThrownBy(() -> hub.subscribe(StreamKey.of("live", "other_lld"), new Recorder("w", viewers)))
                .isInstanceOf(HubException.class)
                .extracting(e -> ((HubException) e).reason()).isEqualTo(HubException.Reason.STREAM_NOT_FOUND);
        assertThat(transcoder.refusals()).isEqualTo(2);
    }

    @Test
    void withoutFfmpegViewersAreRefusedClearly() throws Exception {
        start(config().withFfmpeg("/nonexistent/ffmpeg"));
        assertThat(transcoder.available()).isFalse();
        assertThatThrownBy(() -> hub.subscribe(StreamKey.of("live", "demo_lld"), new Recorder("x", viewers)))
                .isInstanceOf(HubException.class)
                .hasMessage("transcoding unavailable: ffmpeg not found at /nonexistent/ffmpeg");
        assertThatThrownBy(() -> hub.subscribe(StreamKey.of("live", "demo@html5"), new Recorder("x", viewers)))
                .isInstanceOf(HubException.class)
                .hasMessageContaining("ffmpeg not found");
    }
}
