package dev.vireo.server;

import static dev.vireo.webrtc.testing.Chromium.field;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import dev.vireo.webrtc.testing.Chromium;
import dev.vireo.webrtc.whep.WhepSessionStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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

    private static BrowserFixture fx;
    private static VireoServer server;
    private static VireoServer.BoundPorts ports;
    private static Chromium chromium;

    @BeforeAll
    static void start() throws Exception {
        Peers.ffmpeg();
        fx = BrowserFixture.start(dir,
                List.of("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-f", "lavfi", "-i", "sine=frequency=440"),
                List.of("-c:v", "libx264", "-preset", "veryfast", "-bf", "3", "-g", "30", "-c:a", "aac", "-t", "90"),
                "live", "obs", s -> s.bFrames() && s.gopCacheFrames() > 0);
        server = fx.server();
        ports = fx.ports();
        chromium = fx.chromium();
    }

    @AfterAll
    static void stop() throws Exception {
        if (fx != null) {
            fx.close();
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
