package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The master playlist {@code /{app}/{stream}/master.m3u8}: the source and the account's
 * transcoding template as LL-HLS variants with BANDWIDTH, RESOLUTION and CODECS; ffprobe reads
 * both variants (the template's transcode starting on demand), and hls.js in Chromium sees two
 * levels, plays, and keeps playing when switched to the rendition.
 */
@Timeout(300)
class VireoServerHlsMasterTest {

    @TempDir
    Path dir;

    @Test
    void theMasterListsTheSourceAndTheTemplateAndPlayersSwitchBetweenThem() throws Exception {
        HlsJs.library();
        HttpClient http = HttpClient.newHttpClient();
        try (BrowserFixture fx = BrowserFixture.start(dir, List.of("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30",
                        "-f", "lavfi", "-i", "sine"),
                List.of("-c:v", "libx264", "-preset", "ultrafast", "-bf", "0", "-g", "30", "-b:v", "800k",
                        "-c:a", "aac", "-t", "180"),
                "live/abr", StreamKey.of("live", "abr"), s -> s.gopCacheFrames() > 0 && s.bitrateKbps() > 0,
                (server, ports) -> {
                    String key = server.control().generatedAdminKey().orElseThrow();
                    HttpResponse<String> t = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.http()
                                    + "/api/v1/templates")).header("Authorization", "Bearer " + key)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"small\",\"videoCodec\":\"h264\","
                                    + "\"height\":180,\"videoBitrateKbps\":300,\"audioCodec\":\"aac\",\"audioBitrateKbps\":64}"))
                            .build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(t.statusCode()).as(t.body()).isEqualTo(201);
                })) {
            String base = "http://127.0.0.1:" + fx.ports().http();
            HttpResponse<String> master = http.send(HttpRequest.newBuilder(URI.create(base + "/live/abr/master.m3u8")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(master.statusCode()).isEqualTo(200);
            assertThat(master.headers().firstValue("Content-Type")).hasValue("application/vnd.apple.mpegurl");
            List<String> lines = master.body().lines().toList();
            assertThat(lines.getFirst()).isEqualTo("#EXTM3U");
            assertThat(lines).filteredOn(l -> l.startsWith("#EXT-X-STREAM-INF:")).hasSize(2);
            assertThat(lines).contains("llhls.m3u8", "../abr_small/llhls.m3u8");
            String source = lines.get(lines.indexOf("llhls.m3u8") - 1);
            String small = lines.get(lines.indexOf("../abr_small/llhls.m3u8") - 1);
            // the source's codecs from its sequence headers (x264 ultrafast: Constrained Baseline)
            assertThat(source).matches("#EXT-X-STREAM-INF:BANDWIDTH=\\d+,CODECS=\"avc1\\.42c0[0-9a-f]{2},mp4a\\.40\\.2\","
                    + "RESOLUTION=640x360,FRAME-RATE=\\d+\\.\\d{3}");
            assertThat(small).startsWith("#EXT-X-STREAM-INF:BANDWIDTH=455000,CODECS=\"avc1.64001f,mp4a.40.2\","
                    + "RESOLUTION=320x180");
            assertThat(fx.server().hub().find(StreamKey.of("live", "abr_small"))).as("listing starts nothing").isEmpty();

            // ffprobe opens every variant: the template's transcode starts on demand
            Ffmpeg.Result probe = Ffmpeg.run(List.of(Peers.ffprobe(), "-v", "error", "-rw_timeout", "20000000",
                    "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", base + "/live/abr/master.m3u8"),
                    dir, 120);
            assertThat(probe.exitCode()).as(probe.stderr()).isZero();
            assertThat(probe.stdout().lines().map(String::strip).toList()).contains("h264,640,360", "h264,320,180");

            fx.chromium().open(HlsJs.page(dir, base + "/live/abr/master.m3u8").toUri().toString());
            Await.until(Duration.ofSeconds(40), "hls.js plays past 2 s with two levels", () -> {
                assertThat(fx.chromium().js("return window.hlsErrors.join(',')")).isEqualTo("");
                return fx.chromium().number("window.hls.levels.length") == 2
                        && fx.chromium().number("document.getElementById('v').currentTime") > 2;
            });
            assertThat(fx.chromium().js("return window.hls.levels.map(l => l.height).sort().join(',')")).isEqualTo("180,360");
            // switch to the rendition: it keeps playing from the transcode
            fx.chromium().js("const i = window.hls.levels.findIndex(l => l.height === 180); window.hls.currentLevel = i;"
                    + " return i");
            Await.until(Duration.ofSeconds(40), "the 180p level plays", () -> fx.chromium().number(
                    "document.getElementById('v').videoHeight") == 180);
            double t = fx.chromium().number("document.getElementById('v').currentTime");
            Await.until(Duration.ofSeconds(30), "the playback position advances on the rendition",
                    () -> fx.chromium().number("document.getElementById('v').currentTime") > t + 2);
            assertThat(fx.chromium().js("return window.hlsErrors.join(',')")).isEqualTo("");
            assertThat(fx.server().hub().find(StreamKey.of("live", "abr_small"))).isPresent();
        }
    }
}
