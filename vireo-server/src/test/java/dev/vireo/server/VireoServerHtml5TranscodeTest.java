package dev.vireo.server;

import static dev.vireo.webrtc.testing.Chromium.field;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import dev.vireo.webrtc.testing.Chromium;
import dev.vireo.webrtc.whep.WhepSessionStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTML5 auto transcoding end to end: an OBS-like stream (H.264 with B-frames + AAC) pushed over
 * RTMP plays in headless Chromium over WHEP through the shared browser variant (Opus audio,
 * H.264 without B-frames) that the server starts on demand.
 */
@Timeout(180)
class VireoServerHtml5TranscodeTest {

    @TempDir
    static Path dir;

    private static VireoServer server;
    private static VireoServer.BoundPorts ports;
    private static Process ffmpeg;
    private static Chromium chromium;

    @BeforeAll
    static void start() throws Exception {
        Peers.ffmpeg();
        Config d = ConfigLoader.defaults();
        Config config = new Config("127.0.0.1", 0, 0, dir.resolve("data"), "info", d.reconnectGrace(),
                d.slowViewerMaxLag(), d.httpIdleTimeout(), d.httpMaxBodySize(), "").withRtcPort(0);
        server = new VireoServer(config);
        ports = server.start();
        ffmpeg = new ProcessBuilder(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
                "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-f", "lavfi", "-i", "sine=frequency=440",
                "-c:v", "libx264", "-preset", "veryfast", "-bf", "3", "-g", "30", "-c:a", "aac", "-t", "90",
                "-f", "flv", "rtmp://127.0.0.1:" + ports.rtmp() + "/live/obs"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("ffmpeg.log").toFile()).start();
        Await.until(Duration.ofSeconds(30), "the RTMP stream is live with B-frames seen", () -> server.hub()
                .find(StreamKey.of("live", "obs")).map(s -> s.stats().bFrames() && s.stats().gopCacheFrames() > 0)
                .orElse(false));
        chromium = Chromium.start(dir);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (chromium != null) {
                chromium.close();
            }
        } finally {
            if (ffmpeg != null) {
                ffmpeg.destroy();
                if (!ffmpeg.waitFor(5, TimeUnit.SECONDS)) {
                    ffmpeg.destroyForcibly();
                }
            }
            if (server != null) {
                server.close();
            }
        }
    }

    @Test
    void anAacStreamWithBFramesPlaysWithOpusAudioThroughTheBrowserVariant() {
        chromium.open("http://127.0.0.1:" + ports.http() + "/play/live/obs");
        Await.until(Duration.ofSeconds(40), "60 decoded frames",
                () -> field(chromium.inboundRtp("vireo.pc", "video"), "framesDecoded") > 60);
        Await.until(Duration.ofSeconds(20), "Opus audio packets",
                () -> field(chromium.inboundRtp("vireo.pc", "audio"), "packetsReceived") > 50);
        assertThat(field(chromium.inboundRtp("vireo.pc", "video"), "frameWidth")).isEqualTo(640);
        List<WhepSessionStats> sessions = server.whep().sessions();
        assertThat(sessions).singleElement().satisfies(s -> assertThat(s.stream()).isEqualTo("/live/obs@html5"));
        // One shared transcode job serves the browser variant.
        assertThat(server.transcoder().jobs()).singleElement()
                .satisfies(j -> assertThat(j.output().stream()).isEqualTo("obs@html5"));
    }
}
