package dev.vireo.control.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vireo.control.TestCerts;
import dev.vireo.control.TestPlane;
import dev.vireo.control.access.UrlSigning;
import dev.vireo.control.model.ControlConfig;
import dev.vireo.core.Gate;
import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import dev.vireo.rtmp.RtmpConfig;
import dev.vireo.rtmp.RtmpServer;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets at rest in the embedded store (issue 17): what the API stores is sealed with the key file
 * (not in the H2 file's bytes), a restart with the key reads it, another key stops the start with a
 * clear message, and the V7 migration seals a V6 store's clear values — its signed URLs still work
 * (ffmpeg pushes with one made before the migration).
 */
@Timeout(180)
class SecretsAtRestTest {

    private static final String PRIMARY = "PrimarySigningKey4f1e9";
    private static final String SECONDARY = "SecondarySigningKey77ab2";
    private static final String HOOK_SECRET = "WebhookSecret-0c5d-31aa";
    private static final String HOOK_URL = "http://127.0.0.1:9/hook?token=HookUrlToken-9d2f";
    private static final String SRT_PASS = "SrtPassphrase-18e4c6";

    @TempDir
    Path dir;

    private TestPlane plane(Path data) {
        return new TestPlane(data, Clock.systemUTC(), c -> c
                .withWebhooks(ControlConfig.WebhookPolicy.defaults().withAllow("127.0.0.1:9")));
    }

    private static byte[] h2File(Path data) throws Exception {
        return Files.readAllBytes(data.resolve("control/vireo.mv.db"));
    }

    private static boolean contains(byte[] haystack, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i + n.length <= haystack.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (haystack[i + j] != n[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** A line of the private key's Base64 body: present in the file only if the key is stored in clear. */
    private static String keyLine(String privateKeyPem) {
        return privateKeyPem.lines().filter(l -> !l.startsWith("-----") && l.length() >= 40).findFirst().orElseThrow();
    }

    @Test
    void secretsWrittenThroughTheApiAreNotInTheStoreFileAndOnlyThisKeyReadsThem() throws Exception {
        Path data = dir.resolve("data");
        TestCerts.Pem pem = TestCerts.valid("push.example.com");
        try (TestPlane t = plane(data)) {
            t.addDomain("push.example.com", "ingest");
            assertThat(t.call("PUT", "/api/v1/domains/push.example.com/signing", "{\"primaryKey\":\"" + PRIMARY
                    + "\",\"secondaryKey\":\"" + SECONDARY + "\"}").status()).isEqualTo(200);
            assertThat(t.call("PUT", "/api/v1/domains/push.example.com/notify", "{\"url\":\"" + HOOK_URL
                    + "\",\"secret\":\"" + HOOK_SECRET + "\"}").status()).isEqualTo(200);
            assertThat(t.call("PUT", "/api/v1/domains/push.example.com/srt", "{\"passphrase\":\"" + SRT_PASS + "\"}")
                    .status()).isEqualTo(200);
            assertThat(t.call("PUT", "/api/v1/domains/push.example.com/certificate", TestPlane.JSON.createObjectNode()
                    .put("certificate", pem.certificate()).put("privateKey", pem.privateKey()).toString()).status())
                    .isEqualTo(200);
        }
        byte[] file = h2File(data);
        assertThat(contains(file, "push.example.com")).as("the scan finds what is stored in clear (the name)").isTrue();
        for (String secret : List.of(PRIMARY, SECONDARY, HOOK_SECRET, "HookUrlToken-9d2f", SRT_PASS,
                keyLine(pem.privateKey()))) {
            assertThat(contains(file, secret)).as("%s in the H2 file", secret).isFalse();
        }
        assertThat(Files.size(data.resolve("store.key"))).isEqualTo(32);

        // a restart with the same key file reads every secret
        try (TestPlane t = plane(data)) {
            JsonNode signing = t.call("GET", "/api/v1/domains/push.example.com/signing", null).json();
            assertThat(signing.get("primaryKey").asText()).isEqualTo(PRIMARY);
            assertThat(signing.get("secondaryKey").asText()).isEqualTo(SECONDARY);
            assertThat(t.call("GET", "/api/v1/domains/push.example.com/notify", null).json().get("url").asText())
                    .isEqualTo(HOOK_URL);
            assertThat(t.plane.srtPassphrase("push.example.com")).hasValue(SRT_PASS);
            assertThat(t.plane.certificateFor("push.example.com")).isPresent();
        }

        // another key: the start fails and says why, naming no secret
        Files.write(data.resolve("store.key"), new byte[32]);
        assertThatThrownBy(() -> plane(data)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("every node of a cluster must use the same key file")
                .hasMessageContaining("store.key-file")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(PRIMARY).doesNotContain(SRT_PASS));
    }

    @Test
    void theMigrationSealsAV6StoresClearSecretsAndItsSignedUrlsStillWork() throws Exception {
        String ffmpeg = Peers.ffmpeg();
        Path data = dir.resolve("data");
        TestCerts.Pem pem = TestCerts.valid("push.example.com");
        try (Connection c = DriverManager.getConnection(V6Store.h2Url(data))) {
            V6Store.build(c);
            V6Store.clearDomain(c, "push.example.com", PRIMARY, SECONDARY, HOOK_URL, HOOK_SECRET, SRT_PASS);
            V6Store.clearCertificate(c, "push.example.com", pem.certificate(), pem.privateKey());
        }
        assertThat(contains(h2File(data), PRIMARY)).as("V6 kept the key in clear").isTrue();
        // a URL signed before the migration, with the key as V6 stored it
        String authKey = UrlSigning.authKey("/live/old", Instant.now().getEpochSecond(), "0", "0", PRIMARY);

        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
                new ch.qos.logback.core.read.ListAppender<>();
        logs.start();
        root.addAppender(logs);
        try (TestPlane t = plane(data)) {
            try (Connection c = DriverManager.getConnection(V6Store.h2Url(data))) {
                // (the plane's pool holds the file; read through the same JVM's H2 engine)
                for (String[] col : new String[][] {{"domains", "signing_primary_key", "name"},
                        {"domains", "signing_secondary_key", "name"}, {"domains", "notify_url", "name"},
                        {"domains", "notify_secret", "name"}, {"srt_passphrases", "passphrase", "domain"},
                        {"certificates", "private_key_pem", "domain"}}) {
                    assertThat(V6Store.raw(c, col[0], col[1], col[2], "push.example.com")).as(col[0] + "." + col[1])
                            .startsWith("v1:").doesNotContain(PRIMARY).doesNotContain(HOOK_SECRET).doesNotContain(SRT_PASS);
                }
            }
            JsonNode signing = t.call("GET", "/api/v1/domains/push.example.com/signing", null).json();
            assertThat(signing.get("primaryKey").asText()).isEqualTo(PRIMARY);
            assertThat(t.plane.srtPassphrase("push.example.com")).hasValue(SRT_PASS);
            assertThat(t.plane.certificateFor("push.example.com")).isPresent();
            assertThat(t.plane.gate().admit(new Gate.AccessRequest(Gate.Action.PUBLISH, "rtmp", "push.example.com",
                    "live", "old", "", "auth_key=" + authKey, "127.0.0.1"))).isInstanceOf(Gate.Allow.class);

            RtmpServer rtmp = new RtmpServer(RtmpConfig.defaults().withBind("127.0.0.1").withPort(0), t.hub,
                    t.plane.gate(), t.boss, t.workers, NioServerSocketChannel.class);
            int port = rtmp.start();
            Path log = dir.resolve("ffmpeg.log");
            Process p = new ProcessBuilder(ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
                    "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=15", "-f", "lavfi", "-i", "sine",
                    "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "15", "-c:a", "aac",
                    "-t", "60", "-f", "flv", "rtmp://127.0.0.1:" + port + "/live/old?vhost=push.example.com&auth_key="
                            + authKey).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                Await.until(Duration.ofSeconds(30), () -> "ffmpeg's push with the pre-migration URL: " + read(log),
                        () -> t.hub.find(new StreamKey("push.example.com", "live", "old")).map(s -> s.isLive())
                                .orElse(false));
            } finally {
                p.destroy();
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
                rtmp.close();
            }
        }
        root.detachAppender(logs);
        // no secret in any log line or logged exception of the migration, the start and the push
        List<String> lines;
        synchronized (logs) {
            lines = logs.list.stream().map(e -> e.getFormattedMessage() + (e.getThrowableProxy() == null ? ""
                    : " " + e.getThrowableProxy().getMessage())).toList();
        }
        assertThat(lines).anyMatch(l -> l.contains("sealed 6 clear secret values"));
        for (String secret : List.of(PRIMARY, SECONDARY, HOOK_SECRET, "HookUrlToken-9d2f", SRT_PASS)) {
            assertThat(lines).as("log lines").noneMatch(l -> l.contains(secret));
        }
        // and the clear values are gone from the file itself
        byte[] file = h2File(data);
        for (String secret : List.of(PRIMARY, SECONDARY, HOOK_SECRET, SRT_PASS, keyLine(pem.privateKey()))) {
            assertThat(contains(file, secret)).as("%s still in the H2 file after the migration", secret).isFalse();
        }
    }

    /** Rotation: every secret re-sealed under a new key file; the old key no longer starts the store. */
    @Test
    void rotatingTheStoreKeyReSealsEverySecret() throws Exception {
        Path data = dir.resolve("data");
        try (TestPlane t = plane(data)) {
            t.addDomain("push.example.com", "ingest");
            t.call("PUT", "/api/v1/domains/push.example.com/signing", "{\"primaryKey\":\"" + PRIMARY + "\"}");
            t.call("PUT", "/api/v1/domains/push.example.com/srt", "{\"passphrase\":\"" + SRT_PASS + "\"}");
        }
        Path oldKey = data.resolve("store.key");
        Path newKey = dir.resolve("new/store.key");
        ControlConfig config = ControlConfig.defaults(data);
        try (Database db = Database.open(config)) {
            // the domain's primary key and SRT passphrase (the secondary key, webhook and certificate are unset)
            assertThat(db.rotateStoreKey(newKey)).isEqualTo(2);
            assertThatThrownBy(() -> db.rotateStoreKey(oldKey)).as("the key in use").isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(Files.size(newKey)).isEqualTo(32);
        assertThatThrownBy(() -> plane(data)).as("the old key").isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("every node of a cluster must use the same key file");
        try (TestPlane t = new TestPlane(data, Clock.systemUTC(), c -> c.withStoreKeyFile(newKey))) {
            assertThat(t.call("GET", "/api/v1/domains/push.example.com/signing", null).json().get("primaryKey").asText())
                    .isEqualTo(PRIMARY);
            assertThat(t.plane.srtPassphrase("push.example.com")).hasValue(SRT_PASS);
        }
    }

    /**
     * H2 commits DDL at once: a V7 cut short (process killed, the step failing) leaves its tables and
     * columns without its schema_version row; the next start must run V7 again and finish it.
     */
    @Test
    void aV7CutShortAfterItsDdlIsFinishedByTheNextStart() throws Exception {
        Path data = dir.resolve("data");
        try (Connection c = DriverManager.getConnection(V6Store.h2Url(data))) {
            V6Store.build(c);
            V6Store.clearDomain(c, "push.example.com", PRIMARY, SECONDARY, HOOK_URL, HOOK_SECRET, SRT_PASS);
            try (var s = c.createStatement()) {
                for (String sql : Migrations.statements(Migrations.ALL.get(Migrations.SECRETS_SEALED - 1))) {
                    s.execute(sql);
                }
            }
        }
        try (TestPlane t = plane(data)) {
            assertThat(t.call("GET", "/api/v1/domains/push.example.com/signing", null).json().get("primaryKey").asText())
                    .isEqualTo(PRIMARY);
            assertThat(t.plane.srtPassphrase("push.example.com")).hasValue(SRT_PASS);
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (Exception e) {
            return e.toString();
        }
    }
}
