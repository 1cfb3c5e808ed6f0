package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import dev.vireo.http.hls.HlsConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed HLS: the URL generator's {@code .m3u8} and {@code /llhls.m3u8} URLs (Type A
 * {@code auth_key}) play with ffmpeg; the playlist carries session tokens and never the domain
 * key; a segment URL stops working once its token expires; a forbidden stream stops being served;
 * the snapshot URL is signed like them.
 */
class VireoServerHlsSigningTest {

    private static final String KEY = "s3cretPrimaryKey";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private VireoServer server;
    private VireoServer.BoundPorts ports;

    private HttpResponse<String> send(String method, String path, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.http() + path))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + server.control().generatedAdminKey().orElseThrow());
        if (json != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, null);
    }

    /** The path and query of a generated URL, addressed to this server with the streaming domain named. */
    private static String local(String url) {
        URI u = URI.create(url);
        return u.getRawPath() + "?" + u.getRawQuery() + "&vhost=play.example.com";
    }

    @Test
    void signedPlaylistsPlayAndTheirSegmentTokensExpire() throws Exception {
        server = new VireoServer(TestConfigs.loopback(dir.resolve("data"))
                .withHls(HlsConfig.defaults().withTokenTtl(Duration.ofSeconds(4))));
        ports = server.start();
        try {
            assertThat(send("POST", "/api/v1/domains", "{\"domain\":\"push.example.com\",\"type\":\"ingest\"}").statusCode()).isEqualTo(201);
            assertThat(send("POST", "/api/v1/domains", "{\"domain\":\"play.example.com\",\"type\":\"streaming\"}").statusCode()).isEqualTo(201);
            assertThat(send("PUT", "/api/v1/domains/play.example.com/association", "{\"ingestDomain\":\"push.example.com\"}").statusCode()).isEqualTo(200);
            assertThat(send("PUT", "/api/v1/domains/push.example.com/signing", "{\"enabled\":false}").statusCode()).isEqualTo(200);
            assertThat(send("PUT", "/api/v1/domains/play.example.com/signing",
                    "{\"enabled\":true,\"primaryKey\":\"" + KEY + "\",\"secondaryKey\":\"other2Key\",\"validityMinutes\":60}").statusCode())
                    .isEqualTo(200);
            try (Ffmpeg publisher = Ffmpeg.start(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error",
                    "-re", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-f", "lavfi", "-i", "sine",
                    "-c:v", "libx264", "-preset", "ultrafast", "-bf", "0", "-g", "30", "-c:a", "aac", "-t", "120",
                    "-f", "flv", "rtmp://127.0.0.1:" + ports.rtmp() + "/live/demo?vhost=push.example.com"), dir)) {
                StreamKey key = new StreamKey("push.example.com", "live", "demo");
                Await.until(Duration.ofSeconds(30), "push.example.com/live/demo live with a GOP", () -> server.hub()
                        .find(key).map(s -> s.stats().gopCacheFrames() > 0 && s.stats().gopMillis() > 0).orElse(false));

                JsonNode urls = JSON.readTree(send("POST", "/api/v1/urls", "{\"ingestDomain\":\"push.example.com\","
                        + "\"streamingDomain\":\"play.example.com\",\"app\":\"live\",\"stream\":\"demo\"}").body());
                String m3u8 = local(urls.get("play").get("m3u8").asText());
                String llhls = local(urls.get("play").get("llhls").asText());
                assertThat(m3u8).startsWith("/live/demo.m3u8?auth_key=");
                assertThat(llhls).startsWith("/live/demo/llhls.m3u8?auth_key=");

                // unsigned or signed for another path: refused like FLV
                HttpResponse<String> unsigned = get("/live/demo.m3u8?vhost=play.example.com");
                assertThat(unsigned.statusCode()).isEqualTo(403);
                assertThat(unsigned.headers().firstValue("X-Tengine-Error")).hasValue("denied by req auth: missing auth_key");
                assertThat(get(llhls.replace("/live/demo/llhls.m3u8", "/live/demo.m3u8")).statusCode()).isEqualTo(403);

                HttpResponse<String> playlist = get(m3u8);
                assertThat(playlist.statusCode()).as(playlist.body()).isEqualTo(200);
                HttpResponse<String> low = get(llhls);
                assertThat(low.statusCode()).as(low.body()).isEqualTo(200);
                for (String body : List.of(playlist.body(), low.body())) {
                    assertThat(body).contains("hls_token=").doesNotContain(KEY, "other2Key", "auth_key");
                }

                // the snapshot is signed like the others
                HttpResponse<String> jpg = get(local(urls.get("play").get("jpg").asText()));
                assertThat(jpg.statusCode()).as(jpg.body()).isEqualTo(200);
                assertThat(jpg.headers().firstValue("Content-Type")).hasValue("image/jpeg");
                assertThat(get("/live/demo.jpg?vhost=play.example.com").statusCode()).isEqualTo(403);

                // the signed playlists play (segments authorised by the tokens)
                for (String p : List.of(m3u8, llhls)) {
                    Ffmpeg.Result r = Ffmpeg.run(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-v", "error",
                            "-rw_timeout", "15000000", "-i", "http://127.0.0.1:" + ports.http() + p, "-t", "4",
                            "-f", "null", "-"), dir, 60);
                    assertThat(r.exitCode()).as(r.stderr()).isZero();
                    assertThat(r.stderr()).as("errors playing " + p).isEmpty();
                }

                // a segment URL works, then stops working once its token is past its lifetime
                Matcher seg = Pattern.compile("(demo/s\\d+\\.ts\\?hls_token=\\S+)").matcher(get(m3u8).body());
                assertThat(seg.find()).isTrue();
                String segment = "/live/" + seg.group(1);
                assertThat(get(segment).statusCode()).isEqualTo(200);
                Await.until(Duration.ofSeconds(20), "the segment token expires", () -> {
                    try {
                        HttpResponse<String> r = get(segment);
                        return r.statusCode() == 403 && r.headers().firstValue("X-Tengine-Error").orElse("")
                                .contains("expired");
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });

                // forbidding the stream kicks it: its playlists and segments are no longer served
                Matcher fresh = Pattern.compile("(demo/s\\d+\\.ts\\?hls_token=\\S+)").matcher(get(m3u8).body());
                assertThat(fresh.find()).isTrue();
                assertThat(send("POST", "/api/v1/streams/push.example.com/live/demo/forbid", "{}").statusCode()).isEqualTo(200);
                Await.until(Duration.ofSeconds(10), "the forbidden stream's segments are gone", () -> {
                    try {
                        return get("/live/" + fresh.group(1)).statusCode() == 404 && get(m3u8).statusCode() == 404;
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
            }
        } finally {
            server.close();
        }
    }
}
