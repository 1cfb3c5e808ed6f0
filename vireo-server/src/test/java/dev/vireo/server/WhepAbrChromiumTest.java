package dev.vireo.server;

import static dev.vireo.webrtc.testing.Chromium.field;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.MachineLoad;
import dev.vireo.core.testing.Peers;
import dev.vireo.webrtc.WebRtcConfig.IceTransports;
import dev.vireo.webrtc.testing.Chromium;
import dev.vireo.webrtc.testing.LinkModel;
import dev.vireo.webrtc.testing.ShapingRelay;
import dev.vireo.webrtc.whep.WhepSessionStats;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ABR end to end (issue 18): a 1.2 Mbps H.264 stream pushed by ffmpeg, a streaming domain whose
 * ladder is one 250 kbps template, and headless Chromium playing it over WHEP through a
 * user-space link ({@link ShapingRelay}) capped at 600 kbps, half the stream. The server's
 * estimate for the viewer (GCC on Chromium's transport-cc feedback) falls under the cap, the
 * viewer is moved to the template's variant (started on demand), Chromium decodes its 180p
 * frames and, after settling, plays 10 s of them without a freeze; the admin API lists the
 * session's estimate and rendition. Then the cap lifts: probing padding lets the estimate grow
 * and the viewer climbs back to the source. Times and freezes are logged (docs/BENCHMARKS.md).
 */
@Timeout(420)
class WhepAbrChromiumTest {

    private static final Logger log = LoggerFactory.getLogger(WhepAbrChromiumTest.class);
    private static final long CAP_BPS = 600_000;
    private static final StreamKey KEY = new StreamKey("push.example.com", "live", "abr");

    @TempDir
    Path dir;

    @Test
    void underACapAtHalfTheStreamTheEstimateFallsBelowItAndTheViewerMovesDownTheLadder() throws Exception {
        Peers.ffmpeg();
        try (ShapingRelay relay = new ShapingRelay(LinkModel.Impairment.NONE,
                LinkModel.Impairment.NONE.withBandwidth(CAP_BPS, 400), 18)) {
            Config config = TestConfigs.loopback(dir.resolve("data"))
                    .withRtcCandidates("127.0.0.1:" + relay.port()).withRtcTransports(IceTransports.UDP);
            Process ffmpeg = null;
            try (VireoServer server = new VireoServer(config);
                 Chromium chromium = Chromium.start(dir)) {
                VireoServer.BoundPorts ports = server.start();
                relay.target(ports.rtc());
                api(server, ports, "POST", "/api/v1/domains", "{\"domain\":\"push.example.com\",\"type\":\"ingest\"}", 201);
                api(server, ports, "POST", "/api/v1/domains", "{\"domain\":\"play.example.com\",\"type\":\"streaming\"}", 201);
                api(server, ports, "PUT", "/api/v1/domains/play.example.com/association",
                        "{\"ingestDomain\":\"push.example.com\"}", 200);
                for (String domain : List.of("push.example.com", "play.example.com")) {
                    api(server, ports, "PUT", "/api/v1/domains/" + domain + "/signing", "{\"enabled\":false}", 200);
                }
                api(server, ports, "POST", "/api/v1/templates", "{\"id\":\"low\",\"videoCodec\":\"h264\",\"height\":180,"
                        + "\"videoBitrateKbps\":250,\"audioCodec\":\"aac\",\"audioBitrateKbps\":32}", 201);
                api(server, ports, "PATCH", "/api/v1/domains/play.example.com", "{\"abrLadder\":[\"low\"]}", 200);

                // 640x360 H.264 at a steady 1.2 Mbps, no B-frames, a keyframe a second, no audio
                // (the viewer plays it as it is: no browser variant).
                ffmpeg = new ProcessBuilder(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
                        "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-c:v", "libx264", "-preset", "ultrafast",
                        "-tune", "zerolatency", "-bf", "0", "-g", "30", "-b:v", "1200k", "-minrate", "1200k",
                        "-maxrate", "1200k", "-bufsize", "600k", "-x264-params", "nal-hrd=cbr", "-an", "-t", "400",
                        "-f", "flv", "rtmp://127.0.0.1:" + ports.rtmp() + "/live/abr?vhost=push.example.com")
                        .redirectErrorStream(true).redirectOutput(dir.resolve("ffmpeg.log").toFile()).start();
                Await.until(Duration.ofSeconds(30), "the stream is live at about 1.2 Mbps", () -> server.hub()
                        .find(KEY).map(s -> s.stats().gopCacheFrames() > 0 && s.stats().bitrateKbps() > 900)
                        .orElse(false));

                long opened = System.nanoTime();
                // WHEP only: on a loaded machine a first attempt may miss the player's 6 s start-up limit; it is retried
                chromium.open("http://127.0.0.1:" + ports.http() + "/play/live/abr?vhost=play.example.com&via=whep");
                Await.until(Duration.ofSeconds(40), () -> "Chromium decodes frames; player "
                        + chromium.js("return JSON.stringify({s: vireo.state, e: vireo.error, a: vireo.attempts})"),
                        () -> {
                            try {
                                return "whep".equals(chromium.js("return vireo.protocol"))
                                        && field(chromium.inboundRtp("vireo.pc", "video"), "framesDecoded") > 0;
                            } catch (org.openqa.selenium.JavascriptException e) {
                                return false; // between two attempts: no peer connection
                            }
                        });
                long decoding = System.nanoTime();

                // The estimate falls under the cap and the viewer moves to the "low" rendition.
                long[] lowest = {Long.MAX_VALUE};
                List<Long> estimates = new ArrayList<>();
                Await.until(Duration.ofSeconds(60), () -> "the switch; estimates (kbps) " + estimates + ", stats "
                        + server.whep().sessions(), () -> {
                    WhepSessionStats s = server.whep().sessions().getFirst();
                    if (s.estimateBps() > 0) {
                        lowest[0] = Math.min(lowest[0], s.estimateBps());
                        if (estimates.isEmpty() || estimates.getLast() != s.estimateBps() / 1000) {
                            estimates.add(s.estimateBps() / 1000);
                        }
                    }
                    return "low".equals(s.rendition());
                });
                long switched = System.nanoTime();
                WhepSessionStats atSwitch = server.whep().sessions().getFirst();
                assertThat(lowest[0]).as("the server's estimate for the viewer fell under the %d bps cap", CAP_BPS)
                        .isLessThan(CAP_BPS);
                assertThat(atSwitch.renditionSwitches()).isEqualTo(1);
                assertThat(server.hub().find(new StreamKey("push.example.com", "live", "abr_low")))
                        .as("the template's variant runs").isPresent();
                Map<String, Object> before = chromium.inboundRtp("vireo.pc", "video");

                // The admin API lists the viewer's session under the stream: estimate, rendition, loss handling.
                JsonNode webrtc = streamEntry(server, ports, "abr").path("webrtc");
                assertThat(webrtc.isArray()).as("the webrtc section: %s", webrtc).isTrue();
                assertThat(webrtc).hasSize(1);
                JsonNode viewer = webrtc.get(0);
                assertThat(viewer.path("id").asText()).isEqualTo(atSwitch.id());
                assertThat(viewer.path("rendition").asText()).as(viewer.toString()).isEqualTo("low");
                assertThat(viewer.path("estimateBps").asLong()).as(viewer.toString()).isPositive().isLessThan(CAP_BPS);
                assertThat(viewer.path("nacksReceived").asLong()).as(viewer.toString()).isPositive();
                for (String field : List.of("rttMillis", "videoFractionLost", "retransmissions", "retransmissionsRefused",
                        "nacksOfPreviousRendition", "pacerQueuedPackets", "pacerQueueMillis", "paddingBytes", "sendBps")) {
                    assertThat(viewer.path(field).isNumber()).as(field + " in " + viewer).isTrue();
                }
                assertThat(viewer.path("fecOn").isBoolean()).as(viewer.toString()).isTrue();
                assertThat(viewer.path("probing").isBoolean()).as(viewer.toString()).isTrue();

                // Chromium decodes the rendition: 180 lines, frames keep coming.
                Await.until(Duration.ofSeconds(30), "Chromium decodes the 180p rendition",
                        () -> field(chromium.inboundRtp("vireo.pc", "video"), "frameHeight") == 180);
                double decodedAt180 = field(chromium.inboundRtp("vireo.pc", "video"), "framesDecoded");
                Await.until(Duration.ofSeconds(30), "60 more frames of the rendition",
                        () -> field(chromium.inboundRtp("vireo.pc", "video"), "framesDecoded") > decodedAt180 + 60);
                long settled = System.nanoTime();
                Map<String, Object> atSettled = chromium.inboundRtp("vireo.pc", "video");

                // It stops freezing: 10 s (300 frames) of the rendition in a row without a new freeze
                // (a freeze restarts the window). How many freezes that took is the figure for the benchmark.
                // On a machine loaded past 4 runnable tasks per core, Chromium freezes on a clean link
                // too (docs/BENCHMARKS.md, loss matrix): the window is then measured and logged, not
                // asserted.
                double[] window = {field(atSettled, "framesDecoded"), field(atSettled, "freezeCount")};
                int[] restarts = {0};
                boolean[] found = {false};
                Await.until(Duration.ofSeconds(90), () -> "300 frames without a freeze (" + restarts[0]
                        + " freezes restarted the window); " + server.whep().sessions(), () -> {
                    Map<String, Object> v = chromium.inboundRtp("vireo.pc", "video");
                    if (field(v, "freezeCount") > window[1]) {
                        restarts[0]++;
                        window[0] = field(v, "framesDecoded");
                        window[1] = field(v, "freezeCount");
                        return !MachineLoad.quiet() && System.nanoTime() - settled > 60_000_000_000L;
                    }
                    found[0] = field(v, "framesDecoded") > window[0] + 300;
                    return found[0] || !MachineLoad.quiet() && System.nanoTime() - settled > 60_000_000_000L;
                });
                if (!found[0]) {
                    log.warn("no 10 s without a freeze on the rendition within 60 s ({} freezes); not asserted at"
                            + " load {}", restarts[0], Files.readString(Path.of("/proc/loadavg")).strip());
                }
                long quiet = System.nanoTime();
                Map<String, Object> after = chromium.inboundRtp("vireo.pc", "video");
                WhepSessionStats end = server.whep().sessions().getFirst();
                assertThat(end.rendition()).as("no climb while the cap holds").isEqualTo("low");
                assertThat(field(after, "frameHeight")).isEqualTo(180);
                log.info("ABR under a {} kbps cap (stream 1.2 Mbps): first frame decoded {} ms after the page opened;"
                        + " switched to 'low' {} ms after the first decoded frame, the estimate down to {} kbps"
                        + " (samples {}); 180p decoded {} ms after the switch. Freezes: {} before the switch"
                        + " ({} s frozen), {} from 180p settled until 10 s passed without one ({} s, {} s frozen);"
                        + " estimate now {} kbps, sending {} kbps, {} packets paced, {} retransmissions ({} refused,"
                        + " {} NACKs of the previous rendition ignored), {} bytes of padding; relay: {} RTP packets"
                        + " dropped, {} dropped at its queue, {} passed; the rendition at {} fps; machine load {}",
                        CAP_BPS / 1000, (decoding - opened) / 1_000_000, (switched - decoding) / 1_000_000,
                        lowest[0] / 1000, estimates, (settled - switched) / 1_000_000, field(before, "freezeCount"),
                        field(before, "totalFreezesDuration"),
                        field(after, "freezeCount") - field(atSettled, "freezeCount"),
                        (quiet - settled) / 1_000_000_000,
                        field(after, "totalFreezesDuration") - field(atSettled, "totalFreezesDuration"),
                        end.estimateBps() / 1000, end.sendBps() / 1000, end.pacedPackets(), end.retransmissions(),
                        end.retransmissionsRefused(), end.nacksOfPreviousRendition(), end.paddingBytes(),
                        relay.counters(ShapingRelay.Direction.TO_PEER).rtpDropped(),
                        relay.counters(ShapingRelay.Direction.TO_PEER).queueDropped(),
                        relay.counters(ShapingRelay.Direction.TO_PEER).rtpPassed(),
                        server.hub().find(new StreamKey("push.example.com", "live", "abr_low")).map(x -> x.stats().fps())
                                .orElse(-1.0),
                        Files.readString(Path.of("/proc/loadavg")).strip());

                // The cap lifts: padding lets the estimate grow past the source's bitrate and the viewer climbs back.
                relay.impair(ShapingRelay.Direction.TO_PEER, LinkModel.Impairment.NONE);
                long lifted = System.nanoTime();
                List<Long> climb = new ArrayList<>();
                // GCC reads a loaded machine's scheduling delays as queueing: past 4 runnable tasks per
                // core the estimate kept falling back (docs/BENCHMARKS.md), so the climb is asserted
                // only on a quieter machine and logged otherwise.
                boolean quietMachine = MachineLoad.quiet();
                try {
                    Await.until(Duration.ofSeconds(150), () -> "back on the source; estimates (kbps) " + climb
                            + ", stats " + server.whep().sessions(), () -> {
                        WhepSessionStats s = server.whep().sessions().getFirst();
                        if (climb.isEmpty() || climb.getLast() != s.estimateBps() / 1000) {
                            climb.add(s.estimateBps() / 1000);
                        }
                        return "source".equals(s.rendition());
                    });
                } catch (AssertionError e) {
                    if (quietMachine) {
                        throw e;
                    }
                    log.warn("cap lifted: not back on the source within 150 s at load {} (not asserted); estimates"
                            + " {} kbps; {}", Files.readString(Path.of("/proc/loadavg")).strip(), climb,
                            server.whep().sessions());
                    return;
                }
                long up = System.nanoTime();
                WhepSessionStats climbed = server.whep().sessions().getFirst();
                assertThat(climbed.renditionSwitches()).isEqualTo(2);
                assertThat(climbed.paddingBytes()).as("the viewer was probed with padding").isPositive();
                assertThat(climbed.probeClusters().sent()).as("%s", climbed.probeClusters()).isPositive();
                Await.until(Duration.ofSeconds(30), "Chromium decodes the 360p source again",
                        () -> field(chromium.inboundRtp("vireo.pc", "video"), "frameHeight") == 360);
                double decodedAt360 = field(chromium.inboundRtp("vireo.pc", "video"), "framesDecoded");
                Await.until(Duration.ofSeconds(30), "60 more frames of the source",
                        () -> field(chromium.inboundRtp("vireo.pc", "video"), "framesDecoded") > decodedAt360 + 60);
                log.info("cap lifted: back on the source {} ms later (estimates {} kbps; {} bytes of padding, {});"
                        + " 360p decoded {} ms after the lift; machine load {}", (up - lifted) / 1_000_000, climb,
                        climbed.paddingBytes(), climbed.probeClusters(), (System.nanoTime() - lifted) / 1_000_000,
                        Files.readString(Path.of("/proc/loadavg")).strip());
            } finally {
                if (ffmpeg != null) {
                    ffmpeg.destroy();
                    if (!ffmpeg.waitFor(5, TimeUnit.SECONDS)) {
                        ffmpeg.destroyForcibly();
                    }
                }
            }
        }
    }

    /** The stream's entry in {@code GET /api/v1/streams}. */
    private static JsonNode streamEntry(VireoServer server, VireoServer.BoundPorts ports, String stream)
            throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.http()
                            + "/api/v1/streams"))
                    .header("Authorization", "Bearer " + server.control().generatedAdminKey().orElseThrow()).GET()
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            for (JsonNode s : new ObjectMapper().readTree(r.body()).path("streams")) {
                if (stream.equals(s.path("stream").asText())) {
                    return s;
                }
            }
            throw new AssertionError("no stream " + stream + " in " + r.body());
        }
    }

    private static void api(VireoServer server, VireoServer.BoundPorts ports, String method, String path, String json,
                            int status) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.http() + path))
                    .header("Authorization", "Bearer " + server.control().generatedAdminKey().orElseThrow())
                    .header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("%s %s: %s", method, path, r.body()).isEqualTo(status);
        }
    }
}
