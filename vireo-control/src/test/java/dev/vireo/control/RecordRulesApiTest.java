package dev.vireo.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.control.model.RecordRule;
import dev.vireo.core.StreamKey;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recording rules through the API: defaults, validation, the most specific rule deciding, a
 * disabled rule stopping a wider one, streaming domains meaning their ingest domain, tenants kept
 * apart, listeners told, rules surviving a restart and going with their domain.
 */
class RecordRulesApiTest {

    @TempDir
    Path dir;

    private TestPlane t;

    @BeforeEach
    void start() {
        t = new TestPlane(dir.resolve("data"));
        assertThat(t.call("POST", "/api/v1/domains", "{\"domain\":\"push.example.com\",\"type\":\"ingest\"}").status())
                .isEqualTo(201);
        assertThat(t.call("POST", "/api/v1/domains", "{\"domain\":\"play.example.com\",\"type\":\"streaming\"}").status())
                .isEqualTo(201);
        assertThat(t.call("PUT", "/api/v1/domains/play.example.com/association",
                "{\"ingestDomain\":\"push.example.com\"}").status()).isEqualTo(200);
    }

    @AfterEach
    void stop() {
        if (t != null) {
            t.close();
        }
    }

    private static StreamKey key(String app, String stream) {
        return new StreamKey("push.example.com", app, stream);
    }

    @Test
    void theMostSpecificRuleDecidesAndChangesAreToldAtOnce() {
        AtomicInteger changes = new AtomicInteger();
        t.plane.onRecordRulesChanged(changes::incrementAndGet);
        assertThat(t.plane.recordRule(key("live", "a"))).isEmpty();

        TestPlane.Answer any = t.call("PUT", "/api/v1/domains/push.example.com/record-rules/*/*", null);
        assertThat(any.status()).isEqualTo(200);
        assertThat(any.json().get("format").asText()).isEqualTo("fmp4");
        assertThat(any.json().get("enabled").asBoolean()).isTrue();
        assertThat(any.json().get("rotateSeconds").asLong()).isEqualTo(3600);
        assertThat(any.json().get("maxAgeSeconds").asLong()).isZero();
        assertThat(changes.get()).as("told before the API answered").isEqualTo(1);

        // through the streaming domain: the same ingest domain's rules
        assertThat(t.call("PUT", "/api/v1/domains/play.example.com/record-rules/live/*",
                "{\"format\":\"FLV\",\"rotateSeconds\":600,\"maxAgeSeconds\":86400,\"maxTotalBytes\":1000000}").status())
                .isEqualTo(200);
        assertThat(t.call("PUT", "/api/v1/domains/push.example.com/record-rules/live/secret",
                "{\"enabled\":false}").status()).isEqualTo(200);
        assertThat(t.call("PUT", "/api/v1/domains/push.example.com/record-rules/*/main", "{\"rotateSeconds\":60}")
                .status()).isEqualTo(200);

        assertThat(t.plane.recordRule(key("news", "x")).orElseThrow().app()).isEqualTo("*");
        RecordRule live = t.plane.recordRule(key("live", "x")).orElseThrow();
        assertThat(live.format()).isEqualTo("flv");
        assertThat(live.rotateSeconds()).isEqualTo(600);
        assertThat(live.maxTotalBytes()).isEqualTo(1_000_000);
        assertThat(t.plane.recordRule(key("live", "secret")).orElseThrow().enabled()).isFalse();
        assertThat(t.plane.recordRule(key("live", "main")).orElseThrow().app()).as("app named beats stream named")
                .isEqualTo("live");
        assertThat(t.plane.recordRule(key("news", "main")).orElseThrow().rotateSeconds()).isEqualTo(60);
        assertThat(t.plane.recordRule(new StreamKey("other.example.com", "live", "x"))).isEmpty();
        assertThat(t.call("GET", "/api/v1/domains/play.example.com/record-rules", null).json().get("rules")).hasSize(4);

        assertThat(t.call("DELETE", "/api/v1/domains/push.example.com/record-rules/live/*", null).status()).isEqualTo(204);
        assertThat(t.plane.recordRule(key("live", "x")).orElseThrow().app()).isEqualTo("*");
        assertThat(t.call("DELETE", "/api/v1/domains/push.example.com/record-rules/live/*", null).code())
                .isEqualTo("RecordRuleNotFound");
        assertThat(changes.get()).isEqualTo(5);
    }

    @Test
    void badRulesAreRefusedAndTenantsSeeOnlyTheirOwn() {
        String base = "/api/v1/domains/push.example.com/record-rules/live/x";
        assertThat(t.call("PUT", base, "{\"format\":\"avi\"}").code()).isEqualTo("InvalidParameter.Format");
        assertThat(t.call("PUT", base, "{\"rotateSeconds\":0}").code()).isEqualTo("InvalidParameter");
        assertThat(t.call("PUT", base, "{\"rotateSeconds\":999999999}").code()).isEqualTo("InvalidParameter");
        assertThat(t.call("PUT", base, "{\"maxAgeSeconds\":-1}").code()).isEqualTo("InvalidParameter");
        assertThat(t.call("PUT", base, "{\"maxTotalBytes\":-5}").code()).isEqualTo("InvalidParameter");
        assertThat(t.call("PUT", base, "{\"nope\":1}").status()).isEqualTo(400);
        assertThat(t.call("PUT", "/api/v1/domains/push.example.com/record-rules/a%20b/x", "{}").status()).isEqualTo(400);
        assertThat(t.call("PUT", "/api/v1/domains/nowhere.example.com/record-rules/live/x", "{}").code())
                .isEqualTo("DomainNotFound");
        assertThat(t.call("GET", "/api/v1/domains/push.example.com/record-rules", null).json().get("rules")).isEmpty();

        TestPlane.Answer tenant = t.call("POST", "/api/v1/accounts", "{\"name\":\"rec-" + System.nanoTime() + "\"}");
        String key = tenant.json().get("apiKey").asText();
        assertThat(t.call("PUT", base, "{}", key).code()).isEqualTo("DomainNotFound");
        assertThat(t.call("GET", "/api/v1/domains/push.example.com/record-rules", null, key).code())
                .isEqualTo("DomainNotFound");
        assertThat(t.call("PUT", "/api/v1/domains/" + StreamKey.DEFAULT_VHOST + "/record-rules/live/x", "{}", key)
                .status()).as("the zero-config vhost is the admin's").isIn(400, 404);
        assertThat(t.call("GET", "/api/v1/recordings", null, key).json().get("recordings")).isEmpty();
        assertThat(t.call("PUT", "/api/v1/domains/" + StreamKey.DEFAULT_VHOST + "/record-rules/live/x", "{}").status())
                .isEqualTo(200);
        assertThat(t.plane.recordRule(StreamKey.of("live", "x"))).isPresent();
    }

    @Test
    void rulesSurviveARestartAndGoWithTheirDomain() {
        assertThat(t.call("PUT", "/api/v1/domains/push.example.com/record-rules/live/*", "{\"format\":\"flv\"}")
                .status()).isEqualTo(200);
        t.close();
        t = new TestPlane(dir.resolve("data"));
        assertThat(t.plane.recordRule(key("live", "x")).orElseThrow().format()).isEqualTo("flv");
        assertThat(t.call("DELETE", "/api/v1/domains/play.example.com", null).status()).isIn(200, 204);
        assertThat(t.call("DELETE", "/api/v1/domains/push.example.com", null).status()).isIn(200, 204);
        assertThat(t.plane.recordRule(key("live", "x"))).isEmpty();
        assertThat(t.call("POST", "/api/v1/domains", "{\"domain\":\"push.example.com\",\"type\":\"ingest\"}").status())
                .isEqualTo(201);
        assertThat(t.plane.recordRule(key("live", "x"))).as("a re-added domain starts without the old rules").isEmpty();
    }
}
