package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Test helper: the admin API of a started server, and an unsigned ingest + streaming domain pair. */
final class FaultDomains {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private FaultDomains() {
    }

    static HttpResponse<String> api(VireoServer server, int httpPort, String method, String path, String body)
            throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(15))
                .header("Authorization", "Bearer " + server.control().generatedAdminKey().orElseThrow())
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    static void ok(VireoServer server, int httpPort, String method, String path, String body) throws Exception {
        HttpResponse<String> a = api(server, httpPort, method, path, body);
        assertThat(a.statusCode()).as(method + " " + path + ": " + a.body()).isBetween(200, 299);
    }

    /** {@code push} (ingest) and {@code play} (streaming, associated), neither signed. */
    static void unsignedPair(VireoServer server, int httpPort, String push, String play) throws Exception {
        ok(server, httpPort, "POST", "/api/v1/domains", "{\"domain\":\"" + push + "\",\"type\":\"ingest\"}");
        ok(server, httpPort, "POST", "/api/v1/domains", "{\"domain\":\"" + play + "\",\"type\":\"streaming\"}");
        ok(server, httpPort, "PUT", "/api/v1/domains/" + play + "/association", "{\"ingestDomain\":\"" + push + "\"}");
        ok(server, httpPort, "PUT", "/api/v1/domains/" + push + "/signing", "{\"enabled\":false}");
        ok(server, httpPort, "PUT", "/api/v1/domains/" + play + "/signing", "{\"enabled\":false}");
    }
}
