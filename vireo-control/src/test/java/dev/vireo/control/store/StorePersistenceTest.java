package dev.vireo.control.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vireo.control.TestCerts;
import dev.vireo.control.TestPlane;
import dev.vireo.control.access.AccountService;
import dev.vireo.control.access.ApiKeys;
import dev.vireo.control.access.UrlSigning;
import dev.vireo.control.model.ControlConfig;
import dev.vireo.core.Gate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Everything configured survives a restart on the same H2 file; the admin key is generated once. */
@Timeout(120)
class StorePersistenceTest {

    @TempDir
    Path dir;

    private TestPlane open(String adminKey) {
        return new TestPlane(dir.resolve("data"), Clock.systemUTC(), c -> c.withAdminKey(adminKey)
                .withWebhooks(ControlConfig.WebhookPolicy.defaults().withAllow("127.0.0.1:9")));
    }

    @Test
    void domainsKeysTemplatesAndAccountsSurviveARestart() throws Exception {
        String key;
        String tenantKey;
        TestCerts.Pem pem = TestCerts.valid("play.example.com");
        try (TestPlane t = open("")) {
            Optional<String> generated = t.plane.generatedAdminKey();
            assertThat(generated).get().asString().startsWith("vk_").hasSizeGreaterThan(40);
            key = generated.get();
            assertThat(t.call("GET", "/api/v1/account", null, key).json().get("admin").asBoolean()).isTrue();
            assertThat(t.call("POST", "/api/v1/domains", "{\"domain\":\"push.example.com\",\"type\":\"ingest\"}", key)
                    .status()).isEqualTo(201);
            assertThat(t.call("POST", "/api/v1/domains", "{\"domain\":\"play.example.com\",\"type\":\"streaming\","
                    + "\"region\":\"eu-west-1\"}", key).status()).isEqualTo(201);
            assertThat(t.call("POST", "/api/v1/domains", "{\"domain\":\"m.example.com\",\"type\":\"streaming\"}", key)
                    .status()).isEqualTo(201);
            t.call("PUT", "/api/v1/domains/play.example.com/association", "{\"ingestDomain\":\"push.example.com\"}", key);
            t.call("PUT", "/api/v1/domains/play.example.com/sub-domains/m.example.com", null, key);
            t.call("PUT", "/api/v1/domains/push.example.com/signing",
                    "{\"primaryKey\":\"primaryKey123\",\"secondaryKey\":\"secondaryKey456\",\"validityMinutes\":30}", key);
            t.call("PATCH", "/api/v1/domains/play.example.com", "{\"rtsEnabled\":false,\"html5Transcoding\":false,"
                    + "\"abrLadder\":[\"lsd\",\"lld\"]}", key);
            t.call("PUT", "/api/v1/domains/push.example.com/notify",
                    "{\"url\":\"http://127.0.0.1:9/hook\",\"secret\":\"0123456789abcdef-secret\"}", key);
            assertThat(t.call("PUT", "/api/v1/domains/play.example.com/certificate", TestPlane.JSON.createObjectNode()
                    .put("certificate", pem.certificate()).put("privateKey", pem.privateKey()).toString(), key).status())
                    .isEqualTo(200);
            t.call("POST", "/api/v1/templates", "{\"id\":\"hd\",\"width\":1280,\"height\":720,\"videoBitrateKbps\":2500}", key);
            t.call("POST", "/api/v1/streams/push.example.com/live/banned/forbid", null, key);
            assertThat(t.call("PUT", "/api/v1/domains/push.example.com/srt", "{\"passphrase\":\"srt-secret-0123\"}", key)
                    .status()).isEqualTo(200);
            tenantKey = t.call("POST", "/api/v1/accounts", "{\"name\":\"tenant\"}", key).json().get("apiKey").asText();
        }
        assertThat(Files.exists(dir.resolve("data/control/vireo.mv.db"))).isTrue();

        try (TestPlane t = open("")) {
            assertThat(t.plane.generatedAdminKey()).as("generated only on the first start").isEmpty();
            JsonNode play = t.call("GET", "/api/v1/domains/play.example.com", null, key).json();
            assertThat(play.get("ingestDomain").asText()).isEqualTo("push.example.com");
            assertThat(play.get("region").asText()).isEqualTo("eu-west-1");
            assertThat(play.get("rtsEnabled").asBoolean()).isFalse();
            assertThat(play.get("html5Transcoding").asBoolean()).isFalse();
            assertThat(play.get("abrLadder").toString()).isEqualTo("[\"lsd\",\"lld\"]");
            assertThat(play.get("subDomains").get(0).asText()).isEqualTo("m.example.com");
            assertThat(play.get("certificateNotAfter").isTextual()).isTrue();
            JsonNode signing = t.call("GET", "/api/v1/domains/push.example.com/signing", null, key).json();
            assertThat(signing.get("primaryKey").asText()).isEqualTo("primaryKey123");
            assertThat(signing.get("secondaryKey").asText()).isEqualTo("secondaryKey456");
            assertThat(signing.get("validityMinutes").asInt()).isEqualTo(30);
            assertThat(t.call("GET", "/api/v1/domains/push.example.com/notify", null, key).json().get("url").asText())
                    .isEqualTo("http://127.0.0.1:9/hook");
            assertThat(t.call("GET", "/api/v1/templates/hd", null, key).json().get("videoBitrateKbps").asInt())
                    .isEqualTo(2500);
            assertThat(t.call("GET", "/api/v1/domains/push.example.com/forbidden-streams", null, key).json()
                    .get("streams").get(0).get("stream").asText()).isEqualTo("banned");
            assertThat(t.call("GET", "/api/v1/account", null, tenantKey).json().get("name").asText()).isEqualTo("tenant");
            assertThat(t.plane.certificateFor("PLAY.example.com.")).get()
                    .satisfies(b -> assertThat(b.domain()).isEqualTo("play.example.com"));
            assertThat(t.plane.certificateFor("push.example.com")).isEmpty();
            assertThat(t.plane.srtPassphrase("push.example.com")).hasValue("srt-secret-0123");
            assertThat(t.plane.srtPassphrase("play.example.com")).isEmpty();

            // The Gate works from the reloaded state: signed publish accepted, the ban still holds.
            Gate.AccessRequest publish = new Gate.AccessRequest(Gate.Action.PUBLISH, "rtmp", "push.example.com", "live",
                    "demo", "", "auth_key=" + UrlSigning.authKey("/live/demo", java.time.Instant.now().getEpochSecond(), "0", "0",
                    "secondaryKey456"), "127.0.0.1");
            assertThat(t.plane.gate().admit(publish)).isInstanceOf(Gate.Allow.class);
            Gate.AccessRequest banned = new Gate.AccessRequest(Gate.Action.PUBLISH, "rtmp", "push.example.com", "live",
                    "banned", "", "auth_key=" + UrlSigning.authKey("/live/banned", java.time.Instant.now().getEpochSecond(), "0", "0",
                    "primaryKey123"), "127.0.0.1");
            assertThat(t.plane.gate().admit(banned)).isEqualTo(new Gate.Deny(403, "stream /live/banned is forbidden"));
        }

        // VIREO_ADMIN_KEY replaces the generated bootstrap key.
        try (TestPlane t = open("automation-key-0123456789")) {
            assertThat(t.plane.generatedAdminKey()).isEmpty();
            assertThat(t.call("GET", "/api/v1/domains", null, "automation-key-0123456789").json().get("domains")).hasSize(3);
            assertThat(t.call("GET", "/api/v1/domains", null, key).status()).isEqualTo(401);
            assertThat(t.call("GET", "/api/v1/account", null, tenantKey).status()).as("other accounts' keys stay").isEqualTo(200);
        }
    }

    @Test
    void aStoreAtSchemaVersion1IsMigratedAndKeepsItsDomains() throws Exception {
        ControlConfig config = ControlConfig.defaults(dir).withAdminKey(TestPlane.ADMIN_KEY);
        // a store as the first release left it: V1 only, with a domain
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(Database.embeddedUrl(dir))) {
            {
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE schema_version (version INT PRIMARY KEY, "
                            + "description VARCHAR(200) NOT NULL, applied_at BIGINT NOT NULL)");
                    for (String sql : Migrations.statements(Migrations.ALL.getFirst())) {
                        s.execute(sql);
                    }
                    s.execute("INSERT INTO schema_version VALUES (1, 'init', 0)");
                    s.execute("INSERT INTO accounts (name, admin, created_at) VALUES ('admin', TRUE, 0)");
                    s.execute("INSERT INTO domains (name, account_id, type, region, live_center, cname, cname_status, "
                            + "status, rts_enabled, html5_transcoding, stream_limit, signing_enabled, signing_primary_key, "
                            + "signing_validity_minutes, notify_publish_auth, created_at, updated_at) VALUES ('old.example.com', "
                            + "(SELECT id FROM accounts), 'ingest', 'r', 'r', 'c', 'unchecked', 'online', TRUE, TRUE, 300, "
                            + "TRUE, 'oldKey123', 1440, FALSE, 0, 0)");
                }
            }
        }
        try (Database db = Database.open(config)) {
            db.read(c -> {
                assertThat(Migrations.currentVersion(c)).isEqualTo(Migrations.latest()).isGreaterThanOrEqualTo(2);
                assertThat(DomainStore.find(c, "old.example.com")).isPresent();
                assertThat(SrtPassphraseStore.all(c)).isEmpty();
                return null;
            });
            db.transaction(c -> {
                SrtPassphraseStore.put(c, "old.example.com", "old-domain-secret", java.time.Instant.now());
                DomainStore.delete(c, "old.example.com");
                assertThat(SrtPassphraseStore.all(c)).as("removed with its domain").isEmpty();
                return null;
            });
        }
    }

    @Test
    void theSchemaIsMigratedOnceAndOnlyHashesOfKeysAreStored() {
        ControlConfig config = ControlConfig.defaults(dir).withAdminKey(TestPlane.ADMIN_KEY);
        try (Database db = Database.open(config)) {
            new AccountService(db, new Registry(db, Clock.systemUTC()), Clock.systemUTC()).bootstrap(config.adminKey());
        }
        try (Database db = Database.open(config)) {
            db.read(c -> {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                        "SELECT COUNT(*), MAX(version) FROM schema_version")) {
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(Migrations.ALL.size());
                    assertThat(rs.getInt(2)).isEqualTo(Migrations.latest());
                }
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT key_hash FROM api_keys")) {
                    rs.next();
                    assertThat(rs.getString(1).trim()).isEqualTo(ApiKeys.hashHex(TestPlane.ADMIN_KEY))
                            .doesNotContain(TestPlane.ADMIN_KEY);
                }
                return null;
            });
        }
    }
}
