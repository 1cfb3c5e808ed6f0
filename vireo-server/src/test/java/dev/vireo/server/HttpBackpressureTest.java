package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hole 1 of issue 17: one connection pipelines 50,000 {@code GET /metrics} and never reads. The
 * server must stop reading it once its answers back up (not answer into the unread socket without
 * bound), keep serving others, and refuse HTTP versions it does not speak.
 */
@Timeout(90)
class HttpBackpressureTest {

    private static final int REQUESTS = 50_000;
    /** Generous: the kernel takes what it takes; Netty's outbound buffer holds about a water mark more. */
    private static final long MAX_PENDING = 1024 * 1024;

    @TempDir
    Path dir;
    private VireoServer server;
    private VireoServer.BoundPorts ports;

    @BeforeEach
    void start() {
        server = new VireoServer(TestConfigs.loopback(dir.resolve("data")));
        ports = server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aClientThatPipelinesWithoutReadingIsNotReadEither() throws Exception {
        long directBefore = nettyMemory();
        byte[] one = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer all = ByteBuffer.allocate(one.length * REQUESTS);
        for (int i = 0; i < REQUESTS; i++) {
            all.put(one);
        }
        all.flip();
        long maxPending = 0;
        try (SocketChannel attacker = SocketChannel.open()) {
            attacker.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
            attacker.connect(new InetSocketAddress("127.0.0.1", ports.http()));
            attacker.configureBlocking(false);
            // Write until everything is sent or the socket takes no more, and the server holds the
            // connection back (its answers are not taken): from then on nothing changes.
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            boolean stuck = false;
            while (System.nanoTime() < deadline) {
                int n = all.hasRemaining() ? attacker.write(all) : 0;
                maxPending = Math.max(maxPending, server.http().pendingOutboundBytes());
                stuck = n == 0 && server.http().unwritableConnections() > 0 && server.http().readsPaused() > 0;
                if (stuck) {
                    break;
                }
                if (n == 0) {
                    LockSupport.parkNanos(1_000_000);
                }
            }
            assertThat(stuck).as("the server paused reading the connection (written %d, pending %d, unwritable %d,"
                    + " paused %d)", all.position(), server.http().pendingOutboundBytes(),
                    server.http().unwritableConnections(), server.http().readsPaused()).isTrue();
            long pending = server.http().pendingOutboundBytes();
            long directDuring = nettyMemory();
            System.out.printf("pipelined %d of %d requests (%d bytes); server holds %d response bytes (max seen %d);"
                            + " Netty allocator memory %d -> %d bytes%n", all.position() / one.length, REQUESTS,
                    all.position(), pending, maxPending, directBefore, directDuring);
            assertThat(maxPending).isLessThan(MAX_PENDING);
            // Before the fix the server answered all 50,000 into the unread socket: hundreds of MB.
            assertThat(directDuring - directBefore).isLessThan(64L * 1024 * 1024);

            // Others are served meanwhile.
            HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + ports.http() + "/healthz")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + ports.http() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).containsPattern("vireo_http_reads_paused_total [1-9]");
        }
    }

    /** Direct + heap bytes Netty's default allocator holds for the whole JVM. */
    private static long nettyMemory() {
        return ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p
                ? p.metric().usedDirectMemory() + p.metric().usedHeapMemory() : -1;
    }

    @Test
    void aClientThatReadsGetsEveryPipelinedAnswerInOrder() throws Exception {
        int count = 2_000;
        StringBuilder requests = new StringBuilder();
        for (int i = 0; i < count; i++) {
            requests.append("GET /healthz?n=").append(i).append(" HTTP/1.1\r\nHost: x\r\n\r\n");
        }
        try (Socket s = new Socket("127.0.0.1", ports.http())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    out.write(requests.toString().getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            InputStream in = s.getInputStream();
            String text = new String(in.readNBytes(oneHealthAnswerLength(in, count)), StandardCharsets.US_ASCII);
            writer.join(20_000);
            assertThat(text.split("HTTP/1.1 200 OK", -1)).hasSize(count);
        }
    }

    /** Reads the first answer to size the rest (every /healthz answer has the same length but the request id). */
    private static int oneHealthAnswerLength(InputStream in, int count) throws java.io.IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new java.io.EOFException();
            }
            head.append((char) c);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        in.readNBytes(length);
        return (head.length() + length) * (count - 1);
    }

    @Test
    void anHttpVersionWeDoNotSpeakIsRefusedWith505() throws Exception {
        for (String version : new String[] {"HTTP/9.9", "HTTP/2.0", "HTTP/1.7"}) {
            try (Socket s = new Socket("127.0.0.1", ports.http())) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write(("GET /healthz " + version + "\r\nHost: x\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                assertThat(answer).as(version).startsWith("HTTP/1.1 505 ");
            }
        }
        // RTMP garbage: a handshake with an unknown version closes that connection, counted too.
        try (Socket s = new Socket("127.0.0.1", ports.rtmp())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(new byte[1537]);
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        dev.vireo.core.testing.Await.until(Duration.ofSeconds(10), "malformed input counted", () ->
                server.meterRegistry().get("vireo.refusals").tag("reason", "malformed").functionCounter().count() >= 4);
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + ports.http() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).containsPattern("vireo_refusals_total\\{reason=\"malformed\"} [4-9]");
    }
}
