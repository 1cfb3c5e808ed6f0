package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The URL generator prints an SRT play URL for a signed streaming domain, and ffmpeg pulls the
 * stream with it as printed (only the address changes: the domain does not resolve here). Before,
 * {@code POST /api/v1/urls} printed SRT for ingest only: a user of a signed domain had no SRT pull
 * URL and had to sign one by hand.
 */
@Timeout(90)
class SrtPlayUrlTest {

    @TempDir
    Path dir;

    private VireoServer server;
    private Ffmpeg publisher;

    @AfterEach
    void stop() {
        if (publisher != null) {
            publisher.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theGeneratedSrtPlayUrlPlaysInFfmpegAndAnUnsignedOneIsRefused() throws Exception {
        Peers.ffmpeg();
        server = new VireoServer(TestConfigs.loopback(dir.resolve("data")));
        VireoServer.BoundPorts ports = server.start();
        if (ports.srt() < 0) {
            if (Boolean.getBoolean("vireo.requirePeers")) {
                throw new AssertionError("libsrt 1.5 is not installed");
            }
            Assumptions.assumeTrue(false, "libsrt 1.5 is not installed");
        }
        api(ports, "POST", "/api/v1/domains", "{\"domain\":\"push.example.com\",\"type\":\"ingest\"}", 201);
        api(ports, "POST", "/api/v1/domains", "{\"domain\":\"play.example.com\",\"type\":\"streaming\"}", 201);
        api(ports, "PUT", "/api/v1/domains/play.example.com/association", "{\"ingestDomain\":\"push.example.com\"}", 200);
        api(ports, "PUT", "/api/v1/domains/play.example.com/signing",
                "{\"enabled\":true,\"primaryKey\":\"k1play\",\"secondaryKey\":\"k2play\",\"validityMinutes\":60}", 200);
        api(ports, "PUT", "/api/v1/domains/push.example.com/signing", "{\"enabled\":false}", 200);
        publisher = Ffmpeg.start(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
                "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine",
                "-c:v", "libx264", "-preset", "ultrafast", "-bf", "0", "-g", "25", "-c:a", "aac", "-t", "60",
                "-f", "flv", "rtmp://127.0.0.1:" + ports.rtmp() + "/live/demo?vhost=push.example.com"), dir);
        StreamKey key = new StreamKey("push.example.com", "live", "demo");
        Await.until(Duration.ofSeconds(30), "the stream is live",
                () -> server.hub().find(key).map(Stream::isLive).orElse(false));

        JsonNode urls = api(ports, "POST", "/api/v1/urls",
                "{\"streamingDomain\":\"play.example.com\",\"app\":\"live\",\"stream\":\"demo\"}", 200);
        String printed = urls.path("play").path("srt").asText();
        // (the port printed is the configured one, 10080 here: srt.port 0 binds an ephemeral one)
        assertThat(printed).startsWith("srt://play.example.com:").contains(
                "?streamid=#!::h=play.example.com,r=/live/demo?auth_key=").endsWith(",m=request");
        String streamId = printed.substring(printed.indexOf("?streamid=") + "?streamid=".length());

        String probe = probe("srt://127.0.0.1:" + ports.srt() + "?streamid=" + streamId);
        assertThat(probe).contains("\"codec_name\": \"h264\"", "\"codec_name\": \"aac\"");
        // the same URL without its token: refused (1401), ffprobe reads nothing
        assertThat(probe("srt://127.0.0.1:" + ports.srt() + "?streamid=#!::h=play.example.com,r=/live/demo,m=request"))
                .doesNotContain("codec_name");
    }

    private String probe(String url) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Peers.ffprobe(), "-v", "error", "-of", "json", "-show_streams", url));
        return Ffmpeg.run(cmd, dir, 30).stdout();
    }

    private JsonNode api(VireoServer.BoundPorts ports, String method, String path, String json, int status) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.http() + path))
                    .header("Authorization", "Bearer " + server.control().generatedAdminKey().orElseThrow())
                    .header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("%s %s: %s", method, path, r.body()).isEqualTo(status);
            return new ObjectMapper().readTree(r.body());
        }
    }
}
