package dev.vireo.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vireo.core.testing.Await;
import dev.vireo.http.endpoints.HealthEndpoint;
import dev.vireo.http.routing.Json;
import dev.vireo.http.routing.Reply;
import dev.vireo.http.routing.Response;
import dev.vireo.http.routing.Router;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class HttpServerTest {

    private static EventLoopGroup boss;
    private static EventLoopGroup workers;
    private static HttpServer server;
    private static int port;
    private static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** What GET /parked answers, once the test completes it. */
    private static volatile CompletableFuture<Response> parked = new CompletableFuture<>();

    @BeforeAll
    static void start() {
        boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        Router router = new Router();
        new HealthEndpoint().mount(router);
        router.post("/echo", r -> Response.json(200, Map.of("length", r.body().length,
                "query", r.queryParams(), "host", r.host())));
        router.get("/boom", r -> {
            throw new IllegalStateException("handler bug");
        });
        router.get("/slow", r -> Reply.later(CompletableFuture.supplyAsync(
                () -> Response.text(200, "text/plain", "slow"),
                CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS))));
        router.get("/parked", r -> Reply.later(parked));
        router.get("/fails-later", r -> Reply.later(CompletableFuture.failedFuture(new RuntimeException("db down"))));
        router.delete("/things/{id}", r -> Response.of(204));
        router.get("/things/{id}", r -> Response.json(200, Map.of("id", r.param("id"))));
        router.get("/query", r -> Response.json(200, Map.of("x", String.valueOf(r.query("x")))));
        router.get("/denied", r -> Response.error(403, "Forbidden", "no").header("X-Tengine-Error", "no"));
        server = new HttpServer(HttpConfig.defaults().withBind("127.0.0.1", 0).withIdleTimeout(Duration.ofMillis(500)),
                router, boss, workers, NioServerSocketChannel.class);
        port = server.start();
    }

    @AfterAll
    static void stop() {
        server.close();
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(String body) throws Exception {
        return Json.mapper().readTree(body);
    }

    @Test
    void healthzAnswersOkWithCorsAndARequestId() throws Exception {
        HttpResponse<String> r = get("/healthz");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r.body()).get("status").asText()).isEqualTo("ok");
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(r.headers().firstValue("access-control-allow-origin")).hasValue("*");
        assertThat(r.headers().firstValue("x-request-id")).get().asString().matches("[0-9a-f]{16}");
    }

    @Test
    void unknownRouteIsA404WithTheJsonErrorBody() throws Exception {
        HttpResponse<String> r = get("/nope/nothing/here?auth_key=secret");
        assertThat(r.statusCode()).isEqualTo(404);
        JsonNode body = json(r.body());
        assertThat(body.get("code").asText()).isEqualTo("NotFound");
        assertThat(body.get("message").asText()).contains("/nope/nothing/here").doesNotContain("secret");
        assertThat(body.get("requestId").asText()).isEqualTo(r.headers().firstValue("x-request-id").orElseThrow());
        assertThat(r.headers().firstValue("access-control-allow-origin")).hasValue("*");
    }

    @Test
    void errorsFromHandlersKeepTheirHeaders() throws Exception {
        HttpResponse<String> r = get("/denied");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.headers().firstValue("x-tengine-error")).hasValue("no");
        assertThat(r.headers().firstValue("access-control-expose-headers")).get().asString().contains("X-Tengine-Error");
    }

    @Test
    void optionsPreflightListsTheRouteMethods() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/things/7"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://player.example")
                .header("Access-Control-Request-Method", "DELETE")
                .header("Access-Control-Request-Headers", "content-type, x-custom")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(r.headers().firstValue("access-control-allow-origin")).hasValue("*");
        assertThat(r.headers().firstValue("access-control-allow-methods")).get().asString()
                .contains("GET", "DELETE", "OPTIONS").doesNotContain("POST");
        assertThat(r.headers().firstValue("access-control-allow-headers")).hasValue("content-type, x-custom");
        assertThat(r.headers().firstValue("access-control-max-age")).hasValue("86400");

        HttpResponse<String> unknown = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/zzz"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(404);
    }

    @Test
    void wrongMethodIs405WithAllow() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("allow")).get().asString().contains("GET", "HEAD");
        assertThat(json(r.body()).get("code").asText()).isEqualTo("MethodNotAllowed");
    }

    @Test
    void bodyQueryAndHostReachTheHandler() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/echo?a=1&b=x%20y"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[1000])).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json(r.body());
        assertThat(body.get("length").asInt()).isEqualTo(1000);
        assertThat(body.get("query").get("b").get(0).asText()).isEqualTo("x y");
        assertThat(body.get("host").asText()).isEqualTo("localhost");
    }

    @Test
    void handlerExceptionIsA500AndTheServerGoesOn() throws Exception {
        HttpResponse<String> r = get("/boom");
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(json(r.body()).get("code").asText()).isEqualTo("InternalError");
        assertThat(r.body()).doesNotContain("handler bug");
        assertThat(get("/fails-later").statusCode()).isEqualTo(500);
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void oversizedHeadersGet431() throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            raw.send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
            RawHttp.Reply r = raw.read();
            assertThat(r.status()).isEqualTo(431);
            assertThat(json(r.body()).get("code").asText()).isEqualTo("RequestHeaderFieldsTooLarge");
            assertThat(raw.closedByServer()).isTrue();
        }
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void overlongRequestLineGets414() throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            raw.send("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Reply r = raw.read();
            assertThat(r.status()).isEqualTo(414);
            assertThat(json(r.body()).get("requestId").asText()).isNotEmpty();
        }
    }

    @Test
    void oversizedBodyGets413() throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            raw.send("POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: " + (2 << 20) + "\r\n\r\n");
            RawHttp.Reply r = raw.read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(json(r.body()).get("code").asText()).isEqualTo("RequestEntityTooLarge");
            assertThat(raw.closedByServer()).isTrue();
        }
        // A client that sends the body anyway gets the same answer.
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/echo"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[(1 << 20) + 1])).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void malformedRequestsGet400() throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            raw.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n");
            assertThat(raw.read().status()).isEqualTo(400);
        }
        try (RawHttp raw = new RawHttp(port)) {
            // RFC 9112 §3.2: HTTP/1.1 without Host.
            raw.send("GET /healthz HTTP/1.1\r\n\r\n");
            RawHttp.Reply r = raw.read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.body()).contains("Host");
        }
        try (RawHttp raw = new RawHttp(port)) {
            raw.send("GET /things/%zz HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(raw.read().status()).isEqualTo(400);
        }
    }

    @Test
    void aMalformedQueryGets400NotAHandlerFailure() throws Exception {
        // found by HlsQueryJazzerTest: Netty's QueryStringDecoder throws on a bad escape, which
        // reached handlers (r.query) and was answered 500 with a stack trace in the log
        assertThat(get("/query?x=a%20b").body()).contains("\"x\":\"a b\"");
        for (String q : List.of("x=%zz", "_H%R_msn=12", "x=%")) {
            try (RawHttp raw = new RawHttp(port)) {
                raw.send("GET /query?" + q + " HTTP/1.1\r\nHost: x\r\n\r\n");
                RawHttp.Reply r = raw.read();
                assertThat(r.status()).as(q).isEqualTo(400);
                assertThat(r.body()).contains("query string").doesNotContain(q);
            }
        }
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void keepAliveAndPipelinedRepliesStayInOrder() throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            raw.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /things/42 HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Reply first = raw.read();
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.body()).isEqualTo("slow");
            assertThat(first.header("connection")).isEqualTo("keep-alive");
            RawHttp.Reply second = raw.read();
            assertThat(json(second.body()).get("id").asText()).isEqualTo("42");
            RawHttp.Reply head = raw.read(true);
            assertThat(head.status()).isEqualTo(200);
            // RFC 9110 §9.3.2: HEAD gets the GET headers, Content-Length included, and no body.
            assertThat(head.header("content-length")).isEqualTo(String.valueOf("{\"status\":\"ok\"}".length()));
            RawHttp.Reply fourth = raw.read();
            assertThat(fourth.body()).isEqualTo("{\"status\":\"ok\"}");
        }
    }

    @Test
    void connectionCloseIsHonoured() throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            raw.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            RawHttp.Reply r = raw.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(raw.closedByServer()).isTrue();
        }
    }

    @Test
    void idleConnectionsAreClosed() throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            raw.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(raw.read().status()).isEqualTo(200);
            // The server's idle timeout is 500 ms; the socket's read timeout is 10 s.
            long start = System.nanoTime();
            assertThat(raw.closedByServer()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(9));
        }
    }

    @Test
    void aRequestAnsweredAfterTheIdleTimeoutGetsItsAnswer() throws Exception {
        parked = new CompletableFuture<>();
        try (RawHttp raw = new RawHttp(port)) {
            raw.send("GET /parked HTTP/1.1\r\nHost: x\r\n\r\n");
            // Three idle timeouts (500 ms) with the request unanswered: time has to pass here.
            long due = System.nanoTime() + Duration.ofMillis(1500).toNanos();
            Await.until(Duration.ofSeconds(5), "three idle timeouts", () -> System.nanoTime() >= due);
            parked.complete(Response.text(200, "text/plain", "late"));
            RawHttp.Reply r = raw.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("late");
            // idle once answered: closed
            assertThat(raw.closedByServer()).isTrue();
        }
    }

    @Test
    void aTakenPortIsAClearError() {
        HttpServer second = new HttpServer(HttpConfig.defaults().withBind("127.0.0.1", port), new Router(),
                boss, workers, NioServerSocketChannel.class);
        try {
            org.assertj.core.api.Assertions.assertThatThrownBy(second::start)
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("cannot listen for HTTP on 127.0.0.1:" + port);
        } finally {
            second.close();
        }
    }
}
