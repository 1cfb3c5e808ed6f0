package dev.vireo.http.hls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.StreamKey;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Segment session tokens: bound to the stream, short-lived, unforgeable without the server secret. */
class SessionTokensTest {

    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private final SessionTokens tokens = new SessionTokens(SECRET, 60);
    private final StreamKey key = new StreamKey("push.example.com", "live", "demo");

    @Test
    void aMintedTokenOpensItsStreamUntilItExpires() {
        String sid = tokens.sessionId(key, "10.0.0.1", "1700000000-0-0-abc");
        String t = tokens.mint(key, sid, 1_000);
        assertThat(tokens.check(t, "live", "demo", 1_000)).isEqualTo(new SessionTokens.Valid(key, sid));
        assertThat(tokens.check(t, "live", "demo", 1_060)).isInstanceOf(SessionTokens.Valid.class);
        assertThat(tokens.check(t, "live", "demo", 1_061)).isEqualTo(new SessionTokens.Refused(
                "session token expired: reload the playlist"));
    }

    @Test
    void aTokenIsBoundToItsStreamAndToTheSecret() {
        String t = tokens.mint(key, "sid", 1_000);
        assertThat(tokens.check(t, "live", "other", 1_000)).isEqualTo(new SessionTokens.Refused("invalid session token"));
        assertThat(new SessionTokens("another secret of 32 bytes......".getBytes(StandardCharsets.US_ASCII), 60)
                .check(t, "live", "demo", 1_000)).isInstanceOf(SessionTokens.Refused.class);
        // a later expiry written into the token breaks its MAC
        String[] f = t.split("\\.");
        String extended = f[0] + "." + f[1] + "." + (Long.parseLong(f[2]) + 3600) + "." + f[3];
        assertThat(tokens.check(extended, "live", "demo", 1_000)).isEqualTo(new SessionTokens.Refused("invalid session token"));
    }

    @Test
    void theSessionIdIsStablePerViewerAndTheTokenCarriesNoKey() {
        assertThat(tokens.sessionId(key, "10.0.0.1", "a")).isEqualTo(tokens.sessionId(key, "10.0.0.1", "a"))
                .isNotEqualTo(tokens.sessionId(key, "10.0.0.2", "a"));
        String t = tokens.mint(key, tokens.sessionId(key, "10.0.0.1", "a"), 1_000);
        assertThat(t).doesNotContain("0123456789abcdef").hasSizeLessThan(SessionTokens.MAX_LENGTH);
    }

    @Test
    void garbageIsRefusedWithAReason() {
        assertThat(tokens.check(null, "live", "demo", 0)).isInstanceOf(SessionTokens.Refused.class);
        for (String g : new String[] {"", "a.b.c", "a.b.c.d", "!!.b.1.d", "YQ.b.1.%%", "x".repeat(500), "YQ.b.-1.AA"}) {
            assertThat(tokens.check(g, "live", "demo", 0)).as(g).isInstanceOf(SessionTokens.Refused.class);
        }
    }
}
