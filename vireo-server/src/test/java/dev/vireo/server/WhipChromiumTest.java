package dev.vireo.server;

import static dev.vireo.webrtc.testing.Chromium.field;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import dev.vireo.webrtc.testing.Chromium;
import dev.vireo.webrtc.whip.WhipSessionStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WebRTC ingest end to end with real browsers: headless Chromium (fake camera and microphone)
 * publishes from the publish page over WHIP; ffprobe reads the stream over HTTP-FLV (H.264 with
 * the Opus audio transcoded to AAC by the {@code @aac} variant); a second Chromium plays it from
 * the player page over WHEP and decodes video and audio.
 */
@Timeout(240)
class WhipChromiumTest {

    private static final Logger log = LoggerFactory.getLogger(WhipChromiumTest.class);
    private static final StreamKey KEY = StreamKey.of("live", "cam");

    @TempDir
    Path dir;

    @Test
    void chromiumPublishesOverWhipAndFlvRtmpAndWhepViewersWatch() throws Exception {
        Peers.ffprobe();
        try (VireoServer server = BrowserFixture.server(dir);
             WhipPublisher publisher = WhipPublisher.start(dir)) {
            VireoServer.BoundPorts ports = server.start();
            String base = "http://127.0.0.1:" + ports.http();
            publisher.publish(base + "/publish/live/cam?autostart=1");
            Await.until(Duration.ofSeconds(30), "H.264 and Opus frames in the hub", () -> server.hub().find(KEY)
                    .map(s -> "H264".equals(s.stats().videoCodec()) && "OPUS".equals(s.stats().audioCodec())
                            && s.stats().gopCacheFrames() > 10).orElse(false));
            WhipSessionStats whip = server.whip().sessions().getFirst();
            assertThat(whip.connected()).isTrue();
            assertThat(whip.videoCodec()).isEqualTo("H264");
            assertThat(whip.audioCodec()).isEqualTo("OPUS");
            assertThat(whip.twccFeedbacks()).isPositive();
            // transport-cc feedback drives Chromium's bandwidth estimate: it leaves its 300 kbps start
            double[] bwe = {-1};
            Await.until(Duration.ofSeconds(30), () -> "Chromium's estimate above its start: " + bwe[0], () -> {
                Object v = publisher.page().jsAsync("const done = arguments[arguments.length - 1];"
                        + "vireo.pc.getStats().then(r => { let b = null; r.forEach(s => {"
                        + " if (s.type === 'candidate-pair' && s.nominated && s.availableOutgoingBitrate) b = s.availableOutgoingBitrate; });"
                        + " done(b); }).catch(() => done(null));");
                bwe[0] = v instanceof Number n ? n.doubleValue() : -1;
                return bwe[0] > 600_000;
            });
            log.info("Chromium's outgoing bandwidth estimate with Vireo's transport-cc feedback: {} kbps", bwe[0] / 1000);
            // the page's own stats (every second) name the codec the browser encodes with
            Await.until(Duration.ofSeconds(10), "the publish page's stats", () -> publisher.page().js("return vireo.codec") != null);
            assertThat(publisher.page().js("return vireo.codec")).asString().containsIgnoringCase("H264");

            // HTTP-FLV: ffprobe sees H.264 and AAC (Opus → AAC through {stream}@aac)
            Ffmpeg.Result probe = Ffmpeg.run(Ffmpeg.ffprobeStreams(base + "/live/cam.flv"), dir, 60);
            assertThat(probe.exitCode()).as(probe.stderr()).isZero();
            assertThat(probe.stdout()).contains("\"codec_name\": \"h264\"", "\"codec_name\": \"aac\"");

            // WHEP: a second browser plays it, video decoded and audio audible
            try (Chromium viewer = Chromium.start(dir, Chromium.FAKE_MEDIA)) {
                viewer.open(base + "/play/live/cam");
                Await.until(Duration.ofSeconds(30), "30 decoded frames",
                        () -> field(viewer.inboundRtp("vireo.pc", "video"), "framesDecoded") > 30);
                Object played = viewer.jsAsync("const done = arguments[arguments.length - 1];"
                        + "const v = document.getElementById('video'); v.muted = false;"
                        + "v.play().then(() => done(!v.muted && !v.paused)).catch(e => done(String(e)));");
                assertThat(played).isEqualTo(true);
                Await.until(Duration.ofSeconds(20), "audio energy above silence", () -> {
                    Map<String, Object> a = viewer.inboundRtp("vireo.pc", "audio");
                    return field(a, "totalAudioEnergy") > 0.001;
                });
                double width = field(viewer.inboundRtp("vireo.pc", "video"), "frameWidth");
                assertThat(width).isPositive();

                // a second publisher on the live key is refused with 409
                viewer.open(base + "/publish/live/cam?autostart=1");
                Await.until(Duration.ofSeconds(20), "the second publisher's error",
                        () -> "error".equals(viewer.js("return vireo.state")));
                assertThat(viewer.js("return vireo.error")).asString().contains("409", "already being published");
            }

            // Stop on the page: DELETE ends the publish
            publisher.stop();
            Await.until(Duration.ofSeconds(10), "the WHIP session ends", () -> server.whip().sessions().isEmpty());
            assertThat(server.hub().find(KEY).map(s -> s.stats().publisherSession()).orElse(null)).isNull();
            log.info("Chromium WHIP publish: {} video frames ({} keyframes), {} audio frames, {} PLI, {} NACKed,"
                    + " jitter {} ms, {} transport-cc feedbacks", whip.videoFrames(), whip.keyframes(),
                    whip.audioFrames(), whip.pliSent(), whip.nacksSent(), whip.jitterMillis(), whip.twccFeedbacks());
        }
    }

    @Test
    void chromiumPublishesAv1OverWhipAndAWhepViewerDecodesIt() throws Exception {
        try (VireoServer server = BrowserFixture.server(dir);
             WhipPublisher publisher = WhipPublisher.start(dir)) {
            VireoServer.BoundPorts ports = server.start();
            String base = "http://127.0.0.1:" + ports.http();
            publisher.publish(base + "/publish/live/av1?autostart=1&codec=av1");
            StreamKey key = StreamKey.of("live", "av1");
            Await.until(Duration.ofSeconds(30), () -> "AV1 frames in the hub: " + server.whip().sessions(),
                    () -> server.hub().find(key).map(s -> "AV1".equals(s.stats().videoCodec())
                            && s.stats().gopCacheFrames() > 10).orElse(false));
            assertThat(server.hub().find(key).orElseThrow().stats().width()).as("av1C parsed: the size is known").isPositive();
            try (Chromium viewer = Chromium.start(dir)) {
                viewer.open(base + "/play/live/av1");
                Await.until(Duration.ofSeconds(30), "AV1 frames decoded by the viewer",
                        () -> field(viewer.inboundRtp("vireo.pc", "video"), "framesDecoded") > 20);
                assertThat(viewer.inboundCodec("vireo.pc", "video")).isEqualToIgnoringCase("video/AV1");
            }
        }
    }
}
