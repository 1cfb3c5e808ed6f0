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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The player page of a live stream on a signed streaming domain, opened without a signature: WHEP,
 * HTTP-FLV and HLS all answer 403, and the player says so ({@code denied}, "not authorized")
 * instead of "offline" and a retry every 3 s (found by hand: a user who forgot or let expire the
 * signature was told the stream was offline while it was live).
 */
@Timeout(120)
class PlayerDeniedTest {

    @TempDir
    static Path dir;

    private static BrowserFixture fx;

    @BeforeAll
    static void start() throws Exception {
        Peers.ffmpeg();
        fx = BrowserFixture.start(dir,
                List.of("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine"),
                List.of("-c:v", "libx264", "-preset", "ultrafast", "-bf", "0", "-g", "25", "-c:a", "aac", "-t", "100"),
                "live/demo?vhost=push.example.com", new StreamKey("push.example.com", "live", "demo"),
                s -> s.gopCacheFrames() > 0, (server, ports) -> {
                    FaultDomains.unsignedPair(server, ports.http(), "push.example.com", "play.example.com");
                    FaultDomains.ok(server, ports.http(), "PUT", "/api/v1/domains/play.example.com/signing",
                            "{\"enabled\":true,\"primaryKey\":\"k1play\",\"validityMinutes\":60}");
                });
    }

    @AfterAll
    static void stop() throws Exception {
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void anUnsignedPlayerPageSaysNotAuthorizedNotOffline() {
        Chromium chromium = fx.chromium();
        chromium.open("http://127.0.0.1:" + fx.ports().http() + "/play/live/demo?vhost=play.example.com");
        Await.until(Duration.ofSeconds(60), () -> "the player's state: " + chromium.js(
                        "return JSON.stringify({state: window.vireo && window.vireo.state, attempts: window.vireo && window.vireo.attempts})"),
                () -> "denied".equals(chromium.js("return window.vireo && window.vireo.state")));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> attempts = (List<Map<String, Object>>) chromium.js("return window.vireo.attempts");
        assertThat(attempts).extracting(a -> a.get("protocol")).containsExactly("whep", "flv", "hls");
        assertThat(attempts).extracting(a -> String.valueOf(a.get("reason")))
                .allSatisfy(reason -> assertThat(reason).contains("403"));
        assertThat(chromium.js("return document.getElementById('protocol').textContent")).isEqualTo("not authorized");
        assertThat(String.valueOf(chromium.js("return document.getElementById('overlay').textContent")))
                .startsWith("Not authorized");
    }
}
