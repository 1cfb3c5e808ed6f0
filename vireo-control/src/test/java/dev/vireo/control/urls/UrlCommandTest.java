package dev.vireo.control.urls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.control.TestPlane;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code vireo url} against a running API. */
@Timeout(60)
class UrlCommandTest {

    @TempDir
    static Path dir;

    private static TestPlane t;

    @BeforeAll
    static void start() {
        t = new TestPlane(dir);
        t.addDomain("push.example.com", "ingest");
        t.addDomain("play.example.com", "streaming");
        t.call("PUT", "/api/v1/domains/play.example.com/association", "{\"ingestDomain\":\"push.example.com\"}");
        t.call("POST", "/api/v1/templates", "{\"id\":\"sd\",\"width\":640,\"height\":360}");
    }

    @AfterAll
    static void stop() {
        t.close();
    }

    private record Run(int code, String out, String err) {
    }

    private static Run run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = UrlCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void printsEveryUrlOnePerLine() {
        Run r = run(Map.of("VIREO_API_KEY", TestPlane.ADMIN_KEY), "--server", t.url(""), "--streaming",
                "play.example.com", "--app", "live", "--stream", "demo", "--template", "sd", "--validity", "60");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("ingest\\.rtmp\\s+rtmp://push\\.example\\.com/live/demo\\?auth_key=\\d+-[0-9a-f]{32}-0-[0-9a-f]{32}")
                .containsPattern("ingest\\.srt\\s+srt://push\\.example\\.com:10080\\?streamid=")
                .containsPattern("ingest\\.rts\\s+artc://")
                .containsPattern("play\\.rts\\s+artc://play\\.example\\.com:8080/live/demo\\?auth_key=")
                .containsPattern("play\\.whep\\s+http://play\\.example\\.com:8080/live/demo/whep\\?auth_key=")
                .containsPattern("play\\.flv\\s+http://play\\.example\\.com:8080/live/demo\\.flv\\?auth_key=")
                .containsPattern("play\\.m3u8\\s+")
                .containsPattern("transcoded\\.play\\.flv\\s+http://play\\.example\\.com:8080/live/demo_sd\\.flv\\?auth_key=")
                .containsPattern("play\\.expiresAt\\s+20");
        assertThat(r.out()).doesNotContain(TestPlane.ADMIN_KEY);
    }

    @Test
    void refusalsAndBadArgumentsHaveExitCodes() {
        Run noKey = run(Map.of(), "--server", t.url(""), "--app", "live", "--stream", "demo");
        assertThat(noKey.code()).isEqualTo(2);
        Run badKey = run(Map.of("VIREO_API_KEY", "not-a-key-0123456789"), "--server", t.url(""), "--ingest",
                "push.example.com", "--app", "live", "--stream", "demo");
        assertThat(badKey.code()).isEqualTo(1);
        assertThat(badKey.err()).contains("Unauthorized");
        Run unknownDomain = run(Map.of("VIREO_ADMIN_KEY", TestPlane.ADMIN_KEY), "--server", t.url(""), "--ingest",
                "nope.example.com", "--app", "live", "--stream", "demo");
        assertThat(unknownDomain.code()).isEqualTo(1);
        assertThat(unknownDomain.err()).contains("DomainNotFound");
        assertThat(run(Map.of(), "--bogus", "x").code()).isEqualTo(2);
        assertThat(run(Map.of(), "--help").out()).contains("usage: vireo url");
        Run json = run(Map.of("VIREO_API_KEY", TestPlane.ADMIN_KEY), "--server", t.url("/"), "--ingest",
                "push.example.com", "--app", "live", "--stream", "demo", "--json");
        assertThat(json.code()).isZero();
        assertThat(json.out()).contains("\"ingest\"").contains("\"play\"");
    }
}
