package dev.vireo.http.hls;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Coverage-guided fuzzing of what an HLS request names after the stream (issue 17): the resource
 * file name ({@link ResourceName}: {@code init0.mp4}, {@code s12.ts}, {@code p12_3.m4s}), the query
 * decoded as {@code RequestContext} decodes it, the LL-HLS delivery directives
 * {@code _HLS_msn}/{@code _HLS_part}/{@code _HLS_skip} (draft-pantos-hls-rfc8216bis §6.2.5) and
 * the {@code hls_token} check ({@link SessionTokens}). Only {@link DeliveryDirectives.Invalid}
 * (400) escapes, and the decoder's {@link IllegalArgumentException} for a bad escape, which
 * {@code Dispatcher} answers with 400 (it reached the handlers and was a 500 until this target
 * found it: {@code crash-03c9550c…} in the seeds); a name is parsed or null (404), a token valid or refused (403). The input is
 * {@code file?query}. Seeds in {@code HlsQueryJazzerTestInputs/} (requests hls.js and ffmpeg
 * make of Vireo's playlists); {@code JAZZER_FUZZ=1} fuzzes (docs/RELIABILITY.md).
 */
class HlsQueryJazzerTest {

    private static final SessionTokens TOKENS = new SessionTokens("0123456789abcdef0123".getBytes(StandardCharsets.UTF_8), 60);

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void request(byte[] data) {
        String s = new String(data, StandardCharsets.UTF_8);
        int q = s.indexOf('?');
        String file = q < 0 ? s : s.substring(0, q);
        String rawQuery = q < 0 ? "" : s.substring(q + 1);
        int dot = file.lastIndexOf('.');
        if (dot >= 0) {
            ResourceName name = ResourceName.parse(file.substring(0, dot), file.substring(dot + 1));
            if (name != null) {
                assertThat(name.msn()).isGreaterThanOrEqualTo(-1);
                assertThat(name.part()).isGreaterThanOrEqualTo(-1);
            }
        }
        Map<String, List<String>> params;
        try {
            params = rawQuery.isEmpty() ? Map.of()
                    : new QueryStringDecoder(rawQuery, StandardCharsets.UTF_8, false).parameters();
        } catch (IllegalArgumentException malformed) {
            return; // the Dispatcher answers 400 before any handler (the first finding of this target)
        }
        SessionTokens.Check check = TOKENS.check(first(params, "hls_token"), "live", "demo", 1_000_000L);
        if (check instanceof SessionTokens.Refused refused) {
            assertThat(refused.reason()).isNotBlank();
        }
        try {
            DeliveryDirectives d = DeliveryDirectives.parse(first(params, "_HLS_msn"), first(params, "_HLS_part"),
                    first(params, "_HLS_skip"));
            assertThat(d.msn()).isGreaterThanOrEqualTo(-1);
            assertThat(d.part()).isGreaterThanOrEqualTo(-1);
        } catch (DeliveryDirectives.Invalid expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    private static String first(Map<String, List<String>> params, String name) {
        List<String> v = params.get(name);
        return v == null || v.isEmpty() ? null : v.getFirst();
    }
}
