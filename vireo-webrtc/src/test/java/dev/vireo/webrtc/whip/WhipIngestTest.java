package dev.vireo.webrtc.whip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.Gate;
import dev.vireo.core.HubConfig;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.http.HttpConfig;
import dev.vireo.http.HttpServer;
import dev.vireo.http.routing.Router;
import dev.vireo.webrtc.WebRtcConfig;
import dev.vireo.webrtc.WebRtcServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultEventExecutor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The WHIP resource over real HTTP: status codes, headers and refusals (RFC 9725 §4). */
class WhipIngestTest {

    private EventLoopGroup group;
    private DefaultEventExecutor timer;
    private StreamHub hub;
    private WebRtcServer rtc;
    private WhipIngest whip;
    private HttpServer http;
    private int port;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        timer = new DefaultEventExecutor();
        hub = new StreamHub(HubConfig.defaults(), timer);
        // a signed stream: the gate sees the token in the query, whether it came there or as a Bearer token
        Gate gate = r -> r.stream().equals("secret") && !r.query().contains("auth_key=good")
                ? new Gate.Deny(403, "denied by req auth: invalid md5hash=missing")
                : r.action() == Gate.Action.PUBLISH && r.protocol().equals("whip")
                        ? new Gate.Allow(StreamKey.of(r.app(), r.stream()))
                        : new Gate.Deny(403, "not a WHIP publish");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        rtc = new WebRtcServer(WebRtcConfig.defaults().withBind("127.0.0.1", 0), group, NioDatagramChannel.class,
                registry);
        rtc.start();
        whip = new WhipIngest(hub, gate, rtc, registry);
        Router router = new Router();
        whip.mount(router);
        http = new HttpServer(HttpConfig.defaults().withBind("127.0.0.1", 0), router, group, group,
                NioServerSocketChannel.class);
        port = http.start();
    }

    @AfterEach
    void stop() {
        http.close();
        rtc.close();
        hub.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        timer.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder post(String path, String sdp) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/sdp").POST(HttpRequest.BodyPublishers.ofString(sdp));
    }

    @Test
    void answersAnOfferRecvonlyWithEveryCandidateAndEndsOnDelete() throws Exception {
        HttpResponse<String> r = send(post("/live/cam/whip", WhipPiecesTest.chromiumWhipOffer()));
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/sdp"));
        String location = r.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith("/live/cam/whip/");
        assertThat(r.headers().firstValue("ETag")).isPresent();
        assertThat(r.body()).contains("a=recvonly", "a=ice-lite", "a=setup:passive", "a=end-of-candidates",
                "H264/90000", "opus/48000/2", "transport-cc", "nack")
                .doesNotContain("a=sendonly", "VP8");
        // REMB beside transport-cc where the offer has it; the video's rtx accepted; no SSRCs of ours (we send nothing)
        assertThat(r.body()).contains("goog-remb", "rtx/90000").doesNotContain("a=ssrc");
        long candidates = r.body().lines().filter(l -> l.startsWith("a=candidate:")).count();
        assertThat(candidates).isEqualTo(2L * rtc.candidates().size()); // in both sections
        assertThat(hub.find(StreamKey.of("live", "cam"))).hasValueSatisfying(s -> assertThat(s.isLive()).isTrue());
        assertThat(whip.sessions()).singleElement().satisfies(s -> assertThat(s.stream()).isEqualTo("/live/cam"));

        // a second publisher on the live key
        HttpResponse<String> busy = send(post("/live/cam/whip", WhipPiecesTest.chromiumWhipOffer()));
        assertThat(busy.statusCode()).isEqualTo(409);
        assertThat(busy.body()).contains("StreamBusy", "already being published");

        // trickled candidates are accepted
        HttpResponse<String> trickle = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + location))
                .header("Content-Type", "application/trickle-ice-sdpfrag")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(
                        "a=candidate:1 1 udp 2122260223 192.0.2.1 50000 typ host\r\na=end-of-candidates\r\n")));
        assertThat(trickle.statusCode()).isEqualTo(204);

        HttpResponse<String> deleted = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + location))
                .DELETE());
        assertThat(deleted.statusCode()).isEqualTo(200);
        dev.vireo.core.testing.Await.until(java.time.Duration.ofSeconds(5), "the session ends",
                () -> whip.sessions().isEmpty());
        assertThat(send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + location)).DELETE())
                .statusCode()).isEqualTo(404);
        // the key is free again
        assertThat(send(post("/live/cam/whip", WhipPiecesTest.chromiumWhipOffer())).statusCode()).isEqualTo(201);
    }

    @Test
    void refusesWhatItCannotTakeWithAClearReasonAndKeepsServing() throws Exception {
        String offer = WhipPiecesTest.chromiumWhipOffer();
        HttpResponse<String> type = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/live/a/whip"))
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString(offer)));
        assertThat(type.statusCode()).isEqualTo(415);

        HttpResponse<String> garbage = send(post("/live/a/whip", "hello, I am not SDP"));
        assertThat(garbage.statusCode()).isEqualTo(400);
        assertThat(garbage.body()).contains("not valid SDP");

        StringBuilder big = new StringBuilder(offer);
        String pad = "a=x-pad:" + "x".repeat(990) + "\r\n";
        while (big.length() + pad.length() < 1_000_000) {
            big.append(pad);
        }
        HttpResponse<String> huge = send(post("/live/a/whip", big.toString()));
        assertThat(huge.statusCode()).isEqualTo(400);
        assertThat(huge.body()).contains("exceeds");

        StringBuilder many = new StringBuilder(offer);
        for (int i = 0; i < 1000; i++) {
            many.append("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:x").append(i).append("\r\n");
        }
        HttpResponse<String> sections = send(post("/live/a/whip", many.toString()));
        assertThat(sections.statusCode()).isEqualTo(400);
        assertThat(sections.body()).contains("m= sections");

        String vp8 = offer.replaceAll("(?m)^a=rtpmap:(\\d+) (H264|AV1)/90000", "a=rtpmap:$1 VP9/90000");
        HttpResponse<String> codecs = send(post("/live/a/whip", vp8));
        assertThat(codecs.statusCode()).isEqualTo(406);
        assertThat(codecs.body()).contains("CodecNotSupported", "H.264", "AV1", "Opus", "VP8");

        assertThat(hub.find(StreamKey.of("live", "a"))).isEmpty(); // none of them published
        assertThat(send(post("/live/a/whip", offer)).statusCode()).isEqualTo(201);
    }

    /** Chromium's WHIP offer with simulcast lines (RFC 8853) added to its video section. */
    private static String simulcastOffer(String lines) throws Exception {
        String offer = WhipPiecesTest.chromiumWhipOffer();
        int audio = offer.indexOf("m=audio");
        return offer.substring(0, audio) + lines + offer.substring(audio);
    }

    @Test
    void answersSimulcastAndPublishesEveryLayerAsAStreamUntilTheEnd() throws Exception {
        HttpResponse<String> r = send(post("/live/cam/whip",
                simulcastOffer("a=rid:q send\r\na=rid:h send\r\na=rid:f send\r\na=simulcast:send q;h;f\r\n")));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(r.body()).contains("a=simulcast:recv q;h;f", "a=rid:q recv", "a=rid:f recv",
                "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id", "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
                "urn:ietf:params:rtp-hdrext:sdes:mid");
        for (String name : new String[] {"cam", "cam~q", "cam~h", "cam~f"}) {
            assertThat(hub.find(StreamKey.of("live", name))).as(name)
                    .hasValueSatisfying(s -> assertThat(s.isLive()).isTrue());
        }
        assertThat(hub.find(StreamKey.of("live", "cam~q")).orElseThrow().isDerived()).isTrue();
        assertThat(whip.simulcastLadder(StreamKey.of("live", "cam"))).isEmpty(); // no layer has sent anything
        send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + r.headers().firstValue("Location").orElseThrow())).DELETE());
        dev.vireo.core.testing.Await.until(java.time.Duration.ofSeconds(5), "the session ends",
                () -> whip.sessions().isEmpty());
        for (String name : new String[] {"cam", "cam~q", "cam~h", "cam~f"}) {
            assertThat(hub.find(StreamKey.of("live", name)).map(s -> s.stats().publisherSession()).orElse(null))
                    .as(name).isNull();
        }
    }

    @Test
    void refusesSimulcastItCannotReceiveAndPublishesNothing() throws Exception {
        HttpResponse<String> four = send(post("/live/sc/whip", simulcastOffer(
                "a=rid:a send\r\na=rid:b send\r\na=rid:c send\r\na=rid:d send\r\na=simulcast:send a;b;c;d\r\n")));
        assertThat(four.statusCode()).isEqualTo(400);
        assertThat(four.body()).contains("InvalidOffer", "at most 3");
        HttpResponse<String> garbage = send(post("/live/sc/whip", simulcastOffer(
                "a=rid:q$ send\r\na=simulcast:send q$\r\n")));
        assertThat(garbage.statusCode()).isEqualTo(400);
        assertThat(garbage.body()).contains("RFC 8851");
        assertThat(hub.find(StreamKey.of("live", "sc"))).isEmpty();
        assertThat(hub.find(StreamKey.of("live", "sc~a"))).isEmpty();
    }

    @Test
    void takesTheAuthKeyFromTheQueryOrAsBearerToken() throws Exception {
        String offer = WhipPiecesTest.chromiumWhipOffer();
        HttpResponse<String> none = send(post("/live/secret/whip", offer));
        assertThat(none.statusCode()).isEqualTo(403);
        assertThat(none.headers().firstValue("X-Tengine-Error")).hasValue("denied by req auth: invalid md5hash=missing");
        HttpResponse<String> bearer = send(post("/live/secret/whip", offer).header("Authorization", "Bearer good"));
        assertThat(bearer.statusCode()).isEqualTo(201);
        send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + bearer.headers().firstValue("Location").orElseThrow())).DELETE());
        dev.vireo.core.testing.Await.until(java.time.Duration.ofSeconds(5), "the session ends",
                () -> whip.sessions().isEmpty());
        assertThat(send(post("/live/secret/whip?auth_key=good", offer)).statusCode()).isEqualTo(201);
    }

    @Test
    void answersCorsPreflights() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/live/cam/whip"))
                .header("Origin", "https://studio.example").header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type, authorization")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
        assertThat(r.statusCode()).isBetween(200, 204);
        assertThat(r.headers().firstValue("Access-Control-Allow-Methods")).hasValueSatisfying(v ->
                assertThat(v).contains("POST"));
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).isPresent();
    }
}
