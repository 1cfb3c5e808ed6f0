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
import dev.vireo.webrtc.testing.Chromium;
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
 * the SRT reject code the caller's libsrt reports, each with a log line. Headless Chromium plays
 * the SRT-published stream (H.264 + AAC) over WHEP, through the browser variant (AAC → Opus).
 */
@Timeout(120)
class VireoServerSrtTest {

    @TempDir
    Path dir;

    private VireoServer server;
    private Process ffmpeg;
    private Chromium chromium;
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger srtLog = (Logger) LoggerFactory.getLogger("dev.vireo.srt.SrtLoop");

    private VireoServer.BoundPorts start() {
        return start(true);
    }

    /** @param defaultVhost {@code default-vhost}: off, a host no domain names is refused (1404) */
    private VireoServer.BoundPorts start(boolean defaultVhost) {
        log.start();
        srtLog.addAppender(log);
        Config c = TestConfigs.loopback(dir.resolve("data"));
        server = new VireoServer(c.withProtection(c.protection().withDefaultVhost(defaultVhost)));
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
                "-t", "60", "-c:v", "libx264", "-preset", "ultrafast", "-bf", "0", "-g", "25", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-f", "mpegts", url);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("ffmpeg.log").toFile()).start();
    }

    private boolean live(StreamKey key) {
        return server.hub().find(key).map(Stream::isLive).orElse(false);
    }

    @AfterEach
    void stop() throws Exception {
        if (chromium != null) {
            chromium.close();
        }
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
    void ffmpegPublishesOverSrtAndChromiumPlaysItOverWhep() throws Exception {
        VireoServer.BoundPorts ports = start();
        ffmpeg = publish("srt://127.0.0.1:" + ports.srt() + "?streamid=#!::r=live/srt1,m=publish");
        Await.until(Duration.ofSeconds(20), "ffmpeg publishing live/srt1 over SRT",
                () -> live(new StreamKey(StreamKey.DEFAULT_VHOST, "live", "srt1")));
        chromium = Chromium.start(dir);
        chromium.open("http://127.0.0.1:" + ports.http() + "/play/live/srt1?via=whep");
        Await.until(Duration.ofSeconds(40), "the player plays over WHEP", () -> "playing".equals(
                chromium.js("return window.vireo && window.vireo.state")) && "whep".equals(chromium.js("return window.vireo.protocol")));
        double t0 = chromium.number("document.getElementById('video').currentTime");
        Await.until(Duration.ofSeconds(20), "currentTime grows",
                () -> chromium.number("document.getElementById('video').currentTime") > t0 + 1);
        assertThat(chromium.number("document.getElementById('video').videoWidth")).isEqualTo(320);
        // AAC cannot go to a browser over WebRTC: the viewer gets the browser variant (Opus)
        assertThat(server.whep().sessions()).singleElement()
                .satisfies(s -> assertThat(s.stream()).isEqualTo("/live/srt1@html5"));
        Await.until(Duration.ofSeconds(10), "Chromium decodes video frames and Opus audio", () ->
                Chromium.field(chromium.inboundRtp("window.vireo.pc", "video"), "framesDecoded") > 25
                        && Chromium.field(chromium.inboundRtp("window.vireo.pc", "audio"), "totalSamplesReceived") > 48_000);
        assertThat(chromium.inboundCodec("window.vireo.pc", "audio")).isEqualToIgnoringCase("audio/opus");
        assertThat(chromium.consoleErrors()).isEmpty();
    }

    @Test
    void theSignedUrlTheGeneratorPrintsIsPushedAsPrintedAndRefusalsCarryTheirCodes() throws Exception {
        // default-vhost off: with it on (the default) an unknown domain publishes to the default vhost
        VireoServer.BoundPorts ports = start(false);
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
        synchronized (log) {
            assertThat(log.list).noneMatch(e -> e.getFormattedMessage().contains("k1secret"));
            String signature = streamId.substring(streamId.lastIndexOf('-') + 1, streamId.indexOf(",m="));
            assertThat(log.list).noneMatch(e -> e.getFormattedMessage().contains(signature));
        }
        assertThat(server.srt().handshakesRejected()).isGreaterThanOrEqualTo(5);
        assertThat(live(key)).as("the running publisher is unaffected").isTrue();
    }

    @Test
    void aDomainsPassphraseSetThroughTheApiIsRequiredOfSrtPeers() throws Exception {
        ListAppender<ILoggingEvent> all = new ListAppender<>();
        all.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(all);
        try {
            VireoServer.BoundPorts ports = start();
            String secret = "domain-srt-Secret-42";
            api(ports, "POST", "/api/v1/domains", "{\"domain\":\"enc.example.com\",\"type\":\"ingest\"}", 201);
            api(ports, "PUT", "/api/v1/domains/enc.example.com/signing", "{\"enabled\":false}", 200);
            api(ports, "POST", "/api/v1/domains", "{\"domain\":\"see.example.com\",\"type\":\"streaming\"}", 201);
            api(ports, "PUT", "/api/v1/domains/see.example.com/signing", "{\"enabled\":false}", 200);
            api(ports, "PUT", "/api/v1/domains/see.example.com/association", "{\"ingestDomain\":\"enc.example.com\"}", 200);
            JsonNode set = api(ports, "PUT", "/api/v1/domains/enc.example.com/srt", "{\"passphrase\":\"" + secret + "\"}", 200);
            assertThat(set.path("passphraseSet").asBoolean()).isTrue();
            assertThat(api(ports, "GET", "/api/v1/domains/enc.example.com/srt", null, 200).toString()).doesNotContain(secret)
                    .contains("\"passphraseSet\":true");
            String streamId = "#!::h=enc.example.com,r=/live/enc,m=publish";
            String url = "srt://127.0.0.1:" + ports.srt() + "?streamid=" + streamId;
            StreamKey key = new StreamKey("enc.example.com", "live", "enc");

            // ffmpeg with a wrong passphrase, then with none: libsrt refuses both handshakes
            for (String wrong : List.of("&passphrase=not-the-secret-1", "")) {
                Proc refused = Proc.run(dir, 30, Peers.ffmpeg(), "-hide_banner", "-nostdin", "-v", "warning",
                        "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "2", "-c:v", "libx264",
                        "-preset", "ultrafast", "-f", "mpegts", url + wrong);
                assertThat(refused.exit()).as("ffmpeg%s: %s", wrong, refused.output()).isNotZero();
                assertThat(live(key)).isFalse();
            }
            InetSocketAddress srt = new InetSocketAddress("127.0.0.1", ports.srt());
            assertThatThrownBy(() -> SrtCaller.connect(srt, streamId, "not-the-secret-1", 120).close())
                    .isInstanceOfSatisfying(SrtCaller.Rejected.class, e -> assertThat(e.code()).as("SRT_REJ_BADSECRET")
                            .isEqualTo(10));

            // ffmpeg with the domain's passphrase publishes; ffprobe reads it back over HTTP-FLV
            ffmpeg = publish(url + "&passphrase=" + secret);
            Await.until(Duration.ofSeconds(20), "ffmpeg publishing with the domain's passphrase", () -> live(key));
            Proc probe = Proc.run(dir, 30, Peers.ffprobe(), "-v", "error", "-show_entries", "stream=codec_name",
                    "-of", "csv=p=0", "http://127.0.0.1:" + ports.http() + "/live/enc.flv?vhost=see.example.com");
            assertThat(probe.exit()).as(probe.output()).isZero();
            assertThat(probe.output()).contains("h264");
            // srt-live-transmit pulls it back from the streaming domain with the ingest domain's passphrase
            Path ts = dir.resolve("pulled.ts");
            Process pull = new ProcessBuilder(Peers.require("srt-live-transmit"), "-q",
                    "srt://127.0.0.1:" + ports.srt() + "?streamid=#!::h=see.example.com,r=/live/enc,m=request&passphrase="
                            + secret, "file://con").redirectOutput(ts.toFile()).redirectError(dir.resolve("slt.log").toFile())
                    .start();
            try {
                Await.until(Duration.ofSeconds(15), "srt-live-transmit pulling with the passphrase",
                        () -> ts.toFile().length() > 50_000);
            } finally {
                pull.destroy();
                pull.waitFor(5, TimeUnit.SECONDS);
            }
            // removed: the default applies again (none here)
            api(ports, "DELETE", "/api/v1/domains/enc.example.com/srt", null, 204);
            assertThat(api(ports, "GET", "/api/v1/domains/enc.example.com/srt", null, 200).path("passphraseSet")
                    .asBoolean()).isFalse();
            assertThatThrownBy(() -> SrtCaller.connect(srt, "#!::h=see.example.com,r=/live/enc,m=request", secret, 120)
                    .close()).as("the passphrase is gone: an encrypting caller is refused (SRT_REJ_UNSECURE)")
                    .isInstanceOfSatisfying(SrtCaller.Rejected.class, e -> assertThat(e.code()).isEqualTo(11));
            synchronized (all) {
                assertThat(all.list).as("the passphrase never reaches the log")
                        .noneMatch(e -> e.getFormattedMessage().contains(secret));
            }
        } finally {
            root.detachAppender(all);
        }
    }

    private void assertRejected(InetSocketAddress srt, String streamId, int code, String logged) {
        assertThatThrownBy(() -> SrtCaller.connect(srt, streamId, "", 120).close())
                .isInstanceOfSatisfying(SrtCaller.Rejected.class, e -> assertThat(e.code()).as(streamId).isEqualTo(code));
        Await.until(Duration.ofSeconds(5), "a log line: refused (" + code + ") ... " + logged, () -> {
            synchronized (log) {
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
