package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import dev.vireo.http.FlvTagStream;
import dev.vireo.webrtc.testing.Chromium;
import dev.vireo.webrtc.whip.WhipSessionStats;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A non-browser WHIP client, aiortc (python3-aiortc), publishes generated H.264 + Opus: its frames
 * reach an HTTP-FLV viewer and play in the player page over HLS (hls.js, Chromium); and the WHIP URL the URL generator prints for a signed ingest domain
 * works exactly as printed.
 */
@Timeout(180)
class WhipAiortcTest {

    /**
     * How long a publisher publishes at most: as long as a test may run, which ends (closes) it; its
     * waits add up to more than the 60 s it had, which on a loaded machine ended the stream first.
     */
    private static final int PUBLISHING = 180;

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aiortcPublishesAndAnFlvViewerGetsTheFrames() throws Exception {
        try (VireoServer server = BrowserFixture.server(dir)) {
            VireoServer.BoundPorts ports = server.start();
            String base = "http://127.0.0.1:" + ports.http();
            try (Aiortc aiortc = Aiortc.publish(dir, base + "/live/bot/whip", PUBLISHING, List.of())) {
                StreamKey key = StreamKey.of("live", "bot");
                Await.until(Duration.ofSeconds(30), () -> "H.264 frames from aiortc: " + output(aiortc),
                        () -> server.hub().find(key).map(s -> "H264".equals(s.stats().videoCodec())
                                && s.stats().gopCacheFrames() > 5).orElse(false));
                WhipSessionStats s = server.whip().sessions().getFirst();
                assertThat(s.videoCodec()).isEqualTo("H264");
                assertThat(s.audioCodec()).isEqualTo("OPUS");

                AtomicLong video = new AtomicLong();
                AtomicLong audio = new AtomicLong();
                HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(base + "/live/bot.flv")).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                assertThat(r.statusCode()).isEqualTo(200);
                Thread reader = Thread.ofVirtual().start(() -> {
                    try (FlvTagStream flv = new FlvTagStream(r.body())) {
                        for (FlvTagStream.Tag t = flv.next(); t != null; t = flv.next()) {
                            if (t.isVideo() && !t.isSequenceHeader()) {
                                video.incrementAndGet();
                            } else if (t.isAudio() && !t.isSequenceHeader()) {
                                audio.incrementAndGet();
                            }
                        }
                    } catch (IOException e) {
                        // closed by the test
                    }
                });
                Await.until(Duration.ofSeconds(40), () -> "FLV frames: " + video + " video, " + audio + " audio",
                        () -> video.get() > 60 && audio.get() > 50);
                r.body().close();
                reader.interrupt();
                // RTMP players get the same AAC variant, whose video is the publisher's own (past
                // ffmpeg): ffprobe decodes 3 s of both streams over RTMP
                Ffmpeg.Result rtmp = Ffmpeg.run(List.of(Peers.ffprobe(), "-v", "error", "-rw_timeout", "10000000",
                        "-read_intervals", "%+3", "-count_frames", "-of", "json",
                        "-show_entries", "stream=codec_type,codec_name,nb_read_frames",
                        "rtmp://127.0.0.1:" + ports.rtmp() + "/live/bot"), dir, 60);
                assertThat(rtmp.exitCode()).as(rtmp.stderr()).isZero();
                assertThat(rtmp.stdout()).as(rtmp.stderr()).contains("\"codec_name\": \"h264\"",
                        "\"codec_name\": \"aac\"");
                java.util.Map<String, Integer> decoded = new java.util.HashMap<>();
                new ObjectMapper().readTree(rtmp.stdout()).path("streams").forEach(st -> decoded.put(
                        st.path("codec_type").asText(), st.path("nb_read_frames").asInt()));
                assertThat(decoded).as(rtmp.stdout()).containsOnlyKeys("video", "audio");
                assertThat(decoded.values()).as("frames decoded over RTMP: %s", decoded).allSatisfy(n -> assertThat(n).isGreaterThan(20));
                assertThat(server.transcoder().jobs()).singleElement()
                        .satisfies(j -> assertThat(j.command()).startsWith("h264 past ffmpeg / aac"));
            }
        }
    }

    /** A WHIP-published stream (H.264 + Opus) plays in the player page over HLS (hls.js) in Chromium. */
    @Test
    void aiortcPublishesAndThePlayerPlaysItOverHls() throws Exception {
        HlsJs.library();
        try (VireoServer server = BrowserFixture.server(dir)) {
            VireoServer.BoundPorts ports = server.start();
            String base = "http://127.0.0.1:" + ports.http();
            try (Aiortc aiortc = Aiortc.publish(dir, base + "/live/bot/whip", PUBLISHING, List.of());
                 Chromium chromium = Chromium.start(dir)) {
                Await.until(Duration.ofSeconds(30), () -> "H.264 frames from aiortc: " + output(aiortc),
                        () -> server.hub().find(StreamKey.of("live", "bot")).map(s -> s.stats().gopCacheFrames() > 5)
                                .orElse(false));
                chromium.open(base + "/play/live/bot?via=hls");
                Await.until(Duration.ofSeconds(40), () -> "the player plays over HLS: " + chromium.js(
                        "return window.vireo && JSON.stringify(window.vireo.attempts)"), () -> "playing".equals(
                        chromium.js("return window.vireo && window.vireo.state"))
                        && "hls".equals(chromium.js("return window.vireo.protocol")));
                double t0 = chromium.number("document.getElementById('video').currentTime");
                Await.until(Duration.ofSeconds(20), "currentTime grows",
                        () -> chromium.number("document.getElementById('video').currentTime") > t0 + 1);
                assertThat(chromium.number("document.getElementById('video').videoWidth")).isGreaterThan(0);
                assertThat(server.whip().sessions()).singleElement()
                        .satisfies(s -> assertThat(s.stream()).isEqualTo("/live/bot"));
                assertThat(chromium.consoleErrors()).isEmpty();
            }
        }
    }

    @Test
    void theWhipUrlTheUrlGeneratorPrintsWorksAsPrinted() throws Exception {
        try (VireoServer server = BrowserFixture.server(dir)) {
            VireoServer.BoundPorts ports = server.start();
            String key = server.control().generatedAdminKey().orElseThrow();
            api(ports, key, "POST", "/api/v1/domains",
                    "{\"domain\":\"push.example.com\",\"type\":\"ingest\",\"region\":\"eu\",\"liveCenter\":\"eu\"}");
            api(ports, key, "PUT", "/api/v1/domains/push.example.com/signing",
                    "{\"enabled\":true,\"primaryKey\":\"primary1\",\"secondaryKey\":\"second2\",\"validityMinutes\":60}");
            JsonNode urls = new ObjectMapper().readTree(api(ports, key, "POST", "/api/v1/urls",
                    "{\"ingestDomain\":\"push.example.com\",\"app\":\"live\",\"stream\":\"signed\"}"));
            String whip = urls.path("ingest").path("whip").asText();
            assertThat(whip).startsWith("http://push.example.com").contains("/live/signed/whip?auth_key=");
            URI printed = URI.create(whip);
            int printedPort = printed.getPort() < 0 ? 80 : printed.getPort();
            // The printed URL names the domain and the configured port; only name resolution is mapped.
            String connectTo = printed.getHost() + ":" + printedPort + ":127.0.0.1:" + ports.http();

            String tampered = whip.replaceAll("auth_key=[^&]+", "auth_key=0-0-0-00000000000000000000000000000000");
            try (Aiortc refused = Aiortc.publish(dir, tampered, 5, List.of("--connect-to", connectTo))) {
                refused.waitFor(60);
                assertThat(refused.output()).contains("\"status\": 403");
            }
            try (Aiortc aiortc = Aiortc.publish(dir, whip, PUBLISHING, List.of("--connect-to", connectTo))) {
                StreamKey streamKey = new StreamKey("push.example.com", "live", "signed");
                Await.until(Duration.ofSeconds(30), () -> "frames through the printed URL: " + output(aiortc),
                        () -> server.whip().sessions().stream().anyMatch(s -> s.videoFrames() > 30)
                                && server.hub().find(streamKey).map(s -> s.stats().gopCacheFrames() > 30).orElse(false));
                assertThat(server.whip().sessions()).singleElement()
                        .satisfies(s -> assertThat(s.stream()).isEqualTo("/live/signed"));
            }
        }
    }

    private static String output(Aiortc a) {
        try {
            return a.output();
        } catch (IOException e) {
            return e.toString();
        }
    }

    private String api(VireoServer.BoundPorts ports, String key, String method, String path, String body)
            throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.http() + path))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isBetween(200, 204);
        return r.body();
    }

    /**
     * WHEP interop with a non-browser client: a video-only stream's answer rejects the offered
     * audio section; aiortc applies it (the rejected section keeps its rtpmap) and decodes video.
     */
    @Test
    void aiortcPlaysAVideoOnlyStreamOverWhep() throws Exception {
        try (VireoServer server = BrowserFixture.server(dir)) {
            VireoServer.BoundPorts ports = server.start();
            try (Ffmpeg ffmpeg = Ffmpeg.start(List.of(dev.vireo.core.testing.Peers.ffmpeg(), "-hide_banner", "-nostdin",
                    "-loglevel", "error", "-re", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-c:v", "libx264",
                    "-preset", "ultrafast", "-bf", "0", "-g", "30", "-an", "-t", "60", "-f", "flv",
                    "rtmp://127.0.0.1:" + ports.rtmp() + "/live/vonly"), dir)) {
                Await.until(Duration.ofSeconds(20), "the RTMP stream", () -> server.hub().find(StreamKey.of("live", "vonly"))
                        .map(s -> s.stats().gopCacheFrames() > 0).orElse(false));
                try (Aiortc player = Aiortc.play(dir, "http://127.0.0.1:" + ports.http() + "/live/vonly/whep", 30)) {
                    Await.until(Duration.ofSeconds(40), () -> "aiortc decodes video: " + output(player),
                            () -> output(player).matches("(?s).*\"video_frames\": ([3-9]\\d|\\d{3,}).*"));
                    assertThat(output(player)).doesNotContain("answer-refused");
                }
            }
        }
    }

    /**
     * Reconnect grace as for RTMP: a WHIP publisher leaves (DELETE) and another comes back on the
     * same key within the grace; the WHEP viewer (aiortc) keeps its session and its decoded frames
     * keep growing across the switch.
     */
    @Test
    void aWhepViewerKeepsPlayingWhenTheWhipPublisherReconnectsWithinTheGrace() throws Exception {
        try (VireoServer server = BrowserFixture.server(dir)) {
            VireoServer.BoundPorts ports = server.start();
            String base = "http://127.0.0.1:" + ports.http();
            StreamKey key = StreamKey.of("live", "again");
            // The first publisher leaves when told to, once the viewer plays: with a fixed publishing time
            // (it was 12 s) a player slow to start on a loaded machine could miss the publisher's frames.
            try (Aiortc first = Aiortc.publish(dir, base + "/live/again/whip", PUBLISHING,
                    List.of("--until-stdin"))) {
                Await.until(Duration.ofSeconds(30), () -> "the first publisher: " + output(first),
                        () -> server.hub().find(key).map(s -> s.stats().gopCacheFrames() > 10).orElse(false));
                try (Aiortc player = Aiortc.play(dir, base + "/live/again/whep", 90)) {
                    Await.until(Duration.ofSeconds(30), () -> "aiortc plays: " + output(player),
                            () -> videoFrames(player) > 30);
                    String viewer = server.whep().sessions().getFirst().id();
                    first.stop();
                    assertThat(first.waitFor(30)).as(output(first)).isZero(); // published, then DELETEd
                    assertThat(output(first)).contains("\"deleted\", \"status\": 200");
                    long before = videoFrames(player);
                    try (Aiortc second = Aiortc.publish(dir, base + "/live/again/whip", 30, List.of())) {
                        Await.until(Duration.ofSeconds(30), () -> "frames after the reconnect: " + output(player),
                                () -> videoFrames(player) > before + 60);
                        assertThat(server.whep().sessions()).singleElement()
                                .satisfies(s -> assertThat(s.id()).isEqualTo(viewer));
                    }
                }
            }
        }
    }

    /** The last video frame count the aiortc player printed, 0 before any. */
    private static long videoFrames(Aiortc player) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"video_frames\": (\\d+)").matcher(output(player));
        long last = 0;
        while (m.find()) {
            last = Long.parseLong(m.group(1));
        }
        return last;
    }
}
