package dev.vireo.http.hls;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of the LL-HLS delivery directives (RFC 8216bis §6.2.5; issue 17): the
 * input is {@code msn&part&skip} (an empty field is an absent directive); parsing returns bounded
 * values or throws {@link DeliveryDirectives.Invalid}. Seeds in
 * {@code DeliveryDirectivesJazzerTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes (docs/RELIABILITY.md).
 */
class DeliveryDirectivesJazzerTest {

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void parse(byte[] data) {
        String[] f = new String(data, StandardCharsets.UTF_8).split("&", 3);
        String msn = f.length > 0 && !f[0].isEmpty() ? f[0] : null;
        String part = f.length > 1 && !f[1].isEmpty() ? f[1] : null;
        String skip = f.length > 2 && !f[2].isEmpty() ? f[2] : null;
        try {
            DeliveryDirectives d = DeliveryDirectives.parse(msn, part, skip);
            assertThat(d.msn()).isGreaterThanOrEqualTo(-1);
            assertThat(d.part()).isGreaterThanOrEqualTo(-1);
        } catch (DeliveryDirectives.Invalid expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }
}
