package dev.vireo.control.urls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.control.access.UrlSigning;
import dev.vireo.control.model.ControlConfig;
import dev.vireo.control.model.SigningConfig;
import org.junit.jupiter.api.Test;

class UrlGeneratorTest {

    private static final long NOW = 1_700_000_000L;
    private static final SigningConfig SIGNING = new SigningConfig(true, "primaryKey123", null, 30);
    private static final UrlGenerator DEFAULT_PORTS =
            new UrlGenerator(new ControlConfig.UrlEndpoints("203.0.113.5", 1935, 80, 443, 10080));

    @Test
    void signedUrlsFollowTheDesignFormats() {
        UrlGenerator.UrlSet u = DEFAULT_PORTS.generate(new UrlGenerator.Target("push.example.com", SIGNING, false),
                new UrlGenerator.Target("play.example.com", SIGNING, true), "live", "demo", null, null, NOW, "0");
        String auth = "auth_key=" + NOW + "-0-0-bd4b066bce891db825b0ef144688e07e";
        assertThat(u.ingest().rtmp()).isEqualTo("rtmp://push.example.com/live/demo?" + auth);
        assertThat(u.ingest().srt()).isEqualTo("srt://push.example.com:10080?streamid=#!::h=push.example.com,r=/live/demo?"
                + auth + ",m=publish");
        assertThat(u.ingest().rts()).isEqualTo("artc://push.example.com/live/demo?" + auth);
        assertThat(u.ingest().whip()).isEqualTo("http://push.example.com/live/demo/whip?" + auth);
        assertThat(u.play().rts()).isEqualTo("artc://play.example.com/live/demo?" + auth);
        assertThat(u.play().whep()).isEqualTo("https://play.example.com/live/demo/whep?" + auth);
        assertThat(u.play().rtmp()).isEqualTo("rtmp://play.example.com/live/demo?" + auth);
        // SRT pull (m=request): the same token as RTMP, over /app/stream
        assertThat(u.play().srt()).isEqualTo("srt://play.example.com:10080?streamid=#!::h=play.example.com,r=/live/demo?"
                + auth + ",m=request");
        assertThat(u.play().flv()).isEqualTo("https://play.example.com/live/demo.flv?auth_key=" + NOW
                + "-0-0-428bc86ea3ffbca5268e6f84088752f8");
        assertThat(u.play().m3u8()).isEqualTo("https://play.example.com/live/demo.m3u8?auth_key=" + NOW + "-0-0-"
                + UrlSigning.md5Hex("/live/demo.m3u8-" + NOW + "-0-0-primaryKey123"));
        // LL-HLS: signed over its own path, as the gate checks it
        assertThat(u.play().llhls()).isEqualTo("https://play.example.com/live/demo/llhls.m3u8?auth_key=" + NOW
                + "-0-0-" + UrlSigning.md5Hex("/live/demo/llhls.m3u8-" + NOW + "-0-0-primaryKey123"));
        assertThat(u.play().jpg()).isEqualTo("https://play.example.com/live/demo.jpg?auth_key=" + NOW
                + "-0-0-" + UrlSigning.md5Hex("/live/demo.jpg-" + NOW + "-0-0-primaryKey123"));
        assertThat(u.play().expiresAt()).as("1700000000 is 22:13:20Z, plus 30 minutes").isEqualTo("2023-11-14T22:43:20Z");
        assertThat(u.transcoded()).isNull();
    }

    @Test
    void unsignedDomainsAndNonDefaultPorts() {
        UrlGenerator g = new UrlGenerator(ControlConfig.UrlEndpoints.defaults("203.0.113.5"));
        UrlGenerator.UrlSet u = g.generate(new UrlGenerator.Target("push.example.com", null, false),
                new UrlGenerator.Target("play.example.com", null, false), "live", "demo", "hd", null, NOW, "0");
        assertThat(u.ingest().rtmp()).isEqualTo("rtmp://push.example.com/live/demo");
        assertThat(u.ingest().srt()).isEqualTo("srt://push.example.com:10080?streamid=#!::h=push.example.com,r=/live/demo,m=publish");
        assertThat(u.play().flv()).isEqualTo("http://play.example.com:8080/live/demo.flv");
        // artc:// with the port WHEP has: the player maps artc://host to http(s)://host (port 80/443 without it)
        assertThat(u.play().rts()).isEqualTo("artc://play.example.com:8080/live/demo");
        assertThat(u.play().whep()).isEqualTo("http://play.example.com:8080/live/demo/whep");
        assertThat(u.ingest().rts()).isEqualTo("artc://push.example.com:8080/live/demo");
        assertThat(u.play().expiresAt()).isNull();
        assertThat(u.transcoded().stream()).isEqualTo("demo_hd");
        assertThat(u.transcoded().play().m3u8()).isEqualTo("http://play.example.com:8080/live/demo_hd.m3u8");
        assertThat(u.transcoded().play().rtmp()).isEqualTo("rtmp://play.example.com/live/demo_hd");
    }

    @Test
    void aRequestedValidityMovesTheTimestampSoTheUrlExpiresThen() {
        UrlGenerator.UrlSet u = DEFAULT_PORTS.generate(new UrlGenerator.Target("push.example.com", SIGNING, false), null,
                "live", "demo", null, 5, NOW, "0");
        long ts = NOW + (5 - 30) * 60L;
        assertThat(u.ingest().rtmp()).contains("auth_key=" + ts + "-0-0-");
        assertThat(u.ingest().expiresAt()).isEqualTo(java.time.Instant.ofEpochSecond(NOW + 300).toString());
        String query = u.ingest().rtmp().substring(u.ingest().rtmp().indexOf('?') + 1);
        assertThat(UrlSigning.refusal(SIGNING, "/live/demo", query, NOW + 300)).isEmpty();
        assertThat(UrlSigning.refusal(SIGNING, "/live/demo", query, NOW + 301)).hasValue(
                "denied by req auth: expired timestamp=" + ts);
        assertThat(u.play()).isNull();

        UrlGenerator.UrlSet longer = DEFAULT_PORTS.generate(new UrlGenerator.Target("push.example.com", SIGNING, false),
                null, "live", "demo", null, 600, NOW, "0");
        String q2 = longer.ingest().rtmp().substring(longer.ingest().rtmp().indexOf('?') + 1);
        assertThat(UrlSigning.refusal(SIGNING, "/live/demo", q2, NOW + 599 * 60)).as("longer than the domain's").isEmpty();
    }
}
