package dev.vireo.transcode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.HubConfig;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.media.Codec;
import dev.vireo.transcode.meter.FrameTimings;
import dev.vireo.transcode.meter.LatencyMeter;
import dev.vireo.transcode.meter.RateMeter;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The job's output across ffmpeg processes, against a real hub (no ffmpeg). */
class OutputPublisherTest {

    private final EventExecutor loop = new DefaultEventExecutor();
    /** Late joiners' loop: none of the frames the viewer's loop may still have queued is queued there. */
    private final EventExecutor joiners = new DefaultEventExecutor();
    private final StreamHub hub = new StreamHub(HubConfig.defaults(), loop);
    private final StreamKey key = StreamKey.of("live", "demo@html5");
    private final OutputPublisher out = new OutputPublisher(hub, key, "job", reason -> { }, new LatencyMeter(),
            new RateMeter(), false, FrameTimings.NONE);

    @AfterEach
    void tearDown() {
        out.close();
        hub.close();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        joiners.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    private static MediaFrame config(int id) {
        return MediaFrame.config(Codec.H264, 0, Unpooled.wrappedBuffer(new byte[] {1, 66, 0, 30, (byte) id}));
    }

    private static MediaFrame video(long dts, boolean key) {
        return MediaFrame.media(Codec.H264, dts, 0, key, Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 1, 5}));
    }

    /** What a viewer joining now gets first: its configuration's last byte, then the GOP's time stamps. */
    private List<Recorder.Got> lateJoiner() throws Exception {
        Recorder late = new Recorder("late", joiners);
        hub.subscribe(key, late);
        Await.until("the late joiner's start", () -> late.got.stream().anyMatch(g -> !g.config()));
        return List.copyOf(late.got);
    }

    @Test
    void aLateJoinerGetsTheConfigurationOfTheGopItIsSent() throws Exception {
        // the video went past ffmpeg: the source's parameter sets and GOP
        out.publish(config(1));
        out.publish(video(0, true));
        Recorder viewer = new Recorder("viewer", loop);
        hub.subscribe(key, viewer);
        out.publish(video(33, false));
        out.publish(video(66, false));
        // B-frames found: ffmpeg now re-encodes the video, with its own parameter sets, and its
        // frames are dropped up to the next keyframe after what viewers have (up to a GOP)
        out.restarted(false);
        out.publish(config(2));
        out.publish(video(50, true));
        out.publish(video(100, false));

        List<Recorder.Got> got = lateJoiner();
        Recorder.Got cfg = got.stream().filter(Recorder.Got::config).reduce((a, b) -> b).orElseThrow();
        assertThat(cfg.payload()[4]).as("parameter sets sent with the GOP of the source's keyframe at 0").isEqualTo((byte) 1);
        assertThat(got.stream().filter(g -> !g.config()).map(Recorder.Got::dts).toList()).containsExactly(0L, 33L, 66L);

        // the new process's keyframe: from now on its parameter sets, and its GOP
        out.publish(video(133, true));
        got = lateJoiner();
        cfg = got.stream().filter(Recorder.Got::config).reduce((a, b) -> b).orElseThrow();
        assertThat(cfg.payload()[4]).isEqualTo((byte) 2);
        assertThat(got.stream().filter(g -> !g.config()).map(Recorder.Got::dts).toList()).containsExactly(133L);
        // a viewer that was there gets the new parameter sets right in front of the keyframe
        Await.until("the viewer's keyframe", () -> viewer.got.stream().anyMatch(g -> g.dts() == 133));
        List<Recorder.Got> seen = List.copyOf(viewer.got);
        Recorder.Got before = seen.get(seen.size() - 2);
        assertThat(before.config()).isTrue();
        assertThat(before.payload()[4]).isEqualTo((byte) 2);
        assertThat(seen.stream().filter(g -> !g.config()).map(Recorder.Got::dts).toList()).containsExactly(0L, 33L, 66L, 133L);

        // within a process (the source's own, past ffmpeg) a new configuration goes out as it comes
        out.publish(config(3));
        Await.until("the source's new parameter sets", () -> viewer.got.getLast().config());
        assertThat(viewer.got.getLast().payload()[4]).isEqualTo((byte) 3);
    }
}
