package dev.vireo.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.control.access.UrlSigning;
import dev.vireo.core.Gate;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A URL derived from a signed one (a master playlist's variant) gets an auth_key for its own URI
 * with the same timestamp, so the gate admits it and it expires with the original; nothing is
 * signed for a domain that does not sign.
 */
class ResignTest {

    @TempDir
    Path dir;

    private TestPlane t;

    @AfterEach
    void stop() {
        if (t != null) {
            t.close();
        }
    }

    @Test
    void aVariantOfASignedMasterIsAdmittedWithItsOwnSignature() {
        t = new TestPlane(dir.resolve("data"));
        t.call("POST", "/api/v1/domains", "{\"domain\":\"push.example.com\",\"type\":\"ingest\"}");
        t.call("POST", "/api/v1/domains", "{\"domain\":\"play.example.com\",\"type\":\"streaming\"}");
        t.call("PUT", "/api/v1/domains/play.example.com/association", "{\"ingestDomain\":\"push.example.com\"}");
        String primary = t.call("GET", "/api/v1/domains/play.example.com/signing", null).json().get("primaryKey").asText();
        long ts = System.currentTimeMillis() / 1000;
        String masterKey = UrlSigning.authKey("/live/demo/master.m3u8", ts, "0", "0", primary);
        Gate.AccessRequest master = new Gate.AccessRequest(Gate.Action.PLAY, "hls", "play.example.com", "live", "demo",
                "/master.m3u8", "auth_key=" + masterKey, "192.0.2.1");
        assertThat(t.plane.gate().admit(master)).isInstanceOf(Gate.Allow.class);

        String variantKey = t.plane.resign(master, "/live/demo_small/llhls.m3u8").orElseThrow();
        assertThat(variantKey).startsWith(ts + "-0-0-").doesNotContain(primary);
        Gate.AccessRequest variant = new Gate.AccessRequest(Gate.Action.PLAY, "hls", "play.example.com", "live",
                "demo_small", "/llhls.m3u8", "auth_key=" + variantKey, "192.0.2.1");
        assertThat(t.plane.gate().admit(variant)).isInstanceOf(Gate.Allow.class);
        // the master's key itself does not open the variant
        assertThat(t.plane.gate().admit(new Gate.AccessRequest(Gate.Action.PLAY, "hls", "play.example.com", "live",
                "demo_small", "/llhls.m3u8", "auth_key=" + masterKey, "192.0.2.1"))).isInstanceOf(Gate.Deny.class);

        t.call("PUT", "/api/v1/domains/play.example.com/signing", "{\"enabled\":false}");
        assertThat(t.plane.resign(master, "/live/demo_small/llhls.m3u8")).isEmpty();
    }
}
