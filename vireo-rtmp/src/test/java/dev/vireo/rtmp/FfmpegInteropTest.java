package dev.vireo.rtmp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.Gate;
import dev.vireo.core.HubConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ffmpeg and ffprobe as the real RTMP peers: publish, probe, play, record, refuse. */
class FfmpegInteropTest {

    @TempDir
    Path dir;

    @BeforeEach
    void peers() {
        Peers.requireFfmpeg();
    }

    @Test
    void ffmpegPublishesAndViewersJoiningMidStreamGetDecodableMedia() throws Exception {
        try (TestServer ts = new TestServer()) {
            publishProbeRecordAndDecode(ts);
        }
    }

    /** The same with write coalescing on from the first viewer: gathered frames stay whole and in order. */
    @Test
    void framesGatheredPerEgressWindowStayDecodable() throws Exception {
        RtmpConfig batching = RtmpConfig.defaults().withEgressBatching(1, Duration.ofMillis(40));
        try (TestServer ts = new TestServer(batching, HubConfig.defaults(), Gate.allowAll())) {
            publishProbeRecordAndDecode(ts);
        }
    }

    private void publishProbeRecordAndDecode(TestServer ts) throws Exception {
        String url = ts.url("live/demo");
        Peers.Proc publisher = Peers.publish(dir, url, 7);
        TestServer.await("ffmpeg publishing", Duration.ofSeconds(10), () -> ts.isLive("live", "demo"));

        // ffprobe sees the stream as ffmpeg encoded it.
        Peers.Result probe = Peers.run(dir, 20, Peers.FFPROBE.toString(), "-v", "error",
                "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", url);
        assertThat(probe.exitCode()).as(probe.output()).isZero();
        assertThat(probe.output()).contains("h264,640,360").contains("aac");

        // A viewer joining mid-stream records 3 s that decode without a single error.
        Path out = dir.resolve("out.flv");
        Peers.Result record = Peers.run(dir, 20, Peers.FFMPEG.toString(), "-v", "error", "-i", url,
                "-t", "3", "-c", "copy", "-y", out.toString());
        assertThat(record.exitCode()).as(record.output()).isZero();
        assertThat(Files.size(out)).isGreaterThan(10_000);
        // -enc_time_base -1 keeps the file's millisecond time base: with ffmpeg's default 1/fps
        // the null muxer rounds frames 33/34 ms apart onto the same tick and "non monotonically
        // increasing dts" shows up depending on the audio's start offset, not on the media.
        Peers.Result decode = Peers.run(dir, 20, Peers.FFMPEG.toString(), "-v", "error", "-i", out.toString(),
                "-enc_time_base", "-1", "-f", "null", "-");
        assertThat(decode.exitCode()).as(decode.output()).isZero();
        assertThat(decode.output()).as("decoder errors").isBlank();
        Peers.Result recorded = Peers.run(dir, 20, Peers.FFPROBE.toString(), "-v", "error",
                "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", out.toString());
        assertThat(recorded.output()).contains("h264,640,360").contains("aac");

        Peers.Result end = publisher.await(20);
        assertThat(end.exitCode()).as(end.output()).isZero();
    }

    @Test
    void secondFfmpegPublisherOnALiveKeyIsRefused() throws Exception {
        try (TestServer ts = new TestServer()) {
            String url = ts.url("live/busy");
            Peers.Proc first = Peers.publish(dir, url, 5);
            TestServer.await("first publisher live", Duration.ofSeconds(10), () -> ts.isLive("live", "busy"));

            Peers.Result second = Peers.publish(dir, url, 5).await(20);
            assertThat(second.exitCode()).as(second.output()).isNotZero();
            assertThat(second.output()).contains("already being published");

            // Our client gets the status code and the reason.
            RtmpClient c = ts.client("live/busy");
            RtmpClient.Status s = c.publish().get(20, TimeUnit.SECONDS);
            assertThat(s.code()).isEqualTo("NetStream.Publish.BadName");
            assertThat(s.level()).isEqualTo("error");
            assertThat(s.description()).isEqualTo("stream /live/busy is already being published");
            c.closeFuture().get(20, TimeUnit.SECONDS);

            // The first publisher was not disturbed.
            assertThat(ts.isLive("live", "busy")).isTrue();
            Peers.Result end = first.await(20);
            assertThat(end.exitCode()).as(end.output()).isZero();
        }
    }
}
