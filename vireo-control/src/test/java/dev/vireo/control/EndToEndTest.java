package dev.vireo.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.control.access.UrlSigning;
import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import dev.vireo.http.flv.HttpFlvPlayback;
import dev.vireo.rtmp.RtmpClient;
import dev.vireo.rtmp.RtmpConfig;
import dev.vireo.rtmp.RtmpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control plane's Gate in the real RTMP and HTTP-FLV listeners, with ffmpeg as the publisher:
 * signed pushes with the primary and the secondary key, the exact refusal texts (RTMP status
 * description, HTTP {@code X-Tengine-Error}), a playback that outlives its URL, forbid and resume,
 * and domains surviving a restart.
 */
@Timeout(180)
class EndToEndTest {

    private static final String INGEST = "push.e2e.test";
    private static final String PLAY = "play.e2e.test";
    private static final String PRIMARY = "primaryKey123";
    private static final String SECONDARY = "secondaryKey456";
    private static final String PLAY_KEY = "playKey789";

    @TempDir
    static Path dir;

    private static TestPlane t;
    private static RtmpServer rtmp;
    private static int rtmpPort;

    @BeforeAll
    static void start() {
        Peers.ffmpeg();
        t = new TestPlane(dir.resolve("data"));
        new HttpFlvPlayback(t.hub, t.plane.gate(), new SimpleMeterRegistry()).mount(t.router);
        rtmp = new RtmpServer(RtmpConfig.defaults().withBind("127.0.0.1").withPort(0), t.hub, t.plane.gate(), t.boss,
                t.workers, NioServerSocketChannel.class);
        rtmpPort = rtmp.start();
        t.addDomain(INGEST, "ingest");
        t.addDomain(PLAY, "streaming");
        t.call("PUT", "/api/v1/domains/" + PLAY + "/association", "{\"ingestDomain\":\"" + INGEST + "\"}");
        t.call("PUT", "/api/v1/domains/" + INGEST + "/signing", "{\"primaryKey\":\"" + PRIMARY + "\",\"secondaryKey\":\""
                + SECONDARY + "\",\"validityMinutes\":1}");
        t.call("PUT", "/api/v1/domains/" + PLAY + "/signing", "{\"primaryKey\":\"" + PLAY_KEY + "\",\"validityMinutes\":1}");
    }

    @AfterAll
    static void stop() {
        if (rtmp != null) {
            rtmp.close();
        }
        if (t != null) {
            t.close();
        }
    }

    private static long now() {
        return Instant.now().getEpochSecond();
    }

    /** An auth_key for {@code uri} that expires {@code secondsLeft} from now (validity 1 minute). */
    private static String authKey(String uri, String key, long secondsLeft) {
        return UrlSigning.authKey(uri, now() - 60 + secondsLeft, "0", "0", key);
    }

    private static String pushUrl(String stream, String query) {
        return "rtmp://127.0.0.1:" + rtmpPort + "/live/" + stream + "?vhost=" + INGEST + (query.isEmpty() ? "" : "&" + query);
    }

    private static boolean live(String stream) {
        return t.hub.find(new StreamKey(INGEST, "live", stream)).map(s -> s.isLive()).orElse(false);
    }

    private static RtmpClient.Status rtmpPublish(String url) throws Exception {
        RtmpClient c = RtmpClient.connect(url, t.workers, NioSocketChannel.class).get(10, TimeUnit.SECONDS);
        try {
            return c.publish().get(10, TimeUnit.SECONDS);
        } finally {
            c.close();
        }
    }

    /** A raw HTTP/1.1 GET with our own Host header; returns the status code and headers (lower-case names). */
    private static Map<String, String> rawGet(String host, String pathAndQuery) throws IOException {
        try (Socket s = new Socket("127.0.0.1", t.port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            Map<String, String> h = new HashMap<>();
            h.put(":status", in.readLine().split(" ")[1]);
            String line;
            while ((line = in.readLine()) != null && !line.isEmpty()) {
                int colon = line.indexOf(':');
                h.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            return h;
        }
    }

    @Test
    void ffmpegPushesWithThePrimaryAndTheSecondaryKey() throws Exception {
        try (FfmpegPublisher a = new FfmpegPublisher(pushUrl("a", "auth_key=" + authKey("/live/a", PRIMARY, 60)), 60, dir);
             FfmpegPublisher b = new FfmpegPublisher(pushUrl("b", "auth_key=" + authKey("/live/b", SECONDARY, 60)), 60, dir)) {
            Await.until(Duration.ofSeconds(30), "both signed pushes live", () -> live("a") && live("b"));
            assertThat(a.isAlive()).isTrue();
        }
        String wrong = "0123456789abcdef0123456789abcdef";
        try (FfmpegPublisher bad = new FfmpegPublisher(pushUrl("c", "auth_key=" + now() + "-0-0-" + wrong), 60, dir)) {
            assertThat(bad.exitCode(30)).as("ffmpeg refused").isNotZero().isNotEqualTo(-1);
            assertThat(live("c")).isFalse();
        }
        RtmpClient.Status refused = rtmpPublish(pushUrl("c", "auth_key=" + now() + "-0-0-" + wrong));
        assertThat(refused.code()).isEqualTo("NetStream.Publish.Unauthorized");
        assertThat(refused.description()).isEqualTo("denied by req auth: invalid md5hash=" + wrong);
        long old = now() - 3600;
        RtmpClient.Status expired = rtmpPublish(pushUrl("c", "auth_key=" + UrlSigning.authKey("/live/c", old, "0", "0",
                PRIMARY)));
        assertThat(expired.description()).isEqualTo("denied by req auth: expired timestamp=" + old);
        assertThat(rtmpPublish(pushUrl("c", "")).description()).isEqualTo("denied by req auth: missing auth_key");
        assertThat(rtmpPublish("rtmp://127.0.0.1:" + rtmpPort + "/live/c?vhost=" + PLAY).description())
                .contains("is a streaming domain");
        assertThat(rtmpPublish("rtmp://127.0.0.1:" + rtmpPort + "/live/c").description())
                .isEqualTo("domain 127.0.0.1 is not configured on this server");
    }

    @Test
    void flvRefusalsCarryTheTengineHeader() throws Exception {
        String wrong = "fedcba9876543210fedcba9876543210";
        Map<String, String> h = rawGet(PLAY, "/live/a.flv?auth_key=" + now() + "-0-0-" + wrong);
        assertThat(h.get(":status")).isEqualTo("403");
        assertThat(h.get("x-tengine-error")).isEqualTo("denied by req auth: invalid md5hash=" + wrong);
        long old = now() - 7200;
        h = rawGet(PLAY + ":8080", "/live/a.flv?auth_key=" + UrlSigning.authKey("/live/a.flv", old, "0", "0", PLAY_KEY));
        assertThat(h.get("x-tengine-error")).isEqualTo("denied by req auth: expired timestamp=" + old);
        h = rawGet(PLAY, "/live/a.flv");
        assertThat(h.get("x-tengine-error")).isEqualTo("denied by req auth: missing auth_key");
        h = rawGet("unknown.e2e.test", "/live/a.flv");
        assertThat(h.get(":status")).isEqualTo("403");
        assertThat(h.get("x-tengine-error")).isEqualTo("domain unknown.e2e.test is not configured on this server");
        h = rawGet(PLAY, "/live/nothing.flv?auth_key=" + authKey("/live/nothing.flv", PLAY_KEY, 60));
        assertThat(h.get(":status")).as("signed, but not live").isEqualTo("404");
    }

    @Test
    void aPlayingStreamOutlivesItsUrlsExpiry() throws Exception {
        long expires = now() + 8;
        String pushAuth = UrlSigning.authKey("/live/long", expires - 60, "0", "0", PRIMARY);
        try (FfmpegPublisher p = new FfmpegPublisher(pushUrl("long", "auth_key=" + pushAuth), 90, dir)) {
            Await.until(Duration.ofSeconds(30), "publisher live", () -> live("long"));
            String playQuery = "vhost=" + PLAY + "&auth_key=" + UrlSigning.authKey("/live/long.flv", expires - 60, "0", "0", PLAY_KEY);
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(
                    URI.create(t.url("/live/long.flv?" + playQuery))).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(r.statusCode()).isEqualTo(200);
            AtomicLong bytes = new AtomicLong();
            Thread reader = Thread.ofVirtual().start(() -> {
                byte[] buf = new byte[16 * 1024];
                try (InputStream in = r.body()) {
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        bytes.addAndGet(n);
                    }
                } catch (IOException e) {
                    // closed by the test
                }
            });
            try {
                Await.until(Duration.ofSeconds(20), "the URLs expired", () -> now() > expires + 1);
                Map<String, String> again = rawGet("127.0.0.1", "/live/long.flv?" + playQuery);
                assertThat(again.get("x-tengine-error")).as("a new request with the same URL")
                        .isEqualTo("denied by req auth: expired timestamp=" + (expires - 60));
                long atExpiry = bytes.get();
                Await.until(Duration.ofSeconds(20), "the viewer keeps receiving after expiry",
                        () -> bytes.get() > atExpiry + 20_000);
                assertThat(live("long")).as("the publisher is not cut either").isTrue();
                assertThat(p.isAlive()).isTrue();
            } finally {
                reader.interrupt();
                client.shutdownNow();
            }
        }
    }

    @Test
    void aForbiddenStreamIsKickedAndRefusedUntilResumed() throws Exception {
        try (FfmpegPublisher p = new FfmpegPublisher(pushUrl("f", "auth_key=" + authKey("/live/f", PRIMARY, 60)), 90, dir)) {
            Await.until(Duration.ofSeconds(30), "publisher live", () -> live("f"));
            TestPlane.Answer forbid = t.call("POST", "/api/v1/streams/" + PLAY + "/live/f/forbid", null);
            assertThat(forbid.status()).isEqualTo(200);
            assertThat(forbid.json().get("kicked").asBoolean()).isTrue();
            assertThat(forbid.json().get("domain").asText()).isEqualTo(INGEST);
            Await.until(Duration.ofSeconds(15), "publisher gone", () -> !live("f") && !p.isAlive());
        }
        RtmpClient.Status refused = rtmpPublish(pushUrl("f", "auth_key=" + authKey("/live/f", PRIMARY, 60)));
        assertThat(refused.description()).isEqualTo("stream /live/f is forbidden");
        assertThat(t.call("GET", "/api/v1/domains/" + INGEST + "/forbidden-streams", null).json().get("streams").get(0)
                .get("stream").asText()).isEqualTo("f");
        assertThat(t.call("POST", "/api/v1/streams/" + INGEST + "/live/f/resume", null).json().get("resumed").asBoolean())
                .isTrue();
        assertThat(rtmpPublish(pushUrl("f", "auth_key=" + authKey("/live/f", PRIMARY, 60))).code())
                .isEqualTo("NetStream.Publish.Start");
    }

    @Test
    void theStreamsApiListsLiveStreamsPerDomain() throws Exception {
        try (FfmpegPublisher p = new FfmpegPublisher(pushUrl("listed", "auth_key=" + authKey("/live/listed", PRIMARY, 60)),
                60, dir)) {
            Await.until(Duration.ofSeconds(30), "live with video stats", () -> {
                TestPlane.Answer a = t.call("GET", "/api/v1/streams/" + PLAY + "/live/listed", null);
                return a.status() == 200 && a.json().get("width").asInt() == 320;
            });
            var streams = t.call("GET", "/api/v1/streams?domain=" + PLAY, null).json().get("streams");
            assertThat(streams.findValuesAsText("stream")).contains("listed");
            assertThat(streams.get(0).get("vhost").asText()).isEqualTo(INGEST);
            assertThat(t.call("GET", "/api/v1/streams/" + PLAY + "/live/absent", null).code()).isEqualTo("StreamNotFound");
            assertThat(p.isAlive()).isTrue();
        }
    }

    @Test
    void domainsAndKeysSurviveARestartOfTheControlPlane() throws Exception {
        Path other = dir.resolve("restart");
        try (TestPlane first = new TestPlane(other, Clock.systemUTC(), c -> c)) {
            first.addDomain("push.restart.test", "ingest");
            first.call("PUT", "/api/v1/domains/push.restart.test/signing", "{\"primaryKey\":\"restartKey1\"}");
        }
        try (TestPlane second = new TestPlane(other, Clock.systemUTC(), c -> c)) {
            RtmpServer server = new RtmpServer(RtmpConfig.defaults().withBind("127.0.0.1").withPort(0), second.hub,
                    second.plane.gate(), second.boss, second.workers, NioServerSocketChannel.class);
            int port = server.start();
            try {
                String base = "rtmp://127.0.0.1:" + port + "/live/r?vhost=push.restart.test";
                RtmpClient c = RtmpClient.connect(base + "&auth_key=" + UrlSigning.authKey("/live/r", now(), "0", "0",
                        "restartKey1"), second.workers, NioSocketChannel.class).get(10, TimeUnit.SECONDS);
                try {
                    assertThat(c.publish().get(10, TimeUnit.SECONDS).code()).isEqualTo("NetStream.Publish.Start");
                } finally {
                    c.close();
                }
                RtmpClient u = RtmpClient.connect(base, second.workers, NioSocketChannel.class).get(10, TimeUnit.SECONDS);
                try {
                    assertThat(u.publish().get(10, TimeUnit.SECONDS).description())
                            .isEqualTo("denied by req auth: missing auth_key");
                } finally {
                    u.close();
                }
            } finally {
                server.close();
            }
        }
    }
}
