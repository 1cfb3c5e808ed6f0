package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vireo.cluster.registry.RegistryConfig;
import dev.vireo.cluster.registry.RegistryKeys;
import dev.vireo.control.model.ControlConfig;
import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import dev.vireo.core.testing.TcpProxy;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three in-process nodes sharing a real Redis and a real PostgreSQL ({@code bin/test-services.sh}):
 * ffmpeg publishes to A; a second ffmpeg publisher of the same key on B is refused with the local
 * message; C's stream list shows A's stream with its node; a domain added through B's API gates C
 * by the config hint alone (C has no periodic reload; time logged); the domain's stream limit counts B's stream when C takes a publisher; a forbid sent to C
 * ends the publisher on B. And a Redis outage: the running stream keeps flowing, a new publisher is
 * refused with the reason, the claim is re-asserted when Redis is back.
 */
@Timeout(180)
class ClusterServerTest {

    private static final int REDIS_DB = 8;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private String pgBase;
    private String schema;
    private final List<VireoServer> nodes = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void services() throws Exception {
        pgBase = Peers.postgres();
        String redis = Peers.redis() + "/" + REDIS_DB;
        RedisClient client = RedisClient.create(RedisURI.create(redis));
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            c.sync().flushdb();
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        schema = "vireo_cluster_" + System.nanoTime();
        try (Connection c = DriverManager.getConnection(pgBase); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (VireoServer s : nodes.reversed()) {
            s.close();
        }
        if (schema != null) {
            try (Connection c = DriverManager.getConnection(pgBase); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    private VireoServer node(String id) {
        return node(id, Peers.redis() + "/" + REDIS_DB);
    }

    private VireoServer node(String id, String redis) {
        return node(id, redis, Config.RelayConfig.off());
    }

    private VireoServer node(String id, String redis, Config.RelayConfig relay) {
        return node(id, redis, relay, UnaryOperator.identity());
    }

    /**
     * A node whose control plane never reloads the store on its own (no 30 s safety net): a change
     * made on another node reaches it through the cluster's {@code config} hint or not at all.
     */
    private VireoServer hintOnlyNode(String id) {
        return node(id, Peers.redis() + "/" + REDIS_DB, Config.RelayConfig.off(),
                control -> control.withRefreshInterval(Duration.ZERO));
    }

    private VireoServer node(String id, String redis, Config.RelayConfig relay, UnaryOperator<ControlConfig> control) {
        Config c = TestConfigs.loopback(dir.resolve("data-" + id));
        String store = pgBase + (pgBase.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        VireoServer server = new VireoServer(c.withCluster(Config.ClusterConfig.none().withStore(store)
                .withNode(redis, id, RegistryConfig.Role.BOTH, "eu")
                .withTtls(Duration.ofSeconds(4), Duration.ofSeconds(4), Duration.ofSeconds(1))).withRelay(relay)
                .withStore(new Config.StoreConfig(dir.resolve("cluster-store.key"))), control); // one key for the shared store
        nodes.add(server);
        return server;
    }

    private HttpResponse<String> api(String method, int port, String path, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode streams(int port, String key) {
        try {
            HttpResponse<String> r = api("GET", port, "/api/v1/streams", key, null);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            return JSON.readTree(r.body()).get("streams");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private HttpResponse<String> get(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static boolean lists(JsonNode streams, String stream, String node) {
        for (JsonNode s : streams) {
            if (s.path("stream").asText().equals(stream) && s.path("node").asText().equals(node)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void threeNodesShareOnePublisherPerKeyTheirStreamsAndTheirConfiguration() throws Exception {
        VireoServer a = node("a");
        VireoServer.BoundPorts pa = a.start();
        String admin = a.control().generatedAdminKey().orElseThrow(); // one store: one admin key for every node
        VireoServer b = node("b");
        VireoServer.BoundPorts pb = b.start();
        VireoServer c = hintOnlyNode("c"); // what B changes reaches C by the hint: C never reloads on its own
        VireoServer.BoundPorts pc = c.start();

        HttpResponse<String> registry = api("GET", pc.http(), "/api/v1/cluster/nodes", admin, null);
        assertThat(registry.statusCode()).isEqualTo(200);
        assertThat(registry.body()).contains("\"id\":\"a\"", "\"id\":\"b\"", "\"id\":\"c\"");

        StreamKey key = StreamKey.of("live", "demo");
        try (Ffmpeg first = Ffmpeg.publish("rtmp://127.0.0.1:" + pa.rtmp() + "/live/demo", 120, dir)) {
            Await.until(Duration.ofSeconds(20), "the publisher is live on A",
                    () -> a.hub().find(key).map(s -> s.isLive()).orElse(false));

            // Any node lists the cluster's streams with the node that holds them.
            Await.until(Duration.ofSeconds(10), "C lists A's stream", () -> lists(streams(pc.http(), admin), "demo", "a"));
            assertThat(lists(streams(pa.http(), admin), "demo", "a")).isTrue();
            HttpResponse<String> claims = api("GET", pb.http(), "/api/v1/cluster/streams", admin, null);
            assertThat(claims.body()).contains("\"stream\":\"demo\"", "\"node\":\"a\"");
            Await.until(Duration.ofSeconds(10), "B sees A's claim",
                    () -> b.cluster().orElseThrow().owner(key).map(o -> o.nodeId().equals("a")).orElse(false));
            assertThat(b.cluster().orElseThrow().owner(key).orElseThrow().host()).isEqualTo("127.0.0.1");

            // A second publisher of the key on B: refused with the message a local duplicate gets.
            try (Ffmpeg second = Ffmpeg.publish("rtmp://127.0.0.1:" + pb.rtmp() + "/live/demo", 30, dir)) {
                Await.until(Duration.ofSeconds(20), "the second publisher is refused", () -> !second.isAlive());
                assertThat(second.stderr()).contains("stream /live/demo is already being published");
            }
            assertThat(b.hub().find(key).map(s -> s.isLive()).orElse(false)).isFalse();
            assertThat(first.isAlive()).isTrue();
            assertThat(a.cluster().orElseThrow().registry().claimOf(key).node()).isEqualTo("a");

            // A domain added through B's API gates C: a hint, then C reloads the store (C has no periodic
            // reload, so only the hint can do it). How soon is the machine's (a hint and one store read:
            // tens of ms when quiet, logged); the deadline only bounds a test that would otherwise hang.
            String play = "http://127.0.0.1:" + pc.http() + "/live/other.flv?vhost=push.example.com";
            assertThat(http.send(HttpRequest.newBuilder(URI.create(play)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404); // default vhost: not live
            HttpResponse<String> added = api("POST", pb.http(), "/api/v1/domains", admin,
                    "{\"domain\":\"push.example.com\",\"type\":\"ingest\"}");
            assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
            long added201 = System.nanoTime();
            Await.until(Duration.ofSeconds(30), "C gates the new domain", () -> {
                HttpResponse<String> r = get(play);
                return r.statusCode() == 403 && r.body().contains("is an ingest domain");
            });
            System.out.printf("cluster: domain added on B gated C after %d ms%n", (System.nanoTime() - added201) / 1_000_000);

        }

        // The domain's live stream limit counts the whole cluster; a forbid reaches the node holding the stream.
        assertThat(api("PUT", pb.http(), "/api/v1/domains/push.example.com/signing", admin, "{\"enabled\":false}")
                .statusCode()).isEqualTo(200);
        assertThat(api("PATCH", pb.http(), "/api/v1/domains/push.example.com", admin, "{\"streamLimit\":1}")
                .statusCode()).isEqualTo(200);
        StreamKey two = new StreamKey("push.example.com", "live", "two");
        try (Ffmpeg onB = Ffmpeg.publish("rtmp://127.0.0.1:" + pb.rtmp() + "/live/two?vhost=push.example.com", 120,
                dir)) {
            Await.until(Duration.ofSeconds(20), "the publisher is live on B",
                    () -> b.hub().find(two).map(s -> s.isLive()).orElse(false));
            Await.until(Duration.ofSeconds(10), "C sees B's stream", () -> c.cluster().orElseThrow().owner(two).isPresent());
            try (Ffmpeg onC = Ffmpeg.publish("rtmp://127.0.0.1:" + pc.rtmp() + "/live/three?vhost=push.example.com",
                    30, dir)) {
                Await.until(Duration.ofSeconds(20), "the publisher over the limit is refused", () -> !onC.isAlive());
                assertThat(onC.stderr()).contains("push.example.com has reached its limit of 1 live streams");
            }
            assertThat(onB.isAlive()).isTrue();

            HttpResponse<String> forbid = api("POST", pc.http(), "/api/v1/streams/push.example.com/live/two/forbid",
                    admin, null);
            assertThat(forbid.statusCode()).as(forbid.body()).isEqualTo(200);
            assertThat(JSON.readTree(forbid.body()).path("kicked").asBoolean()).isTrue();
            Await.until(Duration.ofSeconds(20), "B's publisher is ended", () -> !onB.isAlive());
            Await.until(Duration.ofSeconds(10), "the claim is released",
                    () -> c.cluster().orElseThrow().registry().claimOf(two) == null);
        }
    }

    /**
     * The registry is the relay's directory: an edge finds the owner of a key in Redis, pulls it over
     * the relay (advertised port from the owner's lease) and serves it; when the publisher moves to
     * another node, the edge serves it from there.
     */
    @Test
    void anEdgeFindsTheOwnerInRedisAndPullsFromWhereverThePublisherIs() throws Exception {
        Config.RelayConfig relay = new Config.RelayConfig(0, "a-cluster-secret-of-16+");
        String redis = Peers.redis() + "/" + REDIS_DB;
        VireoServer a = node("a", redis, relay);
        VireoServer.BoundPorts pa = a.start();
        VireoServer b = node("b", redis, relay);
        VireoServer.BoundPorts pb = b.start();
        VireoServer c = node("c", redis, relay);
        VireoServer.BoundPorts pc = c.start();
        StreamKey key = StreamKey.of("live", "pulled");
        String edgeFlv = "http://127.0.0.1:" + pc.http() + "/live/pulled.flv";

        try (Ffmpeg onA = Ffmpeg.publish("rtmp://127.0.0.1:" + pa.rtmp() + "/live/pulled", 120, dir)) {
            Await.until(Duration.ofSeconds(20), "C sees A own the key with its relay port", () -> c.cluster()
                    .orElseThrow().owner(key).map(o -> o.nodeId().equals("a") && o.port() == a.clusterPort())
                    .orElse(false));
            // SRT play (m=request) on the cold edge B: admitted because A publishes the key, then pulled.
            assertThat(b.hub().find(key)).isEmpty();
            Ffmpeg.Result srt = Ffmpeg.run(List.of(Peers.ffprobe(), "-v", "error", "-of", "json", "-show_streams",
                    "srt://127.0.0.1:" + pb.srt() + "?streamid=#!::r=live/pulled,m=request"), dir, 60);
            assertThat(srt.exitCode()).as(srt.stderr()).isZero();
            assertThat(srt.stdout()).contains("\"codec_name\": \"h264\"", "\"codec_name\": \"aac\"");
            assertThat(b.edge().orElseThrow().pullsStarted()).isPositive();
            // a key no node publishes is still refused at the handshake
            Ffmpeg.Result none = Ffmpeg.run(List.of(Peers.ffprobe(), "-v", "error", "-of", "json", "-show_streams",
                    "srt://127.0.0.1:" + pb.srt() + "?streamid=#!::r=live/nobody,m=request"), dir, 60);
            assertThat(none.exitCode()).isNotZero();

            Ffmpeg.Result probe = Ffmpeg.run(Ffmpeg.ffprobeStreams(edgeFlv), dir, 60);
            assertThat(probe.exitCode()).as(probe.stderr()).isZero();
            assertThat(probe.stdout()).contains("\"codec_name\": \"h264\"");
            assertThat(c.edge().orElseThrow().pullsStarted()).isPositive();
            assertThat(c.cluster().orElseThrow().registry().claimOf(key).node()).isEqualTo("a"); // C never claims it
        }
        Await.until(Duration.ofSeconds(15), "A's claim is released", () -> c.cluster().orElseThrow().owner(key).isEmpty());

        // B pulled the key for its SRT player above, and may still (idle, or waiting for A's publisher
        // within the grace): a publisher of the key on B pre-empts that pull, at once.
        try (Ffmpeg onB = Ffmpeg.publish("rtmp://127.0.0.1:" + pb.rtmp() + "/live/pulled", 120, dir)) {
            Await.until(Duration.ofSeconds(20), "C sees B own the key", () -> c.cluster().orElseThrow().owner(key)
                    .map(o -> o.nodeId().equals("b")).orElse(false));
            Await.until(Duration.ofSeconds(30), "the edge plays the stream from B", () -> {
                try {
                    Ffmpeg.Result again = Ffmpeg.run(Ffmpeg.ffprobeStreams(edgeFlv), dir, 30);
                    return again.exitCode() == 0 && again.stdout().contains("\"codec_name\": \"h264\"");
                } catch (java.io.IOException | InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            // Only B publishes the key now: what C served came through B (its pull, re-pointed, or a new one).
            assertThat(a.hub().find(key).map(st -> st.isLive()).orElse(false)).isFalse();
        }
    }

    /** An ffmpeg publisher of a small test picture ({@code size}, no B-frames, SPS/PPS in every keyframe). */
    private Ffmpeg publisher(int rtmpPort, String path, String size) throws java.io.IOException {
        return Ffmpeg.start(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
                "-f", "lavfi", "-i", "testsrc2=size=" + size + ":rate=25", "-f", "lavfi", "-i", "sine",
                "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-bf", "0", "-g", "25",
                "-x264-params", "repeat-headers=1", "-c:a", "aac", "-t", "150", "-f", "flv",
                "rtmp://127.0.0.1:" + rtmpPort + path), dir);
    }

    /** An ffmpeg viewer decoding {@code url}'s video and logging each picture ({@code showinfo}: "s:WxH"). */
    private Ffmpeg viewer(String url) throws java.io.IOException {
        return Ffmpeg.start(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "info",
                "-rw_timeout", "20000000", "-i", url, "-map", "0:v", "-vf", "showinfo", "-f", "null", "-"), dir);
    }

    private static long pictures(Ffmpeg viewer, String size) {
        try {
            return viewer.stderr().lines().filter(l -> l.contains("Parsed_showinfo") && l.contains(" s:" + size + " "))
                    .count();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Pre-emption (issue 19): B pulls live/pre from A for its viewers (ffmpeg decoding it over FLV, RTMP
     * and SRT). While A validly owns the key a publisher on B is refused as a duplicate and the viewers
     * go on. A is then cut from Redis (a partition: its stream flows on, its lease expires) and a
     * publisher of the key arrives at B while B's pull is live: B claims the key, stops its pull, and the
     * pull's viewers carry on with B's publisher without being ended (its other picture size proves
     * where their frames come from).
     */
    @Test
    void aLocalPublisherPreemptsTheNodesOwnPullOfTheKeyAndKeepsItsViewers() throws Exception {
        Config.RelayConfig relay = new Config.RelayConfig(0, "a-cluster-secret-of-16+");
        URI redis = URI.create(Peers.redis());
        try (TcpProxy proxy = new TcpProxy(redis.getHost(), redis.getPort())) {
            VireoServer a = node("a", "redis://127.0.0.1:" + proxy.port() + "/" + REDIS_DB, relay);
            VireoServer.BoundPorts pa = a.start();
            VireoServer b = node("b", Peers.redis() + "/" + REDIS_DB, relay);
            VireoServer.BoundPorts pb = b.start();
            StreamKey key = StreamKey.of("live", "pre");
            try (Ffmpeg onA = publisher(pa.rtmp(), "/live/pre", "320x240")) {
                Await.until(Duration.ofSeconds(30), "B sees A own the key", () -> b.cluster().orElseThrow().owner(key)
                        .map(o -> o.nodeId().equals("a")).orElse(false));
                List<Ffmpeg> viewers = List.of(viewer("http://127.0.0.1:" + pb.http() + "/live/pre.flv"),
                        viewer("rtmp://127.0.0.1:" + pb.rtmp() + "/live/pre"),
                        viewer("srt://127.0.0.1:" + pb.srt() + "?streamid=#!::r=live/pre,m=request"));
                try {
                    Await.until(Duration.ofSeconds(60), "B's FLV, RTMP and SRT viewers decode A's pictures",
                            () -> viewers.stream().allMatch(v -> pictures(v, "320x240") >= 25));
                    assertThat(b.edge().orElseThrow().pulling()).containsExactly(key);

                    // A owns the key: a publisher on B is refused as a duplicate; B's pull and viewers go on.
                    try (Ffmpeg refused = publisher(pb.rtmp(), "/live/pre", "480x270")) {
                        Await.until(Duration.ofSeconds(30), "the duplicate on B is refused", () -> !refused.isAlive());
                        assertThat(refused.stderr()).contains("stream /live/pre is already being published");
                    }
                    assertThat(b.edge().orElseThrow().pulling()).containsExactly(key);

                    // A loses Redis: its lease and claim expire while its stream flows on to B's pull.
                    proxy.cut();
                    Await.until(Duration.ofSeconds(20), "B's view has lost A", () -> !b.cluster().orElseThrow()
                            .registry().nodes().containsKey("a") && b.cluster().orElseThrow().owner(key).isEmpty());
                    long before = viewers.stream().mapToLong(v -> pictures(v, "320x240")).min().orElseThrow();
                    Await.until(Duration.ofSeconds(20), "B's pull still feeds its viewers",
                            () -> viewers.stream().allMatch(v -> pictures(v, "320x240") >= before + 25));
                    assertThat(b.edge().orElseThrow().pulling()).containsExactly(key);
                    assertThat(onA.isAlive()).isTrue();

                    // The publisher arrives at B while B's pull is live: accepted, claimed, the pull stopped.
                    try (Ffmpeg onB = publisher(pb.rtmp(), "/live/pre", "480x270")) {
                        Await.until(Duration.ofSeconds(30), "B claimed the key", () ->
                                b.cluster().orElseThrow().registry().held().containsKey(key));
                        assertThat(onB.isAlive()).as("B's publisher").isTrue();
                        Await.until(Duration.ofSeconds(10), "B's pull stopped",
                                () -> b.edge().orElseThrow().pulling().isEmpty());
                        assertThat(b.hub().find(key).orElseThrow().isDerived()).isFalse();
                        // The pull's viewers were handed over, not ended: they decode B's pictures now.
                        Await.until(Duration.ofSeconds(30), () -> "every viewer decodes B's pictures: " + viewers.stream()
                                .map(v -> pictures(v, "480x270") + (v.isAlive() ? "" : " (ended)")).toList(),
                                () -> viewers.stream().allMatch(v -> pictures(v, "480x270") >= 25));
                        assertThat(viewers).allMatch(Ffmpeg::isAlive);
                        assertThat(b.hub().find(key).orElseThrow().viewerCount()).isEqualTo(3);
                    }
                } finally {
                    viewers.forEach(Ffmpeg::close);
                }
            }
        }
    }

    @Test
    void aRedisOutageKeepsRunningStreamsAndRefusesNewOnesWithAReason() throws Exception {
        URI redis = URI.create(Peers.redis());
        try (TcpProxy proxy = new TcpProxy(redis.getHost(), redis.getPort())) {
            VireoServer a = node("a", "redis://127.0.0.1:" + proxy.port() + "/" + REDIS_DB);
            VireoServer.BoundPorts pa = a.start();
            StreamKey key = StreamKey.of("live", "running");
            try (Ffmpeg running = Ffmpeg.publish("rtmp://127.0.0.1:" + pa.rtmp() + "/live/running", 120, dir)) {
                Await.until(Duration.ofSeconds(20), "the publisher is live and claimed", () ->
                        a.cluster().orElseThrow().registry().held().containsKey(key));

                proxy.cut();
                Await.until(Duration.ofSeconds(15), "A sees Redis gone", () -> !a.cluster().orElseThrow().registry()
                        .available());
                try (Ffmpeg late = Ffmpeg.publish("rtmp://127.0.0.1:" + pa.rtmp() + "/live/late", 30, dir)) {
                    Await.until(Duration.ofSeconds(20), "the new publisher is refused", () -> !late.isAlive());
                    assertThat(late.stderr()).contains("cluster registry unavailable");
                }
                // The running stream kept flowing: ffprobe reads it from A during the outage.
                Ffmpeg.Result probe = Ffmpeg.run(Ffmpeg.ffprobeStreams("http://127.0.0.1:" + pa.http()
                        + "/live/running.flv"), dir, 30);
                assertThat(probe.exitCode()).as(probe.stderr()).isZero();
                assertThat(probe.stdout()).contains("\"codec_name\": \"h264\"");
                assertThat(running.isAlive()).isTrue();

                proxy.restore();
                Await.until(Duration.ofSeconds(30), "A is back in the registry with its claim", () -> {
                    RedisClient client = RedisClient.create(RedisURI.create(Peers.redis() + "/" + REDIS_DB));
                    try (StatefulRedisConnection<String, String> c = client.connect()) {
                        String v = c.sync().get(RegistryKeys.stream(key));
                        return a.cluster().orElseThrow().registry().available() && v != null && v.endsWith("|a");
                    } finally {
                        client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
                    }
                });
            }
        }
    }
}
