package dev.vireo.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vireo.control.access.ApiKeys;
import dev.vireo.control.store.ApiKeyStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Listing and revoking API keys over real HTTP: the list never shows a key, a revoked key stops at once. */
@Timeout(120)
class ApiKeysApiTest {

    @TempDir
    static Path dir;

    private static TestPlane t;

    @BeforeAll
    static void start() {
        t = new TestPlane(dir.resolve("data"));
    }

    @AfterAll
    static void stop() {
        t.close();
    }

    private static List<JsonNode> keys(long account, String key) {
        TestPlane.Answer a = t.call("GET", "/api/v1/accounts/" + account + "/keys", null, key);
        assertThat(a.status()).as(a.raw()).isEqualTo(200);
        List<JsonNode> out = new ArrayList<>();
        a.json().get("keys").forEach(out::add);
        return out;
    }

    @Test
    void aRevokedKeyStopsWorkingAtOnceAndTheOthersKeepWorking() throws Exception {
        TestPlane.Answer created = t.call("POST", "/api/v1/accounts", "{\"name\":\"keys-" + System.nanoTime() + "\"}");
        assertThat(created.status()).isEqualTo(201);
        long account = created.json().get("account").get("id").asLong();
        String first = created.json().get("apiKey").asText();
        String second = t.call("POST", "/api/v1/accounts/" + account + "/keys", "{}", first).json().get("apiKey").asText();

        TestPlane.Answer listed = t.call("GET", "/api/v1/accounts/" + account + "/keys", null, second);
        assertThat(listed.raw()).as("neither key nor its whole hash is ever listed")
                .doesNotContain(first, second, ApiKeys.hashHex(first), ApiKeys.hashHex(second));
        List<JsonNode> keys = keys(account, second);
        assertThat(keys).hasSize(2);
        String firstId = ApiKeys.hashHex(first).substring(0, ApiKeyStore.ID_LENGTH);
        assertThat(keys).extracting(k -> k.get("id").asText()).contains(firstId);
        assertThat(keys).allSatisfy(k -> {
            assertThat(k.get("label").asText()).isEqualTo("api");
            assertThat(k.get("createdAt").asText()).isNotEmpty();
        });
        // the first key was used (it made the second): its last use is noted off the request path
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonNode firstKey = null;
        while (System.nanoTime() < deadline) {
            firstKey = keys(account, second).stream().filter(k -> k.get("id").asText().equals(firstId)).findFirst().orElseThrow();
            if (!firstKey.get("lastUsedAt").isNull()) {
                break;
            }
            Thread.onSpinWait();
        }
        assertThat(firstKey.get("lastUsedAt").isNull()).as("last use of the first key noted").isFalse();

        assertThat(t.call("DELETE", "/api/v1/accounts/" + account + "/keys/" + firstId, null, second).status())
                .isEqualTo(204);
        assertThat(t.call("GET", "/api/v1/account", null, first).status()).as("the revoked key").isEqualTo(401);
        assertThat(t.call("GET", "/api/v1/account", null, second).status()).as("the other key").isEqualTo(200);
        assertThat(keys(account, second)).hasSize(1);
        TestPlane.Answer again = t.call("DELETE", "/api/v1/accounts/" + account + "/keys/" + firstId, null, second);
        assertThat(again.status()).isEqualTo(404);
        assertThat(again.code()).isEqualTo("KeyNotFound");
        assertThat(t.call("DELETE", "/api/v1/accounts/" + account + "/keys/not-hex", null, second).code())
                .isEqualTo("KeyNotFound");
    }

    @Test
    void aTenantSeesOnlyItsOwnKeysAndTheAdminKeepsItsLastKey() {
        TestPlane.Answer tenant = t.call("POST", "/api/v1/accounts", "{\"name\":\"tenant-" + System.nanoTime() + "\"}");
        String tenantKey = tenant.json().get("apiKey").asText();
        long admin = t.call("GET", "/api/v1/account", null).json().get("id").asLong();

        TestPlane.Answer other = t.call("GET", "/api/v1/accounts/" + admin + "/keys", null, tenantKey);
        assertThat(other.status()).isEqualTo(404);
        assertThat(other.code()).isEqualTo("AccountNotFound");
        String adminKeyId = ApiKeys.hashHex(TestPlane.ADMIN_KEY).substring(0, ApiKeyStore.ID_LENGTH);
        assertThat(t.call("DELETE", "/api/v1/accounts/" + admin + "/keys/" + adminKeyId, null, tenantKey).status())
                .as("a tenant cannot revoke the admin's key").isEqualTo(404);

        List<JsonNode> adminKeys = keys(admin, TestPlane.ADMIN_KEY);
        assertThat(adminKeys).extracting(k -> k.get("label").asText()).containsExactly("bootstrap");
        TestPlane.Answer last = t.call("DELETE", "/api/v1/accounts/" + admin + "/keys/" + adminKeyId, null);
        assertThat(last.status()).isEqualTo(409);
        assertThat(last.code()).isEqualTo("LastAdminKey");
        assertThat(t.call("GET", "/api/v1/account", null).status()).isEqualTo(200);

        // the admin may revoke a tenant's key
        long tenantId = tenant.json().get("account").get("id").asLong();
        String tenantKeyId = ApiKeys.hashHex(tenantKey).substring(0, ApiKeyStore.ID_LENGTH);
        assertThat(t.call("DELETE", "/api/v1/accounts/" + tenantId + "/keys/" + tenantKeyId, null).status()).isEqualTo(204);
        assertThat(t.call("GET", "/api/v1/account", null, tenantKey).status()).isEqualTo(401);
    }
}
