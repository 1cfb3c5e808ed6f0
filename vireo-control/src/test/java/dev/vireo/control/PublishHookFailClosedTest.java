package dev.vireo.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.control.model.ControlConfig;
import dev.vireo.core.Publication;
import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17: an on-publish authorization hook that never answers refuses the publisher after its
 * timeout (fail-closed by default), or lets it stay when configured fail-open; and the store that
 * holds the signing keys and webhook secrets is the owner's alone (0700 directories, 0600 files).
 */
@Timeout(60)
class PublishHookFailClosedTest {

    private static final StreamKey KEY = new StreamKey("push.example.com", "live", "demo");

    @TempDir
    Path dir;
    private ServerSocket silent;
    private final List<Socket> held = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        // A hook that accepts and never answers.
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
    }

    @AfterEach
    void stop() throws IOException {
        silent.close();
        for (Socket s : held) {
            s.close();
        }
    }

    private TestPlane plane(boolean failOpen) {
        TestPlane t = new TestPlane(dir.resolve("data-" + failOpen), Clock.systemUTC(), c -> c.withWebhooks(
                new ControlConfig.WebhookPolicy(2, Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(700), 100)
                        .withAllow("127.0.0.1:" + silent.getLocalPort())
                        .withAuth(Duration.ofSeconds(1), failOpen)));
        t.addDomain("push.example.com", "ingest");
        TestPlane.Answer a = t.call("PUT", "/api/v1/domains/push.example.com/notify", "{\"url\":\"http://127.0.0.1:"
                + silent.getLocalPort() + "/auth\",\"secret\":\"0123456789abcdef-secret\",\"onPublishAuth\":true}");
        assertThat(a.status()).as(a.raw()).isEqualTo(200);
        return t;
    }

    @Test
    void aHookThatNeverAnswersRefusesThePublisher() throws Exception {
        try (TestPlane t = plane(false)) {
            AtomicReference<String> revoked = new AtomicReference<>();
            Publication p = t.hub.publish(KEY, "session-1", revoked::set);
            Await.until(Duration.ofSeconds(15), "the publisher refused", () -> revoked.get() != null);
            assertThat(revoked.get()).isEqualTo("publish authorization hook did not answer within 1000 ms");
            assertThat(t.hub.find(KEY)).isEmpty();
            p.close();
        }
    }

    @Test
    void failOpenLetsThePublisherStay() throws Exception {
        try (TestPlane t = plane(true)) {
            AtomicReference<String> revoked = new AtomicReference<>();
            try (Publication p = t.hub.publish(KEY, "session-2", revoked::set)) {
                Await.until(Duration.ofSeconds(15), "every attempt over", () -> t.plane.pendingWebhooks() == 0);
                assertThat(revoked.get()).isNull();
                assertThat(p.isRevoked()).isFalse();
            }
        }
    }

    @Test
    void theStoreIsTheOwnersAlone() throws Exception {
        try (TestPlane t = plane(false)) {
            Path data = dir.resolve("data-false");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data))).isEqualTo("rwx------");
            Path control = data.resolve("control");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(control))).isEqualTo("rwx------");
            try (var files = Files.list(control)) {
                List<Path> all = files.filter(Files::isRegularFile).toList();
                assertThat(all).isNotEmpty();
                for (Path f : all) {
                    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).as(f.toString())
                            .isEqualTo("rw-------");
                }
            }
        }
    }

    @Test
    void anExistingOpenStoreIsClosedUp() throws Exception {
        Path data = dir.resolve("data-open");
        Path control = Files.createDirectories(data.resolve("control"));
        Files.setPosixFilePermissions(control, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (TestPlane t = new TestPlane(data)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(control))).isEqualTo("rwx------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(control.resolve("vireo.mv.db"))))
                    .isEqualTo("rw-------");
        }
    }
}
