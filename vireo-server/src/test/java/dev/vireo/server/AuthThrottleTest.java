package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hole 4 of issue 17: wrong API keys and wrong Type A signatures from one address get that address
 * a 429 with Retry-After after 10 failures (even with the right key then), counted in /metrics;
 * another address (127.0.0.2) is not affected.
 */
@Timeout(60)
class AuthThrottleTest {

    private static final int TRIP = 10;

    @TempDir
    Path dir;
    private VireoServer server;
    private String base;
    private String key;
    private final HttpClient attacker = HttpClient.newHttpClient();
    private HttpClient elsewhere;

    @BeforeEach
    void start() throws Exception {
        server = new VireoServer(TestConfigs.loopback(dir.resolve("data")));
        base = "http://127.0.0.1:" + server.start().http();
        key = server.control().generatedAdminKey().orElseThrow();
        elsewhere = HttpClient.newBuilder().localAddress(InetAddress.getByName("127.0.0.2")).build();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> call(HttpClient client, String method, String path, String body, String apiKey)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void wrongApiKeysThrottleTheirAddressOnly() throws Exception {
        for (int i = 0; i < TRIP; i++) {
            assertThat(call(attacker, "GET", "/api/v1/streams", null, "vk_guess" + i).statusCode()).isEqualTo(401);
        }
        HttpResponse<String> held = call(attacker, "GET", "/api/v1/streams", null, key);
        assertThat(held.statusCode()).isEqualTo(429);
        assertThat(held.headers().firstValue("retry-after")).get().asString().matches("[1-9][0-9]*");
        // The admin elsewhere is not locked out.
        assertThat(call(elsewhere, "GET", "/api/v1/streams", null, key).statusCode()).isBetween(200, 204);

        String metrics = call(elsewhere, "GET", "/metrics", null, null).body();
        assertThat(metrics).contains("vireo_auth_failures_total{kind=\"api_key\"} 10.0")
                .containsPattern("vireo_auth_throttled_total [1-9]")
                .containsPattern("vireo_refusals_total\\{reason=\"auth\"} 1[1-9]");
    }

    @Test
    void wrongSignaturesThrottleTheirAddressOnly() throws Exception {
        assertThat(call(elsewhere, "POST", "/api/v1/domains",
                "{\"domain\":\"push.example.com\",\"type\":\"ingest\",\"region\":\"eu\"}", key).statusCode()).isBetween(200, 201);
        assertThat(call(elsewhere, "POST", "/api/v1/domains",
                "{\"domain\":\"play.example.com\",\"type\":\"streaming\",\"region\":\"eu\"}", key).statusCode()).isBetween(200, 201);
        assertThat(call(elsewhere, "PUT", "/api/v1/domains/play.example.com/association",
                "{\"ingestDomain\":\"push.example.com\"}", key).statusCode()).isBetween(200, 204);
        assertThat(call(elsewhere, "PUT", "/api/v1/domains/play.example.com/signing",
                "{\"enabled\":true,\"primaryKey\":\"signingkey0123456789\",\"validityMinutes\":60}", key).statusCode()).isBetween(200, 204);

        long ts = System.currentTimeMillis() / 1000;
        for (int i = 0; i < TRIP; i++) {
            HttpResponse<String> r = call(attacker, "GET", "/live/cam.flv?vhost=play.example.com&auth_key=" + ts
                    + "-0-0-" + "0".repeat(31) + i, null, null);
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.headers().firstValue("x-tengine-error")).get().asString().contains("invalid md5hash");
        }
        String good = "/live/cam.flv?vhost=play.example.com&auth_key=" + ts + "-0-0-"
                + md5("/live/cam.flv-" + ts + "-0-0-signingkey0123456789");
        HttpResponse<String> held = call(attacker, "GET", good, null, null);
        assertThat(held.statusCode()).isEqualTo(429);
        assertThat(held.headers().firstValue("retry-after")).get().asString().matches("[1-9][0-9]*");
        // From elsewhere the signed URL passes the gate: the stream is just not live.
        HttpResponse<String> ok = call(elsewhere, "GET", good, null, null);
        assertThat(ok.statusCode()).isEqualTo(404);
        assertThat(ok.body()).contains("StreamNotFound");

        String metrics = call(elsewhere, "GET", "/metrics", null, null).body();
        assertThat(metrics).contains("vireo_auth_failures_total{kind=\"signature\"} 10.0")
                .contains("vireo_refusals_total{reason=\"signature\"} 10.0");
    }

    private static String md5(String s) throws Exception {
        byte[] d = MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8));
        return String.format("%032x", new BigInteger(1, d));
    }
}
