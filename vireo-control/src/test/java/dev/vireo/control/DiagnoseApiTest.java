package dev.vireo.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vireo.control.access.UrlSigning;
import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import dev.vireo.rtmp.RtmpConfig;
import dev.vireo.rtmp.RtmpServer;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /api/v1/diagnose} over a real control plane: the findings for the URLs users get
 * wrong, and for a live OBS-style stream (AAC, B-frames) published by ffmpeg over RTMP.
 */
@Timeout(120)
class DiagnoseApiTest {

    private static final String INGEST = "push.example.com";
    private static final String PLAY = "play.example.com";
    private static final String PLAY_KEY = "playKey0123456789";
    private static final String PUSH_KEY = "pushKey0123456789";

    @TempDir
    static Path dir;

    private static TestPlane t;

    @BeforeAll
    static void start() {
        t = new TestPlane(dir.resolve("data"));
        t.addDomain(INGEST, "ingest");
        t.addDomain(PLAY, "streaming");
        t.call("PUT", "/api/v1/domains/" + PLAY + "/association", "{\"ingestDomain\":\"" + INGEST + "\"}");
        t.call("PUT", "/api/v1/domains/" + INGEST + "/signing", "{\"primaryKey\":\"" + PUSH_KEY + "\",\"validityMinutes\":60}");
        t.call("PUT", "/api/v1/domains/" + PLAY + "/signing", "{\"primaryKey\":\"" + PLAY_KEY + "\",\"validityMinutes\":60}");
        t.call("PATCH", "/api/v1/domains/" + PLAY, "{\"html5Transcoding\":true}");
    }

    @AfterAll
    static void stop() {
        if (t != null) {
            t.close();
        }
    }

    private static long now() {
        return Instant.now().getEpochSecond();
    }

    private static String sign(String uri, String key, long timestamp) {
        return UrlSigning.authKey(uri, timestamp, "0", "0", key);
    }

    private static JsonNode diagnose(String url) {
        TestPlane.Answer a = t.call("POST", "/api/v1/diagnose", "{\"url\":" + TestPlane.JSON.valueToTree(url) + "}");
        assertThat(a.status()).as(a.raw()).isEqualTo(200);
        assertThat(a.raw()).doesNotContain(PLAY_KEY, PUSH_KEY);
        return a.json();
    }

    private static List<String> codes(JsonNode d) {
        List<String> out = new ArrayList<>();
        d.path("findings").forEach(f -> out.add(f.path("code").asText()));
        return out;
    }

    private static JsonNode finding(JsonNode d, String code) {
        for (JsonNode f : d.path("findings")) {
            if (f.path("code").asText().equals(code)) {
                return f;
            }
        }
        throw new AssertionError("no finding " + code + " in " + d.toPrettyString());
    }

    @Test
    void anUnknownDomain() {
        JsonNode d = diagnose("rtmp://nowhere.example.com/live/demo");
        assertThat(codes(d)).containsExactly("DomainUnknown");
        assertThat(finding(d, "DomainUnknown").path("severity").asText()).isEqualTo("error");
        assertThat(finding(d, "DomainUnknown").path("suggestion").asText()).contains("vhost");
    }

    @Test
    void anIngestUrlUsedForPlay() {
        JsonNode d = diagnose("http://" + INGEST + "/live/demo.flv?auth_key=" + sign("/live/demo.flv", PUSH_KEY, now()));
        assertThat(d.path("action").asText()).isEqualTo("play");
        JsonNode f = finding(d, "IngestDomainUsedForPlay");
        assertThat(f.path("severity").asText()).isEqualTo("error");
        assertThat(f.path("suggestion").asText()).contains(PLAY);
    }

    @Test
    void anExpiredUrlSaysWhenAndTheValidity() {
        long ts = now() - 2 * 3600;
        JsonNode d = diagnose("http://" + PLAY + "/live/demo.flv?auth_key=" + sign("/live/demo.flv", PLAY_KEY, ts));
        JsonNode f = finding(d, "SignatureExpired");
        assertThat(f.path("message").asText()).contains(Instant.ofEpochSecond(ts + 3600).toString(), "60 min");
        assertThat(codes(d).getFirst()).isEqualTo("SignatureExpired");
    }

    @Test
    void aWrongHash() {
        JsonNode d = diagnose("artc://" + PLAY + "/live/demo?auth_key=" + now() + "-0-0-0123456789abcdef0123456789abcdef");
        assertThat(finding(d, "SignatureMismatch").path("severity").asText()).isEqualTo("error");
        assertThat(codes(d)).doesNotContain("SignatureValid");
    }

    @Test
    void aSignatureWithoutTheFlvSuffix() {
        JsonNode d = diagnose("http://" + PLAY + "/live/demo.flv?auth_key=" + sign("/live/demo", PLAY_KEY, now()));
        JsonNode f = finding(d, "SignatureWrongUri");
        assertThat(f.path("message").asText()).contains("signed for /live/demo,", "needs /live/demo.flv",
                ".flv suffix is missing");
    }

    @Test
    void aMalformedAuthKeyAndAMalformedUrl() {
        assertThat(codes(diagnose("rtmp://" + INGEST + "/live/demo?auth_key=abc"))).contains("SignatureMalformed");
        assertThat(codes(diagnose("rtmp://" + INGEST + "/demo"))).containsExactly("UrlMalformed");
        assertThat(t.call("POST", "/api/v1/diagnose", "{}").status()).isEqualTo(400);
        assertThat(t.call("POST", "/api/v1/diagnose", "{\"url\":\"rtmp://a/b/c\"}", null).status()).isEqualTo(401);
    }

    @Test
    void anOfflineStreamWithAValidSignature() {
        JsonNode d = diagnose("artc://" + PLAY + "/live/nothing?auth_key=" + sign("/live/nothing", PLAY_KEY, now()));
        assertThat(codes(d)).contains("SignatureValid", "DomainOk");
        assertThat(codes(d).getFirst()).isEqualTo("StreamOffline");
    }

    @Test
    void anObsStyleStreamWithBFramesAndAacOnRts() throws Exception {
        Peers.ffmpeg();
        RtmpServer rtmp = new RtmpServer(RtmpConfig.defaults().withBind("127.0.0.1").withPort(0), t.hub, t.plane.gate(),
                t.boss, t.workers, NioServerSocketChannel.class);
        int port = rtmp.start();
        Path log = Files.createTempFile(dir, "ffmpeg", ".log");
        Process ffmpeg = new ProcessBuilder(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
                "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=15", "-f", "lavfi", "-i", "sine=frequency=440",
                "-c:v", "libx264", "-preset", "ultrafast", "-bf", "2", "-g", "45", "-c:a", "aac", "-t", "60", "-f", "flv",
                "rtmp://127.0.0.1:" + port + "/live/obs?vhost=" + INGEST + "&auth_key=" + sign("/live/obs", PUSH_KEY, now())))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Await.until(Duration.ofSeconds(30), "the stream with its B-frames and GOP measured", () -> t.hub
                    .find(new StreamKey(INGEST, "live", "obs")).map(s -> s.stats().bFrames() && s.stats().gopMillis() > 0)
                    .orElse(false));
            JsonNode d = diagnose("artc://" + PLAY + "/live/obs?auth_key=" + sign("/live/obs", PLAY_KEY, now()));
            assertThat(codes(d)).contains("StreamLive", "BFrames", "BrowserVariant", "LongGop", "SignatureValid");
            assertThat(finding(d, "BrowserVariant").path("message").asText()).contains("obs@html5", "AAC audio and B-frames");
            assertThat(finding(d, "StreamLive").path("message").asText()).contains("H264", "320x240", "AAC");
            // the publisher's own URL: the stream is taken
            JsonNode p = diagnose("rtmp://" + INGEST + "/live/obs?auth_key=" + sign("/live/obs", PUSH_KEY, now()));
            assertThat(p.path("action").asText()).isEqualTo("publish");
            assertThat(codes(p)).contains("StreamBusy");
            // with HTML5 transcoding off, WebRTC viewers would get no sound
            t.call("PATCH", "/api/v1/domains/" + PLAY, "{\"html5Transcoding\":false}");
            JsonNode off = diagnose("artc://" + PLAY + "/live/obs?auth_key=" + sign("/live/obs", PLAY_KEY, now()));
            assertThat(codes(off)).contains("BrowserVariantOff");
        } finally {
            t.call("PATCH", "/api/v1/domains/" + PLAY, "{\"html5Transcoding\":true}");
            ffmpeg.destroy();
            ffmpeg.waitFor(5, TimeUnit.SECONDS);
            rtmp.close();
        }
    }
}
