package dev.vireo.http.hls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.Gate;
import dev.vireo.core.HubConfig;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.Publication;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.http.HttpConfig;
import dev.vireo.http.HttpServer;
import dev.vireo.http.routing.Router;
import dev.vireo.media.Codec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultEventExecutor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * HLS over a real HTTP server and hub, frames published by the test: the moment a parked
 * blocking reload is answered, a publisher reconnecting within the grace period, the end of a
 * stream and the idle stop.
 */
@Timeout(60)
class HlsPlaybackTest {

    private static final StreamKey KEY = StreamKey.of("live", "demo");
    private static final Pattern HINT = Pattern.compile("PRELOAD-HINT:TYPE=PART,URI=\"p(\\d+)_(\\d+)\\.m4s");

    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private DefaultEventExecutor timer;
    private StreamHub hub;
    private SimpleMeterRegistry registry;
    private HttpServer server;
    private HlsPlayback hls;
    private int port;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() {
        boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        timer = new DefaultEventExecutor();
        hub = new StreamHub(HubConfig.defaults().withReconnectGrace(Duration.ofSeconds(10)), timer);
        registry = new SimpleMeterRegistry();
        Router router = new Router();
        hls = new HlsPlayback(hub, Gate.allowAll(), HlsConfig.defaults().withIdleTimeout(Duration.ofSeconds(5)),
                registry, "a test secret of at least 16 bytes".getBytes(StandardCharsets.US_ASCII), Clock.systemUTC());
        hls.mount(router);
        server = new HttpServer(HttpConfig.defaults().withBind("127.0.0.1", 0), router, boss, workers,
                NioServerSocketChannel.class);
        port = server.start();
    }

    @AfterEach
    void stop() {
        hls.close();
        hub.close();
        server.close();
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        timer.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private Publication publish(String session) throws Exception {
        Publication p = hub.publish(KEY, session, r -> { });
        p.send(MediaFrame.config(Codec.H264, 0, Unpooled.wrappedBuffer(SegmenterTest.AVCC)));
        p.send(MediaFrame.config(Codec.AAC, 0, Unpooled.wrappedBuffer(SegmenterTest.ASC)));
        return p;
    }

    /** 30 fps video frames {@code from} (inclusive) to {@code to} (exclusive), a keyframe each second, AAC. */
    private static void frames(Publication p, int from, int to) {
        for (int i = from; i < to; i++) {
            long dts = i * 1000L / 30;
            boolean key = i % 30 == 0;
            p.send(MediaFrame.media(Codec.H264, dts, 0, key,
                    Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 2, (byte) (key ? 0x65 : 0x41), (byte) i})));
            p.send(MediaFrame.media(Codec.AAC, dts, 0, false, Unpooled.wrappedBuffer(new byte[] {0x21, 0x10, 4})));
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String body(String path) {
        try {
            return get(path).body();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private CompletableFuture<HttpResponse<String>> getAsync(String path) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The first playlist: the segmenter starts on it from the GOP cache (frames since the keyframe
     * at 2 s) and answers once a segment is complete, so frames up to the keyframe at 4 s follow.
     */
    private String firstPlaylist(Publication p, String path) throws Exception {
        frames(p, 0, 75);
        CompletableFuture<HttpResponse<String>> first = getAsync(path);
        Await.until(Duration.ofSeconds(10), "a segmenter runs", () -> hls.segmenters().find(KEY) != null);
        frames(p, 75, 130);
        HttpResponse<String> r = first.get(20, TimeUnit.SECONDS);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    private int parked() {
        Segmenter s = hls.segmenters().find(KEY);
        return s == null ? 0 : s.waiters.size();
    }

    @Test
    void aBlockingReloadIsAnsweredWhenItsPartIsMadeAndNotBefore() throws Exception {
        Publication p = publish("pub-1");
        firstPlaylist(p, "/live/demo/llhls.m3u8");
        // every frame sent so far is packaged: segment 1 (from 4 s) has one part (4.0-4.2 s), the next is open
        Await.until(Duration.ofSeconds(10), "frames up to 4.3 s packaged", () -> {
            Timeline t = hls.segmenters().find(KEY).timeline();
            return t.current() != null && t.current().msn() == 1 && t.current().parts().size() == 1;
        });
        String playlist = body("/live/demo/llhls.m3u8");
        Matcher hint = HINT.matcher(playlist);
        assertThat(hint.find()).as(playlist).isTrue();
        String msn = hint.group(1);
        String part = hint.group(2);
        CompletableFuture<HttpResponse<String>> reload = getAsync("/live/demo/llhls.m3u8?_HLS_msn=" + msn
                + "&_HLS_part=" + part);
        // parked on the server (a future, no thread): the part does not exist until more frames come
        Await.until(Duration.ofSeconds(10), "the reload is parked", () -> parked() == 1);
        assertThat(reload).isNotDone();
        frames(p, 130, 140); // 300 ms more: the hinted part completes
        HttpResponse<String> r = reload.get(20, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("p" + msn + "_" + part + ".m4s");
        assertThat(parked()).isZero();
        assertThat(registry.get("vireo.hls.blocking.reloads").counter().count()).isEqualTo(1);
    }

    @Test
    void aPublisherComingBackWithinTheGraceMakesADiscontinuityAndANewInit() throws Exception {
        Publication p = publish("pub-1");
        firstPlaylist(p, "/live/demo/llhls.m3u8");
        p.close();
        Publication again = publish("pub-2"); // the same codec configuration, another publisher
        frames(again, 0, 100); // the hub continues the viewers' time line
        Await.until(Duration.ofSeconds(10), "the discontinuity is listed", () -> {
            String b = body("/live/demo/llhls.m3u8");
            return b.contains("#EXT-X-DISCONTINUITY\n") && b.contains("init1.mp4");
        });
        assertThat(body("/live/demo.m3u8")).contains("#EXT-X-DISCONTINUITY\n");
        again.close();
    }

    @Test
    void parkedRequestsEndWithTheStreamAndTheSegmenterStopsWhenIdle() throws Exception {
        Publication p = publish("pub-1");
        firstPlaylist(p, "/live/demo/llhls.m3u8");
        long open = hls.segmenters().find(KEY).timeline().current().msn();
        CompletableFuture<HttpResponse<String>> reload = getAsync("/live/demo/llhls.m3u8?_HLS_msn=" + (open + 1));
        Await.until(Duration.ofSeconds(10), "the reload is parked", () -> parked() == 1);
        hub.kick(KEY, "test");
        assertThat(reload.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(404);
        assertThat(hls.segmenters().find(KEY)).isNull();

        Publication next = publish("pub-2");
        firstPlaylist(next, "/live/demo.m3u8");
        assertThat(hub.find(KEY).orElseThrow().viewerCount()).as("the segmenter is the stream's one HLS viewer")
                .isEqualTo(1);
        // no request for the idle timeout (5 s here: at load 35, 2 s passed between the playlist and
        // the count above): the segmenter leaves the stream
        Await.until(Duration.ofSeconds(20), "the idle segmenter stops", () -> hls.segmenters().find(KEY) == null
                && hub.find(KEY).orElseThrow().viewerCount() == 0);
        next.close();
    }

    @Test
    void aStreamPublishedAgainAfterItEndedGoesOnWithItsMediaSequenceAndADiscontinuity() throws Exception {
        Publication p = publish("pub-1");
        String before = firstPlaylist(p, "/live/demo.m3u8");
        long lastBefore = hls.segmenters().find(KEY).timeline().current().msn();
        hub.kick(KEY, "test"); // the publisher did not come back within the grace: the stream ended
        Await.until(Duration.ofSeconds(10), "the segmenter stops", () -> hls.segmenters().find(KEY) == null);

        // it is published again; a player that kept the playlist's URI reloads it
        Publication next = publish("pub-2");
        String after = firstPlaylist(next, "/live/demo.m3u8");
        Matcher m = Pattern.compile("#EXT-X-MEDIA-SEQUENCE:(\\d+)").matcher(after);
        assertThat(m.find()).as(after).isTrue();
        // RFC 8216 §6.2.1/§6.2.2: the same playlist never numbers its segments back
        assertThat(Long.parseLong(m.group(1))).as(before + "\n---\n" + after).isGreaterThan(lastBefore);
        assertThat(after).contains("#EXT-X-DISCONTINUITY\n").doesNotContain("#EXT-X-DISCONTINUITY-SEQUENCE:0");
        next.close();
    }
}
