package dev.vireo.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.Gate;
import dev.vireo.core.HubConfig;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.http.flv.HttpFlvPlayback;
import dev.vireo.http.routing.Json;
import dev.vireo.http.routing.Router;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultEventExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class HttpFlvPlaybackTest {

    private static final String DENIED = "denied by req auth: invalid md5hash=bad";

    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private DefaultEventExecutor timer;
    private StreamHub hub;
    private SimpleMeterRegistry registry;
    private HttpServer server;
    private int port;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() {
        boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        timer = new DefaultEventExecutor();
        hub = new StreamHub(HubConfig.defaults().withReconnectGrace(Duration.ofMillis(200))
                .withSlowViewerMaxLag(Duration.ofSeconds(1)), timer);
        registry = new SimpleMeterRegistry();
        // Streams named "secret*" need ?auth_key=good, as a signing gate would.
        Gate gate = r -> r.stream().startsWith("secret") && !r.query().equals("auth_key=good")
                ? new Gate.Deny(403, DENIED)
                : new Gate.Allow(new StreamKey(r.host(), r.app(), r.stream()));
        Router router = new Router();
        new HttpFlvPlayback(hub, gate, registry).mount(router);
        server = new HttpServer(HttpConfig.defaults().withBind("127.0.0.1", 0), router, boss, workers,
                NioServerSocketChannel.class);
        port = server.start();
    }

    @AfterEach
    void stop() {
        hub.close();
        server.close();
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        timer.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static StreamKey key(String stream) {
        return new StreamKey("127.0.0.1", "live", stream);
    }

    private HttpResponse<InputStream> play(String pathAndQuery) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
    }

    private int viewers(StreamKey key) {
        return hub.find(key).map(s -> s.viewerCount()).orElse(0);
    }

    @Test
    void viewerStartsWithMetadataSequenceHeadersAndTheCachedGopThenGoesLive() throws Exception {
        StreamKey key = key("demo");
        FakePublisher pub = new FakePublisher(hub, key);
        try {
            pub.sendHeaders().video(1000, true, 5000).audio(1010).video(1033, false, 800).video(1066, false, 800);

            HttpResponse<InputStream> response = play("/live/demo.flv");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type")).hasValue("video/x-flv");
            assertThat(response.headers().firstValue("access-control-allow-origin")).hasValue("*");
            try (FlvTagStream flv = new FlvTagStream(response.body())) {
                assertThat(flv.readHeader()).isEqualTo(0x05);
                List<FlvTagStream.Tag> tags = new ArrayList<>();
                for (int i = 0; i < 7; i++) {
                    tags.add(flv.next());
                }
                assertThat(tags.get(0).isScript()).isTrue();
                assertThat(tags.get(1).isVideo() && tags.get(1).isSequenceHeader()).isTrue();
                assertThat(tags.get(1).body()).endsWith(FakePublisher.AVC_CONFIG);
                assertThat(tags.get(2).isAudio() && tags.get(2).isSequenceHeader()).isTrue();
                assertThat(tags.get(3).isKeyframe()).isTrue();
                assertThat(tags.get(3).timestamp()).isEqualTo(1000);
                assertThat(tags.get(3).body().length).isEqualTo(5 + 4 + 5000);
                assertThat(tags.subList(4, 7)).extracting(FlvTagStream.Tag::timestamp).containsExactly(1010L, 1033L, 1066L);

                Await.until("viewer attached", () -> viewers(key) == 1);
                pub.video(1100, false, 700).video(1133, true, 4000);
                FlvTagStream.Tag live = flv.next();
                assertThat(live.timestamp()).isEqualTo(1100);
                assertThat(live.isKeyframe()).isFalse();
                assertThat(flv.next().isKeyframe()).isTrue();

                // Publisher gone past the 200 ms grace: the response ends with the last chunk.
                pub.close();
                assertThat(flv.next()).isNull();
            }
        } finally {
            pub.close();
        }
        assertThat(registry.counter("vireo.egress.bytes", "protocol", "http-flv").count()).isGreaterThan(11_000);
    }

    @Test
    void streamNotLiveIs404() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/live/nothing.flv")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(Json.mapper().readTree(r.body()).get("code").asText()).isEqualTo("StreamNotFound");
    }

    @Test
    void gateRefusalIs403WithTheTengineErrorHeader() throws Exception {
        try (FakePublisher pub = new FakePublisher(hub, key("secret1"))) {
            pub.sendHeaders().video(0, true, 100);
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/live/secret1.flv?auth_key=bad")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.headers().firstValue("x-tengine-error")).hasValue(DENIED);
            assertThat(Json.mapper().readTree(r.body()).get("message").asText()).isEqualTo(DENIED);

            HttpResponse<InputStream> ok = play("/live/secret1.flv?auth_key=good");
            assertThat(ok.statusCode()).isEqualTo(200);
            ok.body().close();
        }
    }

    @Test
    void headTellsWhetherTheStreamIsLiveWithoutSubscribing() throws Exception {
        try (FakePublisher pub = new FakePublisher(hub, key("h"))) {
            pub.sendHeaders();
            HttpResponse<Void> live = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/live/h.flv"))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(live.headers().firstValue("content-type")).hasValue("video/x-flv");
            assertThat(viewers(key("h"))).isZero();
        }
        HttpResponse<Void> gone = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/live/h2.flv"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(gone.statusCode()).isEqualTo(404);
    }

    @Test
    void clientDisconnectDetachesTheViewer() throws Exception {
        StreamKey key = key("bye");
        try (FakePublisher pub = new FakePublisher(hub, key)) {
            pub.sendHeaders().video(0, true, 100);
            try (RawHttp raw = new RawHttp(port)) {
                raw.send("GET /live/bye.flv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                assertThat(raw.readHead().status()).isEqualTo(200);
                Await.until("viewer attached", () -> viewers(key) == 1);
            }
            Await.until("viewer detached after the client left", () -> viewers(key) == 0);
            Await.until("server forgot the connection", () -> server.streamingCount() == 0);
        }
    }

    @Test
    void http10ViewerGetsTheFlvBytesUnchunkedUntilClose() throws Exception {
        StreamKey key = key("old");
        FakePublisher pub = new FakePublisher(hub, key);
        try (RawHttp raw = new RawHttp(port)) {
            pub.sendHeaders().video(0, true, 300);
            raw.send("GET /live/old.flv HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
            RawHttp.Reply head = raw.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("transfer-encoding")).isNull();
            FlvTagStream flv = new FlvTagStream(raw.in());
            flv.readHeader();
            assertThat(flv.next().isScript()).isTrue();
            assertThat(flv.next().isSequenceHeader()).isTrue();
            assertThat(flv.next().isSequenceHeader()).isTrue();
            assertThat(flv.next().isKeyframe()).isTrue();
            pub.close();
            assertThat(flv.next()).isNull();
        } finally {
            pub.close();
        }
    }

    @Test
    void aViewerThatNeverReadsIsDroppedWhileAnotherGoesOn() throws Exception {
        StreamKey key = key("busy");
        ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
        try (FakePublisher pub = new FakePublisher(hub, key);
             RawHttp slow = new RawHttp(port, 4096)) {
            pub.sendHeaders().video(0, true, 1000);
            AtomicLong dts = new AtomicLong();
            // 16 KiB video every 5 ms (~3 MB/s), a keyframe every 10 frames: the reader keeps up
            // with that even on a loaded machine, with seconds of buffers to spare.
            pacer.scheduleAtFixedRate(() -> {
                long t = dts.addAndGet(5);
                pub.video(t, t % 50 == 0, 16 * 1024);
            }, 5, 5, TimeUnit.MILLISECONDS);

            HttpResponse<InputStream> fast = play("/live/busy.flv");
            AtomicLong fastTags = new AtomicLong();
            Thread reader = Thread.ofPlatform().daemon().start(() -> {
                try (FlvTagStream flv = new FlvTagStream(fast.body())) {
                    while (flv.next() != null) {
                        fastTags.incrementAndGet();
                    }
                } catch (IOException e) {
                    // closed at the end of the test
                }
            });
            slow.send("GET /live/busy.flv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            Await.until("two viewers", () -> viewers(key) == 2);

            Await.until(Duration.ofSeconds(30), "slow viewer dropped",
                    () -> registry.counter("vireo.viewers.dropped", "protocol", "http-flv").count() == 1);
            Await.until("the slow viewer detached", () -> viewers(key) == 1);
            assertThat(slow.drainUntilClosed()).isTrue();

            long before = fastTags.get();
            Await.until("fast viewer still receives", () -> fastTags.get() > before + 50);
            assertThat(registry.counter("vireo.viewers.dropped", "protocol", "http-flv").count()).isEqualTo(1);
            fast.body().close();
            reader.join(5_000);
        } finally {
            pacer.shutdownNow();
            pacer.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
