package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Issue 17, faults: a tenant's webhook endpoint that hangs (accepts, never answers) or is down
 * (nothing listens) never holds a publish back. ffmpeg publishes to an ingest domain whose notify
 * URL is that endpoint; the stream goes live while the hook is still pending, HTTP-FLV viewers get
 * frames, and they keep getting them after the hook gave up (the authorization hook hanging past
 * its timeout with {@code webhooks.auth-failure allow}; fail-closed is {@code PublishHookFailClosedTest}).
 */
@Timeout(120)
class WebhookFaultTest {

    private static final String PUSH = "push.hooks.test";
    private static final String PLAY = "play.hooks.test";

    @TempDir
    Path dir;

    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private final ListAppender<ILoggingEvent> hookLog = new ListAppender<>();
    private ServerSocket silent;

    @BeforeEach
    void watchHookLog() {
        hookLog.start();
        ((Logger) LoggerFactory.getLogger("dev.vireo.control.hooks.Webhooks")).addAppender(hookLog);
    }

    @AfterEach
    void closeHeld() throws IOException {
        ((Logger) LoggerFactory.getLogger("dev.vireo.control.hooks.Webhooks")).detachAppender(hookLog);
        if (silent != null) {
            silent.close();
        }
        for (Socket s : held) {
            s.close();
        }
    }

    private VireoServer server(Duration authTimeout) {
        return new VireoServer(TestConfigs.loopback(dir.resolve("data"))
                .withProtection(Config.Protection.defaults().withWebhookAllow("127.0.0.1/32")
                        .withWebhookAuth(authTimeout, true)));
    }

    private static Ffmpeg publish(int rtmpPort, Path dir) throws IOException {
        return Ffmpeg.start(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
                "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-f", "lavfi", "-i", "sine",
                "-c:v", "libx264", "-preset", "ultrafast", "-bf", "0", "-g", "30", "-c:a", "aac", "-t", "90",
                "-f", "flv", "rtmp://127.0.0.1:" + rtmpPort + "/live/demo?vhost=" + PUSH), dir);
    }

    /** Live, played, and still played once every hook attempt is over. */
    private void publishGoesOnDespiteTheHook(VireoServer server, VireoServer.BoundPorts ports, boolean hookHangs)
            throws Exception {
        StreamKey key = new StreamKey(PUSH, "live", "demo");
        try (Ffmpeg publisher = publish(ports.rtmp(), dir)) {
            Await.until(Duration.ofSeconds(30), "the publisher live", () -> server.hub().find(key)
                    .map(s -> s.isLive() && s.stats().gopCacheFrames() > 0).orElse(false));
            if (hookHangs) {
                // live while the hook's request is still unanswered: the publish did not wait for it
                Await.until(Duration.ofSeconds(10), "the hook called", () -> !held.isEmpty());
                assertThat(server.control().pendingWebhooks()).isPositive();
            }
            try (FlvViewer viewer = new FlvViewer("http://127.0.0.1:" + ports.http() + "/live/demo.flv?vhost=" + PLAY)) {
                Await.until(Duration.ofSeconds(15), () -> "60 frames at the viewer: " + viewer,
                        () -> viewer.videoFrames() >= 60);
                assertThat(viewer.status()).isEqualTo(200);
                if (hookHangs) {
                    // the authorization hook's timeout passed: the publisher stays (fail-open)
                    Await.until(Duration.ofSeconds(30), "the hook's timeout", () -> hookLog.list.stream().anyMatch(e -> e
                            .getFormattedMessage().contains("did not answer within 2000 ms: publisher allowed")));
                } else {
                    Await.until(Duration.ofSeconds(60), "every hook attempt over", () -> server.control().pendingWebhooks() == 0);
                }
                long frames = viewer.videoFrames();
                Await.until(Duration.ofSeconds(15), () -> "60 more frames after the hook gave up: " + viewer,
                        () -> viewer.videoFrames() >= frames + 60);
                assertThat(viewer.ended()).as(viewer.toString()).isFalse();
                assertThat(publisher.isAlive()).as("the publisher kept").isTrue();
                assertThat(server.hub().find(key).map(s -> s.isLive()).orElse(false)).isTrue();
            }
        }
    }

    @Test
    void aHookThatNeverAnswersDoesNotHoldThePublishBeyondItsTimeout() throws Exception {
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!silent.isClosed()) {
                try {
                    held.add(silent.accept());
                } catch (IOException e) {
                    return;
                }
            }
        });
        try (VireoServer server = server(Duration.ofSeconds(2))) {
            VireoServer.BoundPorts ports = server.start();
            FaultDomains.unsignedPair(server, ports.http(), PUSH, PLAY);
            FaultDomains.ok(server, ports.http(), "PUT", "/api/v1/domains/" + PUSH + "/notify", "{\"url\":\"http://127.0.0.1:"
                    + silent.getLocalPort() + "/hook\",\"secret\":\"0123456789abcdef-secret\",\"onPublishAuth\":true}");
            publishGoesOnDespiteTheHook(server, ports, true);
        }
    }

    @Test
    void aHookThatIsDownDoesNotHoldThePublish() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (VireoServer server = server(Duration.ofSeconds(2))) {
            VireoServer.BoundPorts ports = server.start();
            FaultDomains.unsignedPair(server, ports.http(), PUSH, PLAY);
            FaultDomains.ok(server, ports.http(), "PUT", "/api/v1/domains/" + PUSH + "/notify", "{\"url\":\"http://127.0.0.1:"
                    + closedPort + "/hook\",\"secret\":\"0123456789abcdef-secret\"}");
            publishGoesOnDespiteTheHook(server, ports, false);
        }
    }
}
