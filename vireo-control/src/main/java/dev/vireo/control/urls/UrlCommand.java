package dev.vireo.control.urls;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;

/**
 * {@code vireo url ...}: prints every ingest and play URL of a stream by asking the running server's
 * API ({@code POST /api/v1/urls}), so the CLI and the API always agree and the store is never opened
 * twice (the embedded store allows one process). Needs an API key: {@code --key}, or
 * {@code VIREO_API_KEY}, or {@code VIREO_ADMIN_KEY} (an environment variable keeps it out of the
 * process list).
 *
 * <pre>
 * vireo url --ingest push.example.com --streaming play.example.com --app live --stream demo
 *           [--template hd] [--validity 60] [--server http://127.0.0.1:8080] [--json]
 * </pre>
 * Exit codes: 0 printed, 1 the server refused or cannot be reached, 2 bad arguments.
 */
public final class UrlCommand {

    static final String USAGE = """
            usage: vireo url --app APP --stream STREAM [--ingest DOMAIN] [--streaming DOMAIN]
                             [--template ID] [--validity MINUTES] [--server URL] [--key KEY] [--json]
              Prints every ingest URL (RTMP, SRT, RTS/WHIP) and play URL (RTS/WHEP, RTMP, FLV, HLS) of a
              stream, signed where the domain signs, by asking the running server.
              --server    the server's HTTP address (default $VIREO_SERVER or http://127.0.0.1:8080)
              --key       an API key (default $VIREO_API_KEY, then $VIREO_ADMIN_KEY)
              --validity  lifetime of the signed URLs in minutes (default: the domain's validity)
              --json      print the API's JSON answer instead of one URL per line
            """;

    private static final ObjectMapper JSON = new ObjectMapper();

    private UrlCommand() {
    }

    /**
     * Runs the command.
     *
     * @param args the arguments after {@code url}
     * @param env the environment (for the key and server defaults)
     * @return the exit code
     */
    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        ObjectNode request = JSON.createObjectNode();
        String server = env.getOrDefault("VIREO_SERVER", "http://127.0.0.1:8080");
        String key = env.getOrDefault("VIREO_API_KEY", env.getOrDefault("VIREO_ADMIN_KEY", ""));
        boolean json = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                out.print(USAGE);
                return 0;
            }
            if (a.equals("--json")) {
                json = true;
                continue;
            }
            if (i + 1 >= args.length) {
                return usage(err, "missing value after " + a);
            }
            String v = args[++i];
            switch (a) {
                case "--server" -> server = v;
                case "--key" -> key = v;
                case "--ingest" -> request.put("ingestDomain", v);
                case "--streaming" -> request.put("streamingDomain", v);
                case "--app" -> request.put("app", v);
                case "--stream" -> request.put("stream", v);
                case "--template" -> request.put("templateId", v);
                case "--validity" -> {
                    try {
                        request.put("validityMinutes", Integer.parseInt(v));
                    } catch (NumberFormatException e) {
                        return usage(err, "--validity needs a number of minutes");
                    }
                }
                default -> {
                    return usage(err, "unknown option " + a);
                }
            }
        }
        if (!request.has("app") || !request.has("stream")) {
            return usage(err, "--app and --stream are required");
        }
        if (key.isEmpty()) {
            return usage(err, "an API key is required: --key or VIREO_API_KEY");
        }
        URI endpoint;
        try {
            endpoint = URI.create(server.replaceAll("/+$", "") + "/api/v1/urls");
        } catch (IllegalArgumentException e) {
            return usage(err, "--server is not a URL: " + server);
        }
        HttpResponse<String> response;
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            response = client.send(HttpRequest.newBuilder(endpoint)
                    .timeout(Duration.ofSeconds(15))
                    .header("Authorization", "Bearer " + key)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(request.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException | IllegalArgumentException e) {
            err.println("vireo url: cannot reach " + server + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("vireo url: interrupted");
            return 1;
        }
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            err.println("vireo url: unexpected answer from " + server + " (HTTP " + response.statusCode() + ")");
            return 1;
        }
        if (response.statusCode() != 200) {
            err.println("vireo url: " + body.path("code").asText("HTTP " + response.statusCode()) + ": "
                    + body.path("message").asText(""));
            return 1;
        }
        if (json) {
            out.println(body.toPrettyString());
        } else {
            print(out, "", body);
        }
        return 0;
    }

    /** One line per URL: its path in the answer ({@code play.flv}) and the URL. */
    private static void print(PrintStream out, String prefix, JsonNode node) {
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String name = prefix + f.getKey();
            JsonNode v = f.getValue();
            if (v.isObject()) {
                print(out, name + ".", v);
            } else if (v.isTextual() && !name.equals("app") && !name.equals("stream")) {
                out.printf("%-26s %s%n", name, v.asText());
            }
        }
    }

    private static int usage(PrintStream err, String problem) {
        err.println("vireo url: " + problem);
        err.print(USAGE);
        return 2;
    }
}
