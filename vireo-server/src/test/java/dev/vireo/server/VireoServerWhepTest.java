package dev.vireo.server;

import static dev.vireo.webrtc.testing.Chromium.field;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.MachineLoad;
import dev.vireo.core.testing.Peers;
import dev.vireo.webrtc.testing.Chromium;
import dev.vireo.webrtc.whep.WhepSessionStats;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The product's main path end to end: ffmpeg publishes over RTMP into the whole server, and
 * headless Chromium plays it from the player page over WHEP (WebRTC, media on the UDP port).
 */
@Timeout(180)
class VireoServerWhepTest {

    private static final Logger log = LoggerFactory.getLogger(VireoServerWhepTest.class);

    @TempDir
    static Path dir;

    private static BrowserFixture fx;
    private static VireoServer server;
    private static VireoServer.BoundPorts ports;
    private static Chromium chromium;

    @BeforeAll
    static void start() throws Exception {
        Peers.ffmpeg();
        fx = BrowserFixture.start(dir, List.of("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30"),
                List.of("-c:v", "libx264", "-bf", "0", "-tune", "zerolatency", "-g", "30", "-an", "-t", "90"),
                "live", "demo", s -> s.gopCacheFrames() > 0);
        server = fx.server();
        ports = fx.ports();
        assertThat(ports.rtc()).isPositive();
        chromium = fx.chromium();
    }

    @AfterAll
    static void stop() throws Exception {
        if (fx != null) {
            fx.close();
        }
    }

    private static double framesDecoded() {
        return field(chromium.inboundRtp("vireo.pc", "video"), "framesDecoded");
    }

    @Test
    void chromiumPlaysTheRtmpStreamFromThePlayerPage() throws Exception {
        // The player passes its query on to the WHEP request (auth_key when signing is on).
        chromium.open("http://127.0.0.1:" + ports.http() + "/play/live/demo?auth_key=ignored-without-domains");
        Await.until(Duration.ofSeconds(30), "the first decoded frame", () -> framesDecoded() > 0);
        double first = Await.value(Duration.ofSeconds(30), "first frame time",
                () -> chromium.number("vireo.firstFrameMs") >= 0 ? chromium.number("vireo.firstFrameMs") : null);
        double from = framesDecoded();
        long t0 = System.nanoTime();
        Await.until(Duration.ofSeconds(20), "90 more frames", () -> framesDecoded() >= from + 90);
        double fps = (framesDecoded() - from) / ((System.nanoTime() - t0) / 1e9);
        Map<String, Object> video = chromium.inboundRtp("vireo.pc", "video");
        assertThat(field(video, "frameWidth")).isEqualTo(640);
        assertThat(field(video, "frameHeight")).isEqualTo(360);
        // 90 frames came (above); their rate is Chromium's on a machine that keeps up (MachineLoad)
        MachineLoad.aboveWhenQuiet("RTMP -> WHEP frames decoded per second", fps, 20);

        List<WhepSessionStats> sessions = server.whep().sessions();
        assertThat(sessions).singleElement().satisfies(s -> {
            assertThat(s.connected()).isTrue();
            assertThat(s.stream()).isEqualTo("/live/demo");
            assertThat(s.framesSent()).isGreaterThan(90);
        });
        // The admin API lists the viewer's session under the stream, with its estimate once Chromium's
        // transport-cc feedback came in (the webrtc section).
        JsonNode[] viewer = new JsonNode[1];
        Await.until(Duration.ofSeconds(15), () -> "the session in the stream's webrtc section: " + viewer[0], () -> {
            viewer[0] = webrtcViewer("demo");
            return viewer[0] != null && viewer[0].path("estimateBps").asLong() > 0;
        });
        assertThat(viewer[0].path("id").asText()).isEqualTo(sessions.getFirst().id());
        assertThat(viewer[0].path("connected").asBoolean()).isTrue();
        assertThat(viewer[0].path("framesSent").asLong()).isGreaterThan(90);
        assertThat(viewer[0].path("sendBps").asLong()).as(viewer[0].toString()).isPositive();
        assertThat(viewer[0].path("rendition").isNull()).as("no ladder: %s", viewer[0]).isTrue();
        assertThat(viewer[0].path("fecOn").asBoolean(true)).isFalse();
        assertThat(viewer[0].path("probing").asBoolean(true)).isFalse();
        for (String field : List.of("rttMillis", "videoFractionLost", "nacksReceived", "retransmissions",
                "pacerQueuedPackets", "pacerQueueMillis", "paddingBytes")) {
            assertThat(viewer[0].path(field).isNumber()).as(field + " in " + viewer[0]).isTrue();
        }
        JsonNode probes = viewer[0].path("probeClusters");
        assertThat(probes.path("sent").isNumber()).as("probeClusters in %s", viewer[0]).isTrue();
        assertThat(probes.path("sent").asLong()).as("no ladder: never probed").isZero();
        assertThat(probes.path("lastVerdict").isNull()).as("no verdict: %s", probes).isTrue();
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + ports.http() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body()).contains("vireo_whep_sessions 1.0", "vireo_egress_bytes_total{protocol=\"whep\"}",
                "vireo_webrtc_sessions 1.0", "vireo_webrtc_probe_clusters_total{outcome=\"came_through\"}");
        log.info("RTMP -> WHEP in Chromium: first frame {} ms after page load, {} fps decoded, ICE+DTLS {} ms",
                first, String.format("%.1f", fps), sessions.getFirst().connectMillis());
    }

    /** The only entry of the stream's webrtc section in {@code GET /api/v1/streams}, or null. */
    private static JsonNode webrtcViewer(String stream) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + ports.http() + "/api/v1/streams"))
                    .header("Authorization", "Bearer " + server.control().generatedAdminKey().orElseThrow()).build(),
                    HttpResponse.BodyHandlers.ofString());
            for (JsonNode st : new ObjectMapper().readTree(r.body()).path("streams")) {
                if (stream.equals(st.path("stream").asText()) && st.path("webrtc").size() == 1) {
                    return st.path("webrtc").get(0);
                }
            }
            return null;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
