package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A full disk, for real: the recordings directory is a 512 KiB tmpfs (we run as root; without
 * mount rights the test is skipped, or fails under {@code -Dvireo.requirePeers=true}). ffmpeg
 * publishes to an ingest domain with a recording rule and a notify URL; when the file system is
 * full the recording stops with an error log line, a signed {@code record_done} webhook saying
 * why, and the failure counter; the live stream goes on, and what was written still plays.
 */
@Timeout(240)
class RecordingDiskFullTest {

    private static final String DOMAIN = "push.diskfull.test";
    private static final String SECRET = "hook-secret-0123456789";

    @TempDir
    Path dir;

    private record Hook(Map<String, List<String>> headers, byte[] body) {
    }

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }

    @Test
    void aFullDiskStopsTheRecordingWithAnEventAndALogLineWhileTheLiveStreamGoesOn() throws Exception {
        String ffmpeg = Peers.ffmpeg();
        Path recordings = Files.createDirectories(dir.resolve("data/recordings"));
        int mounted = run("mount", "-t", "tmpfs", "-o", "size=512k,mode=0700", "tmpfs", recordings.toString());
        if (mounted != 0) {
            String message = "cannot mount a tmpfs (not root, or no CAP_SYS_ADMIN): the disk-full test needs one";
            if (Boolean.getBoolean("vireo.requirePeers")) {
                throw new AssertionError(message);
            }
            assumeTrue(false, message);
        }
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        Logger recorderLog = (Logger) LoggerFactory.getLogger("dev.vireo.record.Recorder");
        log.start();
        recorderLog.addAppender(log);
        List<Hook> hooks = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            hooks.add(new Hook(Map.copyOf(ex.getRequestHeaders()), ex.getRequestBody().readAllBytes()));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
        VireoServer server = new VireoServer(TestConfigs.loopback(dir.resolve("data"))
                .withProtection(Config.Protection.defaults().withWebhookAllow("127.0.0.1/32")));
        try (Ffmpeg ignored = null) {
            VireoServer.BoundPorts ports = server.start();
            String key = server.control().generatedAdminKey().orElseThrow();
            HttpClient http = HttpClient.newHttpClient();
            ApiCall api = (method, path, body) -> {
                HttpResponse<String> a = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.http() + path))
                        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(a.statusCode()).as(method + " " + path + ": " + a.body()).isBetween(200, 299);
            };
            api.call("POST", "/api/v1/domains", "{\"domain\":\"" + DOMAIN + "\",\"type\":\"ingest\"}");
            api.call("PUT", "/api/v1/domains/" + DOMAIN + "/signing", "{\"enabled\":false}");
            api.call("PUT", "/api/v1/domains/" + DOMAIN + "/notify", "{\"url\":\"http://127.0.0.1:"
                    + receiver.getAddress().getPort() + "/hook\",\"secret\":\"" + SECRET + "\"}");
            api.call("PUT", "/api/v1/domains/" + DOMAIN + "/record-rules/live/*", "{\"format\":\"fmp4\"}");
            StreamKey stream = new StreamKey(DOMAIN, "live", "full");
            try (Ffmpeg push = Ffmpeg.start(List.of(ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
                    "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-f", "lavfi", "-i", "sine",
                    "-c:v", "libx264", "-preset", "ultrafast", "-bf", "0", "-g", "30", "-b:v", "1500k", "-c:a", "aac",
                    "-t", "120", "-f", "flv", "rtmp://127.0.0.1:" + ports.rtmp() + "/live/full?vhost=" + DOMAIN), dir)) {
                Await.until(Duration.ofSeconds(30), "the stream is recorded", () -> server.recordings().recording() == 1);
                Await.until(Duration.ofSeconds(90), "the recording fails on the full disk",
                        () -> server.recordings().failures() == 1);
                // the log line, with the stream and the reason
                Await.until(Duration.ofSeconds(5), "the log line", () -> {
                    synchronized (log) {
                        return log.list.stream().anyMatch(e -> e.getFormattedMessage().contains(
                                "recording of " + stream + " stopped: cannot write")
                                && e.getFormattedMessage().contains("No space left on device")
                                && e.getFormattedMessage().contains("the live stream goes on"));
                    }
                });
                Await.until(Duration.ofSeconds(5), "the recording ended", () -> server.recordings().recording() == 0);
                // the event: a signed record_done webhook saying why
                Await.until(Duration.ofSeconds(20), "the record_done webhook", () -> hooks.stream().anyMatch(
                        h -> h.headers().getOrDefault("X-vireo-event", List.of()).contains("record_done")));
                Hook hook = hooks.stream().filter(h -> h.headers().getOrDefault("X-vireo-event", List.of())
                        .contains("record_done")).findFirst().orElseThrow();
                JsonNode event = new ObjectMapper().readTree(hook.body());
                assertThat(event.get("stream").asText()).isEqualTo("full");
                assertThat(event.get("recording").get("reason").asText()).startsWith("write failed: No space left on device");
                String timestamp = hook.headers().get("X-vireo-timestamp").getFirst();
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
                mac.update((timestamp + ".").getBytes(StandardCharsets.US_ASCII));
                assertThat(hook.headers().get("X-vireo-signature").getFirst())
                        .isEqualTo("sha256=" + HexFormat.of().formatHex(mac.doFinal(hook.body())));
                // the live stream goes on: frames keep arriving from ffmpeg, which is still publishing
                long frames = server.hub().find(stream).orElseThrow().stats().framesIn();
                Await.until(Duration.ofSeconds(10), "more frames after the failure", () -> server.hub().find(stream)
                        .map(s -> s.stats().framesIn() > frames + 60).orElse(false));
                assertThat(push.isAlive()).isTrue();
                // what was written before the disk filled up plays without an error
                Path file = recordings.resolve(event.get("recording").get("file").asText()).normalize();
                Path written;
                try (var s = Files.walk(recordings)) {
                    written = s.filter(p -> p.toString().endsWith(".mp4")).findFirst().orElseThrow();
                }
                assertThat(dir.resolve("data/recordings").resolve(event.get("recording").get("file").asText())).isEqualTo(written);
                Ffmpeg.Result r = Ffmpeg.run(List.of(ffmpeg, "-hide_banner", "-nostdin", "-v", "error", "-i",
                        written.toString(), "-f", "null", "-"), dir, 60);
                assertThat(r.exitCode()).as(r.stderr()).isZero();
                assertThat(r.stdout() + r.stderr()).as("decoder errors in the cut file").isEmpty();
                assertThat(file).exists();
            }
        } finally {
            server.close();
            receiver.stop(0);
            recorderLog.detachAppender(log);
            run("umount", recordings.toString());
        }
    }

    @FunctionalInterface
    private interface ApiCall {
        void call(String method, String path, String body) throws Exception;
    }
}
