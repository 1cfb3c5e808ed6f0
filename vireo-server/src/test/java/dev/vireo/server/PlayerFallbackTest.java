package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import dev.vireo.webrtc.testing.Chromium;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The player page when WebRTC cannot work: the server advertises an ICE candidate no browser can
 * reach (TEST-NET-1, RFC 5737), so WHEP answers but ICE never connects; the player gives WebRTC
 * up and plays over HTTP-FLV through mpegts.js in headless Chromium. Also: {@code ?via=flv}
 * forces FLV, {@code ?via=hls} plays through hls.js, the whole chain WHEP, FLV (refused by the
 * browser here), HLS ends on HLS, and the player comes back by itself when the publisher stops
 * and starts again.
 */
@Timeout(200)
class PlayerFallbackTest {

    private static final List<String> SOURCE = List.of("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30");
    private static final List<String> ENCODE = List.of("-c:v", "libx264", "-preset", "veryfast", "-bf", "0",
            "-tune", "zerolatency", "-g", "30", "-an", "-t", "150");

    @TempDir
    static Path dir;

    private static VireoServer server;
    private static VireoServer.BoundPorts ports;
    private static Chromium chromium;
    private static Process ffmpeg;

    @BeforeAll
    static void start() throws Exception {
        Peers.ffmpeg();
        // 0 sessions would mean "no cap" (VIREO_RTC_MAX_SESSIONS); an unreachable candidate is what users hit.
        server = new VireoServer(TestConfigs.loopback(dir.resolve("data"))
                .withRtcCandidates("192.0.2.1").withRtcTransports(dev.vireo.webrtc.WebRtcConfig.IceTransports.UDP));
        ports = server.start();
        publish();
        chromium = Chromium.start(dir);
        chromium.driver().manage().window().setSize(new Dimension(1280, 900));
    }

    private static void publish() throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel",
                "error", "-re"));
        cmd.addAll(SOURCE);
        cmd.addAll(ENCODE);
        cmd.addAll(List.of("-f", "flv", "rtmp://127.0.0.1:" + ports.rtmp() + "/live/demo"));
        ffmpeg = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("ffmpeg.log").toFile()).start();
        Await.until(Duration.ofSeconds(30), "the stream is live", () -> server.hub().find(StreamKey.of("live", "demo"))
                .map(s -> s.isLive() && s.stats().gopCacheFrames() > 0).orElse(false));
    }

    private static void stopPublisher() throws Exception {
        ffmpeg.destroy();
        if (!ffmpeg.waitFor(5, TimeUnit.SECONDS)) {
            ffmpeg.destroyForcibly();
        }
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
            stopPublisher();
        }
        if (server != null) {
            server.close();
        }
    }

    private static String url(String query) {
        return "http://127.0.0.1:" + ports.http() + "/play/live/demo" + query;
    }

    private static void assertPlays(String protocol) {
        Await.until(Duration.ofSeconds(40), "playing over " + protocol, () -> "playing".equals(
                chromium.js("return window.vireo && window.vireo.state")) && protocol.equals(chromium.js("return window.vireo.protocol")));
        double t0 = chromium.number("document.getElementById('video').currentTime");
        Await.until(Duration.ofSeconds(20), "currentTime grows", () -> chromium.number(
                "document.getElementById('video').currentTime") > t0 + 1);
        assertThat(chromium.number("document.getElementById('video').videoWidth")).isEqualTo(640);
    }

    @Test
    void withoutReachableWebRtcThePlayerFallsBackToFlv() throws Exception {
        chromium.open(url(""));
        assertPlays("flv");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> attempts = (List<Map<String, Object>>) chromium.js("return window.vireo.attempts");
        assertThat(attempts.getFirst()).containsEntry("protocol", "whep").containsEntry("result", "failed");
        assertThat((String) attempts.getFirst().get("reason")).contains("ICE did not connect");
        Await.until(Duration.ofSeconds(10), "stats shown", () -> !"–".equals(chromium.js(
                "return document.getElementById('s-bitrate').textContent")));
        chromium.screenshot(Path.of("target", "screenshots", "player-flv-fallback.png"));
        // WHEP sessions the player gave up were deleted (DELETE on the session resource).
        Await.until(Duration.ofSeconds(10), "no WHEP session left", () -> server.whep().sessions().isEmpty());
    }

    @Test
    void viaHlsPlaysThroughHlsJs() throws Exception {
        HlsJs.library();
        chromium.open(url("?via=hls"));
        assertPlays("hls");
        assertThat(((List<?>) chromium.js("return window.vireo.attempts"))).hasSize(1);
        // hls.js itself is what plays: the page loaded the server's copy and attached it to the video
        assertThat(chromium.js("return typeof window.Hls === 'function' && window.Hls.isSupported()")).isEqualTo(true);
        assertThat(chromium.js("return performance.getEntriesByType('resource').map(r => r.name)"
                + ".some(n => /\\/live\\/demo\\.m3u8$/.test(new URL(n).pathname))")).isEqualTo(true);
    }

    @Test
    void whenWebRtcAndFlvBothFailThePlayerEndsOnHls() throws Exception {
        HlsJs.library();
        ChromeDriver driver = (ChromeDriver) chromium.driver();
        // The browser refuses every .flv request (a proxy that cuts long-lived HTTP, say): FLV fails.
        driver.executeCdpCommand("Network.enable", Map.of());
        driver.executeCdpCommand("Network.setBlockedURLs", Map.of("urls", List.of("*.flv*")));
        try {
            chromium.open(url(""));
            assertPlays("hls");
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> attempts = (List<Map<String, Object>>) chromium.js("return window.vireo.attempts");
            assertThat(attempts).extracting(a -> a.get("protocol")).containsExactly("whep", "flv", "hls");
            assertThat(attempts.get(0)).containsEntry("result", "failed");
            assertThat(attempts.get(1)).containsEntry("result", "failed");
            assertThat((String) attempts.get(1).get("reason")).startsWith("FLV ");
        } finally {
            driver.executeCdpCommand("Network.setBlockedURLs", Map.of("urls", List.of()));
        }
        // the refused .flv request is the one expected console error (the failed load and mpegts.js's report of it)
        assertThat(chromium.consoleErrors()).allMatch(e -> e.contains(".flv") || e.contains("/vendor/mpegts.js"));
    }

    @Test
    void viaFlvForcesFlvAndThePlayerReconnectsWhenTheStreamComesBack() throws Exception {
        chromium.open(url("?via=flv"));
        assertPlays("flv");
        assertThat(((List<?>) chromium.js("return window.vireo.attempts"))).hasSize(1);
        stopPublisher();
        Await.until(Duration.ofSeconds(30), "the player notices", () -> !"playing".equals(chromium.js("return window.vireo.state")));
        // the hub keeps the stream through the reconnect grace: publish again within it, as OBS does
        publish();
        assertPlays("flv");
        assertThat(chromium.number("window.vireo.reconnects")).isGreaterThanOrEqualTo(1);
    }
}
