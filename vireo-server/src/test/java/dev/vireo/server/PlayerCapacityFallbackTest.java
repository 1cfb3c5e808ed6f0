package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import dev.vireo.webrtc.testing.Chromium;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live AAC stream whose browser variant cannot start because every transcoding job is taken
 * (four other AAC streams hold the four): WHEP answers 503, not the 404 of a stream that is not
 * live, and the player page falls back to HTTP-FLV instead of showing "offline" (found by hand: an
 * MP3 stream pushed while four AAC streams ran showed "offline" in the player and played in ffplay).
 */
@Timeout(150)
class PlayerCapacityFallbackTest {

    private static final List<String> OTHERS = List.of("a", "b", "c", "d");

    @TempDir
    static Path dir;

    private static BrowserFixture fx;
    private static Ffmpeg others;

    @BeforeAll
    static void start() throws Exception {
        Peers.ffmpeg();
        fx = BrowserFixture.start(dir,
                List.of("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine"),
                List.of("-c:v", "libx264", "-preset", "ultrafast", "-bf", "0", "-g", "25", "-c:a", "aac", "-t", "120"),
                "live/full", StreamKey.of("live", "full"), s -> s.gopCacheFrames() > 0,
                PlayerCapacityFallbackTest::fillTheTranscoder);
    }

    /**
     * Four AAC streams from one ffmpeg (one encode, four RTMP outputs): each gets its browser
     * variant at publish time (an audio-only job: the video has no B-frames and goes past ffmpeg).
     */
    private static void fillTheTranscoder(VireoServer server, VireoServer.BoundPorts ports) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error",
                "-re", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=15", "-f", "lavfi", "-i", "sine",
                "-c:v", "libx264", "-preset", "ultrafast", "-bf", "0", "-g", "15", "-c:a", "aac", "-t", "120",
                "-map", "0:v", "-map", "1:a", "-f", "tee"));
        cmd.add(String.join("|", OTHERS.stream()
                .map(s -> "[f=flv]rtmp://127.0.0.1:" + ports.rtmp() + "/live/" + s).toList()));
        others = Ffmpeg.start(cmd, dir);
        Await.until(Duration.ofSeconds(60), "four browser-variant jobs", () -> server.transcoder().jobs().size() == 4);
    }

    @AfterAll
    static void stop() throws Exception {
        if (others != null) {
            others.close();
        }
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void whepAnswers503AndThePlayerFallsBackToFlv() throws Exception {
        assertThat(fx.server().transcoder().jobs()).hasSize(4);
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + fx.ports().http() + "/live/full/whep"))
                    .header("Content-Type", "application/sdp")
                    .POST(HttpRequest.BodyPublishers.ofString(offer()))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
            assertThat(r.body()).contains("is live", "transcoding capacity reached");
        }
        Chromium chromium = fx.chromium();
        chromium.open("http://127.0.0.1:" + fx.ports().http() + "/play/live/full");
        Await.until(Duration.ofSeconds(40), "playing over flv", () -> "playing".equals(
                chromium.js("return window.vireo && window.vireo.state")) && "flv".equals(chromium.js("return window.vireo.protocol")));
        double t0 = chromium.number("document.getElementById('video').currentTime");
        Await.until(Duration.ofSeconds(20), "currentTime grows", () -> chromium.number(
                "document.getElementById('video').currentTime") > t0 + 1);
        assertThat(chromium.js("return window.vireo.attempts[0].reason")).asString().startsWith("503");
    }

    /** A browser-like offer (H.264 + Opus), as Chromium makes it, from the test's own Chromium. */
    private static String offer() {
        fx.chromium().open("http://127.0.0.1:" + fx.ports().http() + "/tools/clock");
        return (String) fx.chromium().jsAsync("const done = arguments[arguments.length - 1];"
                + "const pc = new RTCPeerConnection();"
                + "pc.addTransceiver('video', {direction: 'recvonly'});"
                + "pc.addTransceiver('audio', {direction: 'recvonly'});"
                + "pc.createOffer().then(o => { pc.close(); done(o.sdp); });");
    }
}
