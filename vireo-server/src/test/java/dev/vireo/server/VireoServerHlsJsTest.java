package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LL-HLS in a real browser: headless Chromium plays {@code /live/demo/llhls.m3u8} with hls.js
 * ({@code lowLatencyMode: true}) while ffmpeg publishes over RTMP, and its playback position
 * advances with parts, blocking reloads and no fatal error.
 */
class VireoServerHlsJsTest {

    @TempDir
    Path dir;

    @Test
    void hlsJsPlaysLowLatencyHlsAndTheTimeAdvances() throws Exception {
        Path hlsJs = HlsJs.library();
        assertThat(hlsJs).exists();
        try (BrowserFixture fx = BrowserFixture.start(dir, List.of("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30",
                        "-f", "lavfi", "-i", "sine"),
                List.of("-c:v", "libx264", "-preset", "ultrafast", "-bf", "0", "-g", "30", "-c:a", "aac", "-t", "120"),
                "live", "demo", s -> s.gopCacheFrames() > 0 && s.gopMillis() > 0)) {
            String playlist = "http://127.0.0.1:" + fx.ports().http() + "/live/demo/llhls.m3u8";
            fx.chromium().open(HlsJs.page(dir, playlist).toUri().toString());
            Await.until(Duration.ofSeconds(40), "hls.js plays past 2 s", () -> {
                assertThat(fx.chromium().js("return window.hlsErrors.join(',')")).isEqualTo("");
                return fx.chromium().number("document.getElementById('v').currentTime") > 2;
            });
            double t1 = fx.chromium().number("document.getElementById('v').currentTime");
            Await.until(Duration.ofSeconds(20), "the playback position advances by 2 s more",
                    () -> fx.chromium().number("document.getElementById('v').currentTime") > t1 + 2);
            assertThat(fx.chromium().js("return window.hlsErrors.join(',')")).isEqualTo("");
            // hls.js took the playlist as low-latency: it saw parts and blocking reload
            assertThat(fx.chromium().js("const d = window.hls.levels[0].details;"
                    + " return d.canBlockReload && d.partList && d.partList.length > 0")).isEqualTo(true);
            // Diagnostic, not asserted (timing goes to docs/BENCHMARKS.md): behind the live edge, and
            // from the server's ingest (EXT-X-PROGRAM-DATE-TIME) to the picture on screen, after 10 s
            double t2 = fx.chromium().number("document.getElementById('v').currentTime");
            Await.until(Duration.ofSeconds(30), "10 s more of playback",
                    () -> fx.chromium().number("document.getElementById('v').currentTime") > t2 + 10);
            System.out.printf("hls.js LL-HLS: %.2f s behind the live edge (target %.2f s), ingest to display %.2f s%n",
                    fx.chromium().number("window.hls.latency"), fx.chromium().number("window.hls.targetLatency"),
                    fx.chromium().number("(Date.now() - window.hls.playingDate.getTime()) / 1000"));
            assertThat(fx.server().hub().find(StreamKey.of("live", "demo"))).isPresent();
        }
    }
}
