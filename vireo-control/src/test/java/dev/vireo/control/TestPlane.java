package dev.vireo.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vireo.control.model.ControlConfig;
import dev.vireo.core.HubConfig;
import dev.vireo.core.StreamHub;
import dev.vireo.http.HttpConfig;
import dev.vireo.http.HttpServer;
import dev.vireo.http.routing.Router;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultEventExecutor;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/** A control plane with its REST API on a real HTTP server (ephemeral port), over an H2 file in a temp dir. */
public final class TestPlane implements AutoCloseable {

    public static final String ADMIN_KEY = "test-admin-key-0123456789abcdef";
    public static final ObjectMapper JSON = new ObjectMapper();

    /** A response: status, parsed JSON body (null when empty), headers. */
    public record Answer(int status, JsonNode json, HttpHeaders headers, String raw) {
        public String code() {
            return json == null ? null : json.path("code").asText(null);
        }
    }

    public final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    public final EventLoopGroup workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    public final DefaultEventExecutor hubTimer = new DefaultEventExecutor();
    public final StreamHub hub = new StreamHub(HubConfig.defaults(), hubTimer);
    public final Router router = new Router();
    public final ControlConfig config;
    public final ControlPlane plane;
    public final HttpServer http;
    public final int port;
    public final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public TestPlane(Path dataDir, Clock clock, UnaryOperator<ControlConfig> tune) {
        config = tune.apply(ControlConfig.defaults(dataDir).withAdminKey(ADMIN_KEY).withCnameZone("cname.vireo.test")
                // These tests are about the managed mode: only configured domains are served.
                .withRefreshInterval(Duration.ZERO).withDefaultVhost(false));
        plane = ControlPlane.open(config, hub, clock);
        plane.mount(router);
        http = new HttpServer(HttpConfig.defaults().withBind("127.0.0.1", 0), router, boss, workers,
                NioServerSocketChannel.class);
        port = http.start();
    }

    public TestPlane(Path dataDir) {
        this(dataDir, Clock.systemUTC(), c -> c);
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    public Answer call(String method, String path, String body) {
        return call(method, path, body, ADMIN_KEY);
    }

    public Answer call(String method, String path, String body, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        try {
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = r.body().isEmpty() ? null : JSON.readTree(r.body());
            return new Answer(r.statusCode(), json, r.headers(), r.body());
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Adds a domain through the API and returns the answer's JSON (fails the test unless 201). */
    public JsonNode addDomain(String name, String type) {
        Answer a = call("POST", "/api/v1/domains", "{\"domain\":\"" + name + "\",\"type\":\"" + type + "\"}");
        if (a.status() != 201) {
            throw new AssertionError("adding " + name + ": " + a.status() + " " + a.raw());
        }
        return a.json();
    }

    /** Switches signing off (domains sign by default). */
    public void signingOff(String domain) {
        Answer a = call("PUT", "/api/v1/domains/" + domain + "/signing", "{\"enabled\":false}");
        if (a.status() != 200) {
            throw new AssertionError(a.raw());
        }
    }

    @Override
    public void close() {
        http.close();
        hub.close();
        plane.close();
        client.close();
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        hubTimer.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
