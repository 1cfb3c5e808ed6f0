package dev.vireo.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vireo.control.model.ControlConfig;
import dev.vireo.control.store.Database;
import dev.vireo.control.store.V6Store;
import dev.vireo.core.Gate;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.TcpProxy;
import java.time.Duration;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same migrations and rules on PostgreSQL. Runs when {@code VIREO_TEST_POSTGRES_URL} names a
 * database (e.g. {@code jdbc:postgresql://127.0.0.1:5432/postgres?user=vireo}); each run works in a
 * schema of its own and drops it afterwards.
 */
@Timeout(120)
class PostgresStoreTest {

    @TempDir
    Path dir;

    private String baseUrl;
    private String schema;

    @BeforeEach
    void createSchema() throws Exception {
        baseUrl = System.getenv("VIREO_TEST_POSTGRES_URL");
        boolean present = baseUrl != null && !baseUrl.isBlank();
        // ./test starts a PostgreSQL server and sets the URL; with vireo.requirePeers its absence is a failure.
        if (Boolean.getBoolean("vireo.requirePeers")) {
            assertThat(present).as("VIREO_TEST_POSTGRES_URL (./test starts PostgreSQL)").isTrue();
        }
        assumeTrue(present, "VIREO_TEST_POSTGRES_URL is not set");
        schema = "vireo_test_" + System.nanoTime();
        try (Connection c = DriverManager.getConnection(baseUrl); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
    }

    @AfterEach
    void dropSchema() throws Exception {
        if (schema != null) {
            try (Connection c = DriverManager.getConnection(baseUrl); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    private String url() {
        return baseUrl + (baseUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    @Test
    void migrationsRulesAndRestartWorkOnPostgres() {
        try (TestPlane t = new TestPlane(dir, Clock.systemUTC(), c -> c.withJdbc(url(), "", "").withDomainQuota(3))) {
            t.addDomain("push.example.com", "ingest");
            t.addDomain("play.example.com", "streaming");
            t.addDomain("m.example.com", "streaming");
            assertThat(t.call("POST", "/api/v1/domains", "{\"domain\":\"x.example.com\",\"type\":\"ingest\"}").code())
                    .isEqualTo("QuotaExceeded");
            assertThat(t.call("PUT", "/api/v1/domains/play.example.com/association",
                    "{\"ingestDomain\":\"push.example.com\"}").status()).isEqualTo(200);
            assertThat(t.call("PUT", "/api/v1/domains/play.example.com/sub-domains/m.example.com", null).status())
                    .isEqualTo(200);
            assertThat(t.call("DELETE", "/api/v1/domains/push.example.com", null).code()).isEqualTo("DomainInUse");
            assertThat(t.call("POST", "/api/v1/templates", "{\"id\":\"hd\"}").status()).isEqualTo(201);
            assertThat(t.call("POST", "/api/v1/templates", "{\"id\":\"hd\"}").code()).isEqualTo("TemplateAlreadyExist");
            assertThat(t.call("POST", "/api/v1/streams/push.example.com/live/x/forbid",
                    "{\"until\":\"2099-01-01T00:00:00Z\"}").status()).isEqualTo(200);
            assertThat(t.call("POST", "/api/v1/accounts", "{\"name\":\"tenant\"}").status()).isEqualTo(201);
            assertThat(t.call("POST", "/api/v1/accounts", "{\"name\":\"tenant\"}").code()).isEqualTo("AccountAlreadyExist");
        }
        try (TestPlane t = new TestPlane(dir, Clock.systemUTC(), c -> c.withJdbc(url(), "", ""))) {
            JsonNode play = t.call("GET", "/api/v1/domains/play.example.com", null).json();
            assertThat(play.get("ingestDomain").asText()).isEqualTo("push.example.com");
            assertThat(play.get("subDomains").get(0).asText()).isEqualTo("m.example.com");
            assertThat(t.call("GET", "/api/v1/domains/push.example.com/forbidden-streams", null).json().get("streams")
                    .get(0).get("until").asText()).isEqualTo("2099-01-01T00:00:00Z");
        }
    }

    /** A forbid on the zero-config vhost (no domains row) was a 500 here: the ban's foreign key to domains. */
    @Test
    void aStreamOnTheDefaultVhostCanBeForbiddenAndResumed() {
        try (TestPlane t = new TestPlane(dir, Clock.systemUTC(), c -> c.withJdbc(url(), "", "").withDefaultVhost(true))) {
            Gate.AccessRequest publish = new Gate.AccessRequest(Gate.Action.PUBLISH, "rtmp", "127.0.0.1", "live", "x",
                    "", "", "192.0.2.1");
            assertThat(t.plane.gate().admit(publish)).isInstanceOf(Gate.Allow.class);
            TestPlane.Answer forbid = t.call("POST", "/api/v1/streams/__defaultVhost__/live/x/forbid", null);
            assertThat(forbid.status()).as(forbid.raw()).isEqualTo(200);
            assertThat(t.plane.gate().admit(publish)).isInstanceOf(Gate.Deny.class);
            // a domain deleted with its bans (no cascade any more: the service deletes them)
            t.addDomain("push.example.com", "ingest");
            assertThat(t.call("POST", "/api/v1/streams/push.example.com/live/y/forbid", null).status()).isEqualTo(200);
            assertThat(t.call("DELETE", "/api/v1/domains/push.example.com", null).status()).isEqualTo(204);
            t.addDomain("push.example.com", "ingest");
            assertThat(t.call("GET", "/api/v1/domains/push.example.com/forbidden-streams", null).json().get("streams"))
                    .isEmpty();

            TestPlane.Answer resume = t.call("POST", "/api/v1/streams/__defaultVhost__/live/x/resume", null);
            assertThat(resume.status()).as(resume.raw()).isEqualTo(200);
            assertThat(resume.json().get("resumed").asBoolean()).isTrue();
            assertThat(t.plane.gate().admit(publish)).isInstanceOf(Gate.Allow.class);
        }
    }

    /**
     * A cluster's nodes starting at once on an empty database: each migration runs once (it failed with
     * "relation already exists") and one admin account takes every node's admin key.
     */
    @Test
    void nodesStartingAtOnceMigrateTheStoreOnceAndShareOneAdmin() throws Exception {
        int nodes = 3;
        java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(nodes);
        java.util.List<java.util.concurrent.Future<TestPlane>> started = new java.util.ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(nodes)) {
            for (int i = 0; i < nodes; i++) {
                Path data = java.nio.file.Files.createDirectories(dir.resolve("node-" + i));
                started.add(pool.submit(() -> {
                    together.await();
                    // one store, one key file (store.key-file), as a cluster's nodes share it
                    return new TestPlane(data, Clock.systemUTC(), c -> c.withJdbc(url(), "", "")
                            .withStoreKeyFile(dir.resolve("cluster-store.key")));
                }));
            }
        }
        try {
            for (var f : started) {
                TestPlane t = f.get(); // throws when a node failed to start
                assertThat(t.call("GET", "/api/v1/domains", null).status()).isEqualTo(200);
            }
            try (Connection c = DriverManager.getConnection(url()); Statement s = c.createStatement();
                 java.sql.ResultSet rs = s.executeQuery("SELECT COUNT(*), MAX(version) FROM schema_version")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(dev.vireo.control.store.Migrations.latest()); // one row per version, none twice
                assertThat(rs.getInt(2)).isEqualTo(dev.vireo.control.store.Migrations.latest());
            }
            try (Connection c = DriverManager.getConnection(url()); Statement s = c.createStatement();
                 java.sql.ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM accounts WHERE admin")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
        } finally {
            for (var f : started) {
                if (f.state() == java.util.concurrent.Future.State.SUCCESS) {
                    f.resultNow().close();
                }
            }
        }
    }

    /** Secrets at rest (issue 17): sealed in the tables; a node with another key file fails at start. */
    @Test
    void secretsAreSealedInPostgresAndANodeWithAnotherKeyFailsAtStart() throws Exception {
        String primary = "PgPrimaryKey5b21c";
        String passphrase = "PgSrtPassphrase-3e9f";
        try (TestPlane t = new TestPlane(dir, Clock.systemUTC(), c -> c.withJdbc(url(), "", ""))) {
            t.addDomain("push.example.com", "ingest");
            assertThat(t.call("PUT", "/api/v1/domains/push.example.com/signing", "{\"primaryKey\":\"" + primary + "\"}")
                    .status()).isEqualTo(200);
            assertThat(t.call("PUT", "/api/v1/domains/push.example.com/srt", "{\"passphrase\":\"" + passphrase + "\"}")
                    .status()).isEqualTo(200);
        }
        try (Connection c = DriverManager.getConnection(url())) {
            assertThat(V6Store.raw(c, "domains", "signing_primary_key", "name", "push.example.com"))
                    .startsWith("v1:").doesNotContain(primary);
            assertThat(V6Store.raw(c, "srt_passphrases", "passphrase", "domain", "push.example.com"))
                    .startsWith("v1:").doesNotContain(passphrase);
        }
        Path otherNode = java.nio.file.Files.createDirectories(dir.resolve("other-node"));
        assertThatThrownBy(() -> new TestPlane(otherNode, Clock.systemUTC(), c -> c.withJdbc(url(), "", "")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("every node of a cluster must use the same key file")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(primary));
        try (TestPlane t = new TestPlane(otherNode, Clock.systemUTC(), c -> c.withJdbc(url(), "", "")
                .withStoreKeyFile(dir.resolve("store.key")))) {
            assertThat(t.call("GET", "/api/v1/domains/push.example.com/signing", null).json().get("primaryKey").asText())
                    .isEqualTo(primary);
            assertThat(t.plane.srtPassphrase("push.example.com")).hasValue(passphrase);
        }
    }

    /** V7 on PostgreSQL: a V6 store's clear secrets are sealed; a URL signed before still verifies. */
    @Test
    void theMigrationSealsAV6PostgresStoresSecrets() throws Exception {
        String primary = "PgLegacyKey8c2d1";
        TestCerts.Pem pem = TestCerts.valid("push.example.com");
        try (Connection c = DriverManager.getConnection(url())) {
            V6Store.build(c);
            V6Store.clearDomain(c, "push.example.com", primary, null, "http://127.0.0.1:9/h", "HookSecret-1234567",
                    "PgSrtLegacy-4455");
            V6Store.clearCertificate(c, "push.example.com", pem.certificate(), pem.privateKey());
        }
        String authKey = dev.vireo.control.access.UrlSigning.authKey("/live/old",
                java.time.Instant.now().getEpochSecond(), "0", "0", primary);
        try (TestPlane t = new TestPlane(dir, Clock.systemUTC(), c -> c.withJdbc(url(), "", "")
                .withWebhooks(ControlConfig.WebhookPolicy.defaults().withAllow("127.0.0.1:9")))) {
            try (Connection c = DriverManager.getConnection(url())) {
                for (String[] col : new String[][] {{"domains", "signing_primary_key", "name"},
                        {"domains", "notify_url", "name"}, {"domains", "notify_secret", "name"},
                        {"srt_passphrases", "passphrase", "domain"}, {"certificates", "private_key_pem", "domain"}}) {
                    assertThat(V6Store.raw(c, col[0], col[1], col[2], "push.example.com")).as(col[0] + "." + col[1])
                            .startsWith("v1:").doesNotContain(primary).doesNotContain("HookSecret").doesNotContain("BEGIN");
                }
                assertThat(V6Store.raw(c, "domains", "signing_secondary_key", "name", "push.example.com")).isNull();
            }
            assertThat(t.call("GET", "/api/v1/domains/push.example.com/signing", null).json().get("primaryKey").asText())
                    .isEqualTo(primary);
            assertThat(t.plane.srtPassphrase("push.example.com")).hasValue("PgSrtLegacy-4455");
            assertThat(t.plane.certificateFor("push.example.com")).isPresent();
            assertThat(t.plane.gate().admit(new Gate.AccessRequest(Gate.Action.PUBLISH, "rtmp", "push.example.com",
                    "live", "old", "", "auth_key=" + authKey, "127.0.0.1"))).isInstanceOf(Gate.Allow.class);
        }
    }

    @Test
    void anUnreachableDatabaseStopsStartupWithAClearMessage() {
        ControlConfig config = ControlConfig.defaults(dir).withJdbc("jdbc:postgresql://127.0.0.1:1/none", "x", "secret-pw");
        assertThatThrownBy(() -> Database.open(config)).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("cannot open the control store").hasMessageNotContaining("secret-pw");
    }

    @Test
    void aDatabaseOutageKeepsTheCachedConfigurationAndTheApiAnswers503() throws Exception {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("//([^:/]+):(\\d+)/").matcher(url());
        assertThat(m.find()).isTrue();
        try (TcpProxy proxy = new TcpProxy(m.group(1), Integer.parseInt(m.group(2)))) {
            String viaProxy = url().substring(0, m.start()) + "//127.0.0.1:" + proxy.port() + "/" + url().substring(m.end());
            try (TestPlane t = new TestPlane(dir, Clock.systemUTC(), c -> c.withJdbc(viaProxy, "", ""))) {
                t.addDomain("push.example.com", "ingest");
                t.signingOff("push.example.com");
                Gate.AccessRequest publish = new Gate.AccessRequest(Gate.Action.PUBLISH, "rtmp", "push.example.com",
                        "live", "x", "", "", "192.0.2.1");
                assertThat(t.plane.gate().admit(publish)).isInstanceOf(Gate.Allow.class);

                proxy.cut(); // PostgreSQL is gone for this node
                TestPlane.Answer down = t.call("GET", "/api/v1/domains", null);
                assertThat(down.status()).as(down.raw()).isEqualTo(503);
                assertThat(down.code()).isEqualTo("StoreUnavailable");
                assertThat(t.plane.reloadFromStore()).isFalse();
                // Media keeps flowing: the gate decides from the configuration it has.
                assertThat(t.plane.gate().admit(publish)).isInstanceOf(Gate.Allow.class);

                proxy.restore();
                Await.until(Duration.ofSeconds(30), "the API answers again",
                        () -> t.call("GET", "/api/v1/domains", null).status() == 200);
            }
        }
    }
}
