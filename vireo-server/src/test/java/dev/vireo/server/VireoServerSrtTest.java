package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import dev.vireo.srt.lib.SrtCaller;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * SRT through the whole server with real peers: ffmpeg publishes over SRT and ffprobe reads it back
 * over HTTP-FLV; on a signed ingest domain the SRT URL {@code POST /api/v1/urls} prints is pushed
 * to as printed, and a bad signature, an unknown domain and a second publisher are refused with
 * the SRT reject code the caller's libsrt reports, each with a log line.
 */
@Timeout(120)
class VireoServerSrtTest {

    @TempDir
    Path dir;

    private VireoServer server;
    private Process ffmpeg;
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger srtLog = (Logger) LoggerFactory.getLogger("dev.vireo.srt.SrtLoop");

    private VireoServer.BoundPorts start() {
        log.start();
        srtLog.addAppender(log);
        server = BrowserFixture.server(dir);
        VireoServer.BoundPorts ports = server.start();
        if (ports.srt() < 0) {
            String message = "libsrt 1.5 is not installed (./test installs libsrt1.5-openssl)";
            if (Boolean.getBoolean("vireo.requirePeers")) {
                throw new AssertionError(message);
            }
            org.junit.jupiter.api.Assumptions.assumeTrue(false, message);
        }
        return ports;
    }

    private Process publish(String url) throws Exception {
        List<String> cmd = List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-v", "warning", "-re",
                "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=440",
                "-t", "40", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-f", "mpegts", url);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("ffmpeg.log").toFile()).start();
    }

    private boolean live(StreamKey key) {
        return server.hub().find(key).map(Stream::isLive).orElse(false);
    }

    @AfterEach
    void stop() throws Exception {
        if (ffmpeg != null) {
            ffmpeg.destroy();
            ffmpeg.waitFor(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
        srtLog.detachAppender(log);
    }

    @Test
    void ffmpegPublishesOverSrtAndFfprobeReadsItOverHttpFlv() throws Exception {
        VireoServer.BoundPorts ports = start();
        ffmpeg = publish("srt://127.0.0.1:" + ports.srt() + "?streamid=#!::r=live/srt1,m=publish");
        Await.until(Duration.ofSeconds(20), "ffmpeg publishing live/srt1 over SRT",
                () -> live(new StreamKey(StreamKey.DEFAULT_VHOST, "live", "srt1")));
        Proc probe = Proc.run(dir, 30, Peers.ffprobe(), "-v", "error", "-show_entries", "stream=codec_name,width,height",
                "-of", "csv=p=0", "http://127.0.0.1:" + ports.http() + "/live/srt1.flv");
        assertThat(probe.exit()).as(probe.output()).isZero();
        assertThat(probe.output()).contains("h264,320,240").contains("aac");
        assertThat(server.srt().sessions()).singleElement().satisfies(s -> assertThat(s.role()).isEqualTo("publish"));
        // the API shows the stream with its SRT publisher's libsrt numbers (sampled every second)
        JsonNode[] srt = new JsonNode[1];
        Await.until(Duration.ofSeconds(10), () -> "an srt section with a sampled publisher: " + srt[0], () -> {
            JsonNode streams;
            try {
                streams = api(ports, "GET", "/api/v1/streams", null, 200);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            for (JsonNode s : streams.path("streams")) {
                if ("srt1".equals(s.path("stream").asText())) {
                    srt[0] = s.path("srt");
                }
            }
            return srt[0] != null && srt[0].path("publisher").path("packetsReceived").asLong() > 0;
        });
        JsonNode pub = srt[0].path("publisher");
        assertThat(pub.path("rttMs").isNumber()).as(pub.toString()).isTrue();
        assertThat(pub.path("rttMs").asDouble()).as(pub.toString()).isGreaterThan(0);
        assertThat(pub.path("bytesReceived").asLong()).as(pub.toString()).isPositive();
        assertThat(pub.path("receiveMbps").asDouble()).as(pub.toString()).isPositive();
        for (String counter : List.of("lostPackets", "retransmittedPackets", "retransmittedReceivedPackets",
                "droppedPackets", "receiveBufferMs")) {
            assertThat(pub.path(counter).isIntegralNumber()).as(counter + " in " + pub).isTrue();
        }
        assertThat(pub.path("sessionId").asText()).isNotEmpty();
        assertThat(srt[0].path("players").isArray()).isTrue();
        // and /metrics has the aggregates, without per-stream labels
        String metrics = get(ports, "/metrics");
        assertThat(metrics).contains("vireo_srt_retransmitted_packets_total", "vireo_srt_lost_packets_total",
                "vireo_srt_dropped_packets_total", "vireo_srt_rtt_seconds");
        assertThat(metrics.lines().filter(l -> l.startsWith("vireo_srt_rtt_seconds")).findFirst().orElseThrow())
                .doesNotContain("srt1").matches("vireo_srt_rtt_seconds(\\{[^}]*\\})? [0-9.eE-]+")
                .satisfies(l -> assertThat(Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).isPositive());
    }

    private String get(VireoServer.BoundPorts ports, String path) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.http() + path))
                    .header("Authorization", "Bearer " + server.control().generatedAdminKey().orElseThrow())
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            return r.body();
        }
    }

    @Test
    void theSignedUrlTheGeneratorPrintsIsPushedAsPrintedAndRefusalsCarryTheirCodes() throws Exception {
        VireoServer.BoundPorts ports = start();
        api(ports, "POST", "/api/v1/domains", "{\"domain\":\"push.example.com\",\"type\":\"ingest\"}", 201);
        api(ports, "PUT", "/api/v1/domains/push.example.com/signing",
                "{\"enabled\":true,\"primaryKey\":\"k1secret\",\"secondaryKey\":\"k2secret\",\"validityMinutes\":60}", 200);
        JsonNode urls = api(ports, "POST", "/api/v1/urls",
                "{\"ingestDomain\":\"push.example.com\",\"app\":\"live\",\"stream\":\"demo\"}", 200);
        String printed = urls.path("ingest").path("srt").asText();
        assertThat(printed).startsWith("srt://push.example.com:10080?streamid=#!::h=push.example.com,r=/live/demo?auth_key=")
                .endsWith(",m=publish");
        // the domain does not resolve here: only the address changes, the streamid is sent as printed
        String streamId = printed.substring(printed.indexOf("?streamid=") + "?streamid=".length());
        ffmpeg = publish("srt://127.0.0.1:" + ports.srt() + "?streamid=" + streamId);
        StreamKey key = new StreamKey("push.example.com", "live", "demo");
        Await.until(Duration.ofSeconds(20), "ffmpeg publishing the signed SRT URL", () -> live(key));

        InetSocketAddress srt = new InetSocketAddress("127.0.0.1", ports.srt());
        // a second publisher on the live stream: 1409 conflict
        assertRejected(srt, streamId, 1409, "is already being published");
        // a tampered signature: 1401 unauthorized
        String tampered = streamId.replaceFirst("-([0-9a-f])([0-9a-f]{31}),m=", "-$2$1,m=");
        assertThat(tampered).isNotEqualTo(streamId);
        assertRejected(srt, tampered, 1401, "denied by req auth: invalid md5hash");
        // no token at all: 1401 too
        assertRejected(srt, "#!::h=push.example.com,r=/live/other,m=publish", 1401, "missing auth_key");
        // a domain this server does not have: 1404 not found
        assertRejected(srt, "#!::h=nowhere.example.com,r=/live/demo,m=publish", 1404, "is not configured");
        // an empty streamid: 1400 with the reason
        assertRejected(srt, "", 1400, "empty streamid");
        // the secret and the signature never reach the log
        synchronized (log.list) {
            assertThat(log.list).noneMatch(e -> e.getFormattedMessage().contains("k1secret"));
            String signature = streamId.substring(streamId.lastIndexOf('-') + 1, streamId.indexOf(",m="));
            assertThat(log.list).noneMatch(e -> e.getFormattedMessage().contains(signature));
        }
        assertThat(server.srt().handshakesRejected()).isGreaterThanOrEqualTo(5);
        assertThat(live(key)).as("the running publisher is unaffected").isTrue();
    }

    private void assertRejected(InetSocketAddress srt, String streamId, int code, String logged) {
        assertThatThrownBy(() -> SrtCaller.connect(srt, streamId, "", 120).close())
                .isInstanceOfSatisfying(SrtCaller.Rejected.class, e -> assertThat(e.code()).as(streamId).isEqualTo(code));
        Await.until(Duration.ofSeconds(5), "a log line: refused (" + code + ") ... " + logged, () -> {
            synchronized (log.list) {
                return log.list.stream().map(ILoggingEvent::getFormattedMessage)
                        .anyMatch(m -> m.contains("refused (" + code + ")") && m.contains(logged));
            }
        });
    }

    private JsonNode api(VireoServer.BoundPorts ports, String method, String path, String json, int status) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.http() + path))
                    .header("Authorization", "Bearer " + server.control().generatedAdminKey().orElseThrow())
                    .header("Content-Type", "application/json");
            b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("%s %s: %s", method, path, r.body()).isIn(status, status == 201 ? 200 : status);
            return new ObjectMapper().readTree(r.body().isEmpty() ? "{}" : r.body());
        }
    }

    /** A process run to its end. */
    record Proc(int exit, String output) {
        static Proc run(Path dir, int seconds, String... cmd) throws Exception {
            Path out = dir.resolve("run-" + System.nanoTime() + ".log");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
            return new Proc(p.isAlive() ? -1 : p.exitValue(), java.nio.file.Files.readString(out));
        }
    }
}
