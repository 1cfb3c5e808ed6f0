package dev.vireo.control.access;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vireo.control.model.SigningConfig;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Coverage-guided fuzzing of the Type A check (issue 17): any query string, with any
 * {@code auth_key}, gives a refusal reason or passes; it never throws. Seeds in
 * {@code UrlSigningJazzerTestInputs/} (signed, expired, malformed queries); {@code JAZZER_FUZZ=1}
 * fuzzes (docs/RELIABILITY.md).
 */
class UrlSigningJazzerTest {

    private static final SigningConfig SIGNING = new SigningConfig(true, "primaryKey123", "secondaryKey456", 30);
    private static final long NOW = 1_700_000_000L;

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void query(byte[] data) {
        String query = new String(data, StandardCharsets.UTF_8);
        Optional<String> refusal = UrlSigning.refusal(SIGNING, "/live/demo.flv", query, NOW);
        refusal.ifPresent(r -> assertThat(r).startsWith(UrlSigning.PREFIX));
        AuthKey key = AuthKey.parse(query);
        if (key != null) {
            assertThat(key.toString()).isEqualTo(query);
        }
    }
}
