package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
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
 * Recording rules and recordings through the admin API, with ffmpeg pushing and ffprobe playing
 * what was downloaded: 20 s pushed play 20 s (fMP4 and FLV), a rule changed while a stream is
 * live starts and stops its recording, downloads answer ranges, no request reaches a file outside
 * the recordings, a listed stream's snapshot is a JPEG.
 */
@Timeout(300)
class RecordingApiTest {

    @TempDir
    static Path dir;

    private static VireoServer server;
    private static VireoServer.BoundPorts ports;
    private static String key;
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() {
        server = BrowserFixture.server(dir);
        ports = server.start();
        key = server.control().generatedAdminKey().orElseThrow();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static HttpResponse<byte[]> call(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.http() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            r.header("Authorization", "Bearer " + key);
        }
        for (int i = 0; i < headers.length; i += 2) {
            r.header(headers[i], headers[i + 1]);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static JsonNode json(String method, String path, String body, int expected) throws Exception {
        HttpResponse<byte[]> a = call(method, path, body);
        assertThat(a.statusCode()).as(method + " " + path + ": " + new String(a.body())).isEqualTo(expected);
        return a.body().length == 0 ? null : JSON.readTree(a.body());
    }

    static Ffmpeg push(String stream, int seconds) throws Exception {
        return Ffmpeg.start(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
                "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-f", "lavfi", "-i", "sine",
                "-c:v", "libx264", "-preset", "ultrafast", "-bf", "0", "-g", "30", "-c:a", "aac",
                "-t", String.valueOf(seconds), "-f", "flv", "rtmp://127.0.0.1:" + ports.rtmp() + "/live/" + stream), dir);
    }

    static List<JsonNode> recordings(String stream) {
        List<JsonNode> out = new ArrayList<>();
        try {
            json("GET", "/api/v1/recordings?app=live&stream=" + stream, null, 200).get("recordings").forEach(out::add);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return out;
    }

    static double duration(Path file) throws Exception {
        Ffmpeg.Result r = Ffmpeg.run(List.of(Peers.ffprobe(), "-v", "error", "-show_entries", "format=duration",
                "-of", "default=nw=1:nk=1", file.toString()), dir, 30);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        return Double.parseDouble(r.stdout().strip());
    }

    static void decodesWithoutErrors(Path file) throws Exception {
        Ffmpeg.Result r = Ffmpeg.run(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-v", "error", "-i",
                file.toString(), "-f", "null", "-"), dir, 60);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout() + r.stderr()).as("decoder errors in " + file).isEmpty();
    }

    @Test
    void twentySecondsPushedPlayTwentySecondsInFmp4AndFlvDownloadedThroughTheApi() throws Exception {
        String v = StreamKey.DEFAULT_VHOST;
        JsonNode rule = json("PUT", "/api/v1/domains/" + v + "/record-rules/live/*", "{\"format\":\"flv\"}", 200);
        assertThat(rule.get("format").asText()).isEqualTo("flv");
        assertThat(rule.get("rotateSeconds").asLong()).isEqualTo(3600);
        json("PUT", "/api/v1/domains/" + v + "/record-rules/live/mp4demo", "{}", 200); // more specific: fMP4
        assertThat(json("GET", "/api/v1/domains/" + v + "/record-rules", null, 200).get("rules")).hasSize(2);
        try (Ffmpeg a = push("mp4demo", 20); Ffmpeg b = push("flvdemo", 20)) {
            Await.until(Duration.ofSeconds(60), "both pushes end", () -> !a.isAlive() && !b.isAlive());
        }
        for (String stream : List.of("mp4demo", "flvdemo")) {
            Await.until(Duration.ofSeconds(30), stream + " recorded and finished", () -> {
                List<JsonNode> r = recordings(stream);
                return r.size() == 1 && !r.getFirst().get("recording").asBoolean();
            });
            JsonNode rec = recordings(stream).getFirst();
            assertThat(rec.get("format").asText()).isEqualTo(stream.startsWith("mp4") ? "fmp4" : "flv");
            assertThat(rec.get("file").asText()).matches("\\d{8}-\\d{6}-\\d{3}\\." + (stream.startsWith("mp4") ? "mp4" : "flv"));
            HttpResponse<byte[]> file = call("GET", rec.get("url").asText(), null);
            assertThat(file.statusCode()).isEqualTo(200);
            assertThat(file.headers().firstValue("Content-Type")).hasValue(stream.startsWith("mp4") ? "video/mp4" : "video/x-flv");
            assertThat(file.headers().firstValue("Accept-Ranges")).hasValue("bytes");
            assertThat((long) file.body().length).isEqualTo(rec.get("bytes").asLong());
            Path local = Files.write(dir.resolve(stream + "." + (stream.startsWith("mp4") ? "mp4" : "flv")), file.body());
            assertThat(duration(local)).as(stream).isBetween(19.0, 21.0);
            decodesWithoutErrors(local);
            // a range
            HttpResponse<byte[]> part = call("GET", rec.get("url").asText(), null, "Range", "bytes=100-199");
            assertThat(part.statusCode()).isEqualTo(206);
            assertThat(part.body()).containsExactly(java.util.Arrays.copyOfRange(file.body(), 100, 200));
            assertThat(part.headers().firstValue("Content-Range")).hasValue("bytes 100-199/" + file.body().length);
            assertThat(call("GET", rec.get("url").asText(), null, "Range", "bytes=" + file.body().length + "-").statusCode())
                    .isEqualTo(416);
        }
        // delete: gone from the list and the disk
        JsonNode flv = recordings("flvdemo").getFirst();
        json("DELETE", flv.get("url").asText(), null, 204);
        assertThat(recordings("flvdemo")).isEmpty();
        json("DELETE", flv.get("url").asText(), null, 404);
        json("DELETE", "/api/v1/domains/" + v + "/record-rules/live/mp4demo", null, 204);
        json("DELETE", "/api/v1/domains/" + v + "/record-rules/live/*", null, 204);
    }

    @Test
    void noRequestReachesAFileOutsideTheRecordings() throws Exception {
        Path secret = Files.writeString(dir.resolve("data/secret.mp4"), "secret");
        String base = "/api/v1/recordings/" + StreamKey.DEFAULT_VHOST;
        for (String path : List.of(base + "/live/x/..%2F..%2F..%2Fsecret.mp4",
                base + "/live/..%2F..%2F/secret.mp4",
                base + "/..%2F..%2F..%2F/x/secret.mp4",
                base + "/%2E%2E/%2E%2E/secret.mp4",
                base + "/live/x/%2E%2E%2F%2E%2E%2F%2E%2E%2Fsecret.mp4",
                "/api/v1/recordings/..%2F..%2Fdata/live/x/secret.mp4",
                base + "/live/x/20260101-000000-000.mp4%00.txt")) {
            for (String method : List.of("GET", "DELETE")) {
                HttpResponse<byte[]> a = call(method, path, null);
                assertThat(a.statusCode()).as(method + " " + path).isIn(400, 404);
                assertThat(new String(a.body())).doesNotContain("secret\"").isNotEqualTo("secret");
            }
        }
        assertThat(secret).exists();
        String saved = key;
        key = null;
        try {
            assertThat(call("GET", "/api/v1/recordings", null).statusCode()).isEqualTo(401);
            assertThat(call("GET", base + "/live/x/20260101-000000-000.mp4", null).statusCode()).isEqualTo(401);
        } finally {
            key = saved;
        }
        json("PUT", "/api/v1/domains/" + StreamKey.DEFAULT_VHOST + "/record-rules/live/x", "{\"format\":\"avi\"}", 400);
        json("PUT", "/api/v1/domains/" + StreamKey.DEFAULT_VHOST + "/record-rules/live/x", "{\"rotateSeconds\":0}", 400);
        json("PUT", "/api/v1/domains/" + StreamKey.DEFAULT_VHOST + "/record-rules/..%2F/x", "{}", 400);
        json("GET", "/api/v1/recordings?limit=0", null, 400);
    }

    @Test
    void aRuleChangedWhileTheStreamIsLiveStartsAndStopsItsRecording() throws Exception {
        String rules = "/api/v1/domains/" + StreamKey.DEFAULT_VHOST + "/record-rules/live/";
        try (Ffmpeg p = push("toggle", 120)) {
            Await.until(Duration.ofSeconds(30), "live/toggle online", () -> server.hub().find(StreamKey.of("live", "toggle"))
                    .map(s -> s.stats().gopCacheFrames() > 0).orElse(false));
            assertThat(recordings("toggle")).isEmpty();
            json("PUT", rules + "toggle", "{\"format\":\"fmp4\"}", 200);
            Await.until(Duration.ofSeconds(20), "a file being written", () -> {
                List<JsonNode> r = recordings("toggle");
                return r.size() == 1 && r.getFirst().get("recording").asBoolean() && r.getFirst().get("bytes").asLong() > 10_000;
            });
            json("DELETE", recordings("toggle").getFirst().get("url").asText(), null, 409); // being written
            json("PUT", rules + "toggle", "{\"enabled\":false}", 200);
            Await.until(Duration.ofSeconds(20), "the file finished", () -> !recordings("toggle").getFirst().get("recording").asBoolean());
            assertThat(server.recordings().recording()).isZero();
            assertThat(p.isAlive()).isTrue();
            assertThat(server.hub().find(StreamKey.of("live", "toggle"))).isPresent(); // the live stream goes on
            Path first = dir.resolve("first-toggle.mp4");
            Files.write(first, call("GET", recordings("toggle").getFirst().get("url").asText(), null).body());
            decodesWithoutErrors(first);
            assertThat(duration(first)).isGreaterThan(1.0);
            json("DELETE", rules + "toggle", null, 204);
            json("DELETE", rules + "toggle", null, 404);
        }
    }

    @Test
    void aListedStreamHasASnapshotUrlThatGivesAJpeg() throws Exception {
        try (Ffmpeg p = push("snap", 60)) {
            Await.until(Duration.ofSeconds(30), "live/snap online", () -> server.hub().find(StreamKey.of("live", "snap"))
                    .map(s -> s.stats().gopCacheFrames() > 0 && s.stats().videoCodec() != null).orElse(false));
            JsonNode stream = null;
            for (JsonNode s : json("GET", "/api/v1/streams", null, 200).get("streams")) {
                if (s.get("stream").asText().equals("snap")) {
                    stream = s;
                }
            }
            assertThat(stream).isNotNull();
            String url = stream.get("snapshot").asText();
            assertThat(url).isEqualTo("/api/v1/streams/" + StreamKey.DEFAULT_VHOST + "/live/snap/snapshot.jpg");
            HttpResponse<byte[]> jpeg = call("GET", url, null);
            assertThat(jpeg.statusCode()).isEqualTo(200);
            assertThat(jpeg.headers().firstValue("Content-Type")).hasValue("image/jpeg");
            assertThat(jpeg.body()).startsWith((byte) 0xFF, (byte) 0xD8);
            Path f = Files.write(dir.resolve("snap.jpg"), jpeg.body());
            Ffmpeg.Result r = Ffmpeg.run(List.of(Peers.ffprobe(), "-v", "error", "-show_entries", "stream=width,height",
                    "-of", "csv=p=0", f.toString()), dir, 30);
            assertThat(r.stdout().strip()).isEqualTo("320,240");
            assertThat(call("GET", "/api/v1/streams/" + StreamKey.DEFAULT_VHOST + "/live/nothing/snapshot.jpg", null)
                    .statusCode()).isEqualTo(404);
        }
    }
}
