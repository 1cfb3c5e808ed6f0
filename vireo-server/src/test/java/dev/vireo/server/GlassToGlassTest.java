package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import dev.vireo.webrtc.testing.Chromium;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Dimension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The player reads the publisher's wallclock SEI (docs/LATENCY.md) over every protocol and shows
 * glass-to-glass latency. The publisher is ffmpeg, which can only write a constant user-data SEI
 * (h264_metadata, on every keyframe: {@code repeat-headers}): the stamp is the time ffmpeg was
 * started, so the player must find exactly that stamp, and its latency is at least the time since.
 */
@Timeout(200)
class GlassToGlassTest {

    private static final Logger log = LoggerFactory.getLogger(GlassToGlassTest.class);

    @TempDir
    static Path dir;

    private static VireoServer server;
    private static VireoServer.BoundPorts ports;
    private static Chromium chromium;
    private static Process ffmpeg;
    private static long stampNanos;

    @BeforeAll
    static void start() throws Exception {
        Peers.ffmpeg();
        server = BrowserFixture.server(dir);
        ports = server.start();
        stampNanos = System.currentTimeMillis() * 1_000_000L;
        List<String> cmd = new ArrayList<>(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error",
                "-re", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-c:v", "libx264", "-preset", "veryfast",
                "-bf", "0", "-tune", "zerolatency", "-g", "30", "-x264-params", "repeat-headers=1",
                "-bsf:v", "h264_metadata=sei_user_data=56697265-6f42-656e-6368-436c6f636b31+"
                        + HexFormat.of().toHexDigits(stampNanos),
                "-an", "-t", "150", "-f", "flv", "rtmp://127.0.0.1:" + ports.rtmp() + "/live/g2g"));
        ffmpeg = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("ffmpeg.log").toFile()).start();
        Await.until(Duration.ofSeconds(30), "the stream is live", () -> server.hub().find(StreamKey.of("live", "g2g"))
                .map(s -> s.isLive() && s.stats().gopCacheFrames() > 0).orElse(false));
        chromium = Chromium.start(dir);
        chromium.driver().manage().window().setSize(new Dimension(1280, 900));
    }

    @AfterEach
    void noConsoleErrors() {
        assertThat(chromium.consoleErrors()).isEmpty();
    }

    @AfterAll
    static void stop() throws Exception {
        if (chromium != null) {
            chromium.close();
        }
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

    @ParameterizedTest
    @ValueSource(strings = {"whep", "flv", "hls"})
    void thePlayerShowsGlassToGlassFromThePublishersStamp(String via) throws Exception {
        if (via.equals("hls")) {
            HlsJs.library();
        }
        long opened = System.currentTimeMillis();
        chromium.open("http://127.0.0.1:" + ports.http() + "/play/live/g2g?via=" + via);
        Await.until(Duration.ofSeconds(40), "playing over " + via, () -> "playing".equals(
                chromium.js("return window.vireo && window.vireo.state")) && via.equals(chromium.js("return window.vireo.protocol")));
        try {
            Await.until(Duration.ofSeconds(20), "a glass-to-glass figure", () -> chromium.number("window.vireo.glassToGlassMs") > 0);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; player state: " + chromium.js(
                    "const s = Object.assign({}, window.vireo); delete s.pc; return JSON.stringify(s);"), e);
        }
        // exactly the publisher's stamp (ms with µs precision), found in the bitstream
        assertThat(chromium.number("window.vireo.lastStampMs")).isEqualTo(stampNanos / 1_000 / 1000.0);
        // the stamp is ffmpeg's start: every frame shown since is at least that old (clock error aside)
        double clockError = chromium.number("window.vireo.clockErrorMs");
        assertThat(clockError).isBetween(0.0, 1000.0);
        assertThat(chromium.number("window.vireo.glassToGlassMs"))
                .isGreaterThanOrEqualTo(opened - stampNanos / 1_000_000.0 - clockError - 50);
        Await.until(Duration.ofSeconds(5), "the figure on the page", () -> ((String) chromium.js(
                "return document.getElementById('s-g2g').textContent")).endsWith("ms ±" + (long) clockError));
        chromium.screenshot(Path.of("target", "screenshots", "player-g2g-" + via + ".png"));
    }

    /**
     * The browser publish page stamps every H.264 frame (insertable streams) with the server-synchronised
     * wallclock; a second Chromium plays it over WHEP and shows a real glass-to-glass figure (both
     * browsers on this machine's clock, so it is the pipeline's latency, bounded here only loosely).
     */
    @Test
    void theBrowserPublishPageStampsItsFramesAndAViewerSeesGlassToGlass() throws Exception {
        String base = "http://127.0.0.1:" + ports.http();
        try (WhipPublisher publisher = WhipPublisher.start(dir)) {
            publisher.publish(base + "/publish/live/cam?autostart=1&codec=h264");
            Await.until(Duration.ofSeconds(10), "stamped frames", () -> publisher.page().number("vireo.stampedFrames") > 30);
            Await.until(Duration.ofSeconds(30), "the stream in the hub", () -> server.hub().find(StreamKey.of("live", "cam"))
                    .map(s -> "H264".equals(s.stats().videoCodec()) && s.stats().gopCacheFrames() > 0).orElse(false));
            chromium.open(base + "/play/live/cam?via=whep");
            Await.until(Duration.ofSeconds(40), "playing over WHEP", () -> "playing".equals(
                    chromium.js("return window.vireo && window.vireo.state")));
            Await.until(Duration.ofSeconds(20), "a glass-to-glass figure", () -> chromium.number("window.vireo.glassToGlassMs") > 0);
            double[] g2g = {0};
            Await.until(Duration.ofSeconds(20), "a steady figure", () -> {
                g2g[0] = chromium.number("window.vireo.glassToGlassMs");
                return g2g[0] > 0 && g2g[0] < 5_000;
            });
            log.info("glass to glass, Chromium WHIP publish page -> Vireo -> Chromium WHEP player: {} ms (clock error ±{} ms)",
                    g2g[0], chromium.number("window.vireo.clockErrorMs"));
            chromium.screenshot(Path.of("target", "screenshots", "player-g2g-whip.png"));
        }
    }
}
