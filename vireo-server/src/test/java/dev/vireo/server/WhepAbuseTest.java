package dev.vireo.server;

import static dev.vireo.webrtc.testing.Chromium.field;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import dev.vireo.webrtc.testing.Chromium;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hole 2 of issue 17: WHEP offers that never do ICE must not fill every WebRTC session. Clients on
 * 127.0.0.2-13 send real Chromium offers as fast as they can and never connect: each address is
 * rate-limited (429, also beyond 10 sessions connecting), sessions still connecting are capped (503)
 * and closed after 5 s; a real viewer (headless Chromium on 127.0.0.1, whose player page offers
 * again after Retry-After) gets its 201 and plays.
 */
@Timeout(120)
class WhepAbuseTest {

    private static final int ADDRESSES = 12;
    private static final int OFFERS_PER_ADDRESS = 25;

    @TempDir
    static Path dir;
    private static BrowserFixture fx;

    @BeforeAll
    static void start() throws Exception {
        Peers.ffmpeg();
        fx = BrowserFixture.start(dir, List.of("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30"),
                List.of("-c:v", "libx264", "-bf", "0", "-tune", "zerolatency", "-g", "30", "-an", "-t", "90"),
                "live", "demo", s -> s.gopCacheFrames() > 0);
    }

    @AfterAll
    static void stop() throws Exception {
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void offersThatNeverConnectLeaveRoomForARealViewer() throws Exception {
        String offer;
        try (InputStream in = WhepAbuseTest.class.getResourceAsStream("/whep/chromium-156-offer.sdp")) {
            offer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
        URI whep = URI.create("http://127.0.0.1:" + fx.ports().http() + "/live/demo/whep");
        List<CompletableFuture<Map<Integer, Integer>>> floods = new ArrayList<>();
        for (int a = 0; a < ADDRESSES; a++) {
            HttpClient client = HttpClient.newBuilder().localAddress(InetAddress.getByName("127.0.0." + (2 + a))).build();
            floods.add(CompletableFuture.supplyAsync(() -> {
                Map<Integer, Integer> statuses = new TreeMap<>();
                for (int i = 0; i < OFFERS_PER_ADDRESS; i++) {
                    try {
                        int status = client.send(HttpRequest.newBuilder(whep).header("Content-Type", "application/sdp")
                                .POST(HttpRequest.BodyPublishers.ofString(offer)).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode();
                        statuses.merge(status, 1, Integer::sum);
                    } catch (Exception e) {
                        statuses.merge(-1, 1, Integer::sum);
                    }
                }
                return statuses;
            }));
        }
        Map<Integer, Integer> all = new TreeMap<>();
        for (CompletableFuture<Map<Integer, Integer>> f : floods) {
            f.get().forEach((k, v) -> all.merge(k, v, Integer::sum));
        }
        int pendingAfterFlood = fx.server().whep() == null ? -1 : pending();
        System.out.printf("%d offers from %d addresses: %s; pending after the flood %d%n",
                ADDRESSES * OFFERS_PER_ADDRESS, ADDRESSES, all, pendingAfterFlood);
        assertThat(all.getOrDefault(429, 0)).as("rate-limited per address").isPositive();
        assertThat(all.getOrDefault(503, 0)).as("pending sessions capped").isPositive();
        // (A flood slower than 5 s gets more 201s: the first ones were closed meanwhile.) A soft cap,
        // like the session cap: offers answered at the same moment may pass it by a few.
        assertThat(all.getOrDefault(201, 0)).isPositive();
        assertThat(pendingAfterFlood).isLessThanOrEqualTo(100 + ADDRESSES);

        // A real viewer gets in meanwhile (its own address, and room kept by the pending cap's timeout).
        Chromium chromium = fx.chromium();
        chromium.open("http://127.0.0.1:" + fx.ports().http() + "/play/live/demo");
        Await.until(Duration.ofSeconds(30), "Chromium's first decoded frame",
                () -> field(chromium.inboundRtp("vireo.pc", "video"), "framesDecoded") > 0);

        // The offers that never sent an ICE check are closed after 5 s.
        Await.until(Duration.ofSeconds(20), "unconnected sessions closed", () -> pending() == 0);
        assertThat(fx.server().whep().sessions()).anySatisfy(s -> assertThat(s.connected()).isTrue());
        double unconnected = fx.server().meterRegistry().get("vireo.webrtc.sessions.unconnected").counter().count();
        assertThat(unconnected).isGreaterThanOrEqualTo(all.getOrDefault(201, 0));
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + fx.ports().http() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("vireo_webrtc_offers_refused_total{reason=\"rate\"}")
                .containsPattern("vireo_refusals_total\\{reason=\"caps\"} [1-9]");
    }

    private static int pending() {
        return (int) fx.server().meterRegistry().get("vireo.webrtc.sessions.pending").gauge().value();
    }
}
