package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HLS and LL-HLS end to end: ffmpeg publishes over RTMP (H.264 without B-frames, 1 s GOP, AAC),
 * ffmpeg plays both playlists and decodes 10 s without an error, and the LL-HLS delivery
 * directives (blocking reload, preload hints, bad requests) behave per draft-pantos-hls-rfc8216bis.
 */
class VireoServerHlsTest {

    @TempDir
    static Path dir;

    private static VireoServer server;
    private static VireoServer.BoundPorts ports;
    private static Ffmpeg publisher;
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startServerAndPublish() throws Exception {
        server = BrowserFixture.server(dir);
        ports = server.start();
        publisher = Ffmpeg.start(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
                "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-f", "lavfi", "-i", "sine",
                "-c:v", "libx264", "-preset", "ultrafast", "-bf", "0", "-g", "30", "-c:a", "aac", "-t", "180",
                "-f", "flv", "rtmp://127.0.0.1:" + ports.rtmp() + "/live/demo"), dir);
        Await.until(Duration.ofSeconds(30), "live/demo online with a cached GOP", () -> server.hub()
                .find(StreamKey.of("live", "demo")).map(s -> s.stats().gopCacheFrames() > 0 && s.stats().gopMillis() > 0)
                .orElse(false));
    }

    @AfterAll
    static void stop() {
        try {
            if (publisher != null) {
                publisher.close();
            }
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    static String url(String path) {
        return "http://127.0.0.1:" + ports.http() + path;
    }

    static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<byte[]> getBytes(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** ffmpeg reads 10 s of a playlist and decodes it: exit 0 and nothing at level error. */
    static void decodesTenSeconds(String playlistUrl) throws Exception {
        Ffmpeg.Result r = Ffmpeg.run(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-v", "error",
                "-rw_timeout", "15000000", "-i", playlistUrl, "-t", "10", "-f", "null", "-"), dir, 90);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout() + r.stderr()).as("decoder errors").isEmpty();
    }

    @Test
    void ffmpegDecodesTenSecondsOfClassicHlsWithTsSegments() throws Exception {
        HttpResponse<String> p = get("/live/demo.m3u8");
        assertThat(p.statusCode()).isEqualTo(200);
        assertThat(p.headers().firstValue("Content-Type")).hasValue("application/vnd.apple.mpegurl");
        // Any segment number: the segmenter may have been started by an earlier test of this class,
        // and its first segment leaves the 10-segment window about 20 s later.
        assertThat(p.body()).startsWith("#EXTM3U\n").contains("#EXT-X-TARGETDURATION:2", "#EXTINF:2.0",
                "#EXT-X-PROGRAM-DATE-TIME:").containsPattern("demo/s\\d+\\.ts\\?hls_token=");
        decodesTenSeconds(url("/live/demo.m3u8"));
    }

    @Test
    void ffmpegDecodesTenSecondsOfLowLatencyHlsWithFmp4() throws Exception {
        HttpResponse<String> p = get("/live/demo/llhls.m3u8");
        assertThat(p.statusCode()).isEqualTo(200);
        assertThat(p.body()).contains("#EXT-X-VERSION:6", "#EXT-X-MAP:URI=\"init0.mp4?hls_token=",
                "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL=12.000,PART-HOLD-BACK=0.600",
                "#EXT-X-PART-INF:PART-TARGET=0.200", "INDEPENDENT=YES", "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"p");
        decodesTenSeconds(url("/live/demo/llhls.m3u8"));
    }

    private static final Pattern HINT = Pattern.compile("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"p(\\d+)_(\\d+)\\.m4s\\?hls_token=([^\"]+)\"");

    @Test
    void aBlockingReloadForTheNextPartReturnsOnceThatPartExists() throws Exception {
        Matcher hint = HINT.matcher(get("/live/demo/llhls.m3u8").body());
        assertThat(hint.find()).isTrue();
        long msn = Long.parseLong(hint.group(1));
        int part = Integer.parseInt(hint.group(2));
        // The part the playlist hints does not exist yet: the reload waits for it (no thread held),
        // and the playlist it gets lists it.
        CompletableFuture<HttpResponse<String>> reload = http.sendAsync(HttpRequest.newBuilder(URI.create(
                        url("/live/demo/llhls.m3u8?_HLS_msn=" + msn + "&_HLS_part=" + part)))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        // The hinted part itself, asked at the same time, is answered once complete (§6.2.6).
        HttpResponse<byte[]> hinted = getBytes("/live/demo/p" + msn + "_" + part + ".m4s?hls_token=" + hint.group(3));
        assertThat(hinted.statusCode()).isEqualTo(200);
        assertThat(new String(hinted.body(), 4, 4)).isEqualTo("moof");
        HttpResponse<String> r = reload.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("p" + msn + "_" + part + ".m4s");
    }

    @Test
    void deliveryDirectivesOutOfBoundsAreRefusedAtOnce() throws Exception {
        HttpResponse<String> far = get("/live/demo/llhls.m3u8?_HLS_msn=999999");
        assertThat(far.statusCode()).as(far.body()).isEqualTo(400);
        assertThat(far.body()).contains("more than two segments past");
        assertThat(get("/live/demo/llhls.m3u8?_HLS_part=1").statusCode()).isEqualTo(400);
        assertThat(get("/live/demo/llhls.m3u8?_HLS_msn=-1").statusCode()).isEqualTo(400);
        Matcher hint = HINT.matcher(get("/live/demo/llhls.m3u8").body());
        assertThat(hint.find()).isTrue();
        // a part far past the Advance Part Limit (3 / 0.2 s = 15 parts) of the segment being made
        assertThat(get("/live/demo/llhls.m3u8?_HLS_msn=" + hint.group(1) + "&_HLS_part=9999").statusCode())
                .isEqualTo(400);
        assertThat(get("/live/demo/llhls.m3u8?_HLS_skip=maybe").statusCode()).isEqualTo(400);
        assertThat(get("/live/nobody.m3u8").statusCode()).isEqualTo(404);
        assertThat(get("/live/nobody/llhls.m3u8").statusCode()).isEqualTo(404);
        assertThat(get("/live/demo.m3u8?x=" + "a".repeat(10_000)).statusCode()).isEqualTo(414);
    }

    @Test
    void segmentUrlsNeedTheSessionTokenOfAPlaylist() throws Exception {
        assertThat(get("/live/demo/s0.ts").statusCode()).isEqualTo(403);
        HttpResponse<String> forged = get("/live/demo/s0.ts?hls_token=X19kZWZhdWx0Vmhvc3RfXw.abc.99999999999.AAAAAAAAAAAAAAAAAAAAAA");
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(forged.headers().firstValue("X-Tengine-Error")).hasValue("invalid session token");
        String playlist = get("/live/demo.m3u8").body();
        Matcher m = Pattern.compile("demo/(s\\d+\\.ts\\?hls_token=\\S+)").matcher(playlist);
        assertThat(m.find()).isTrue();
        HttpResponse<byte[]> seg = getBytes("/live/demo/" + m.group(1));
        assertThat(seg.statusCode()).isEqualTo(200);
        assertThat(seg.body()[0]).as("TS sync byte").isEqualTo((byte) 0x47);
        // A token is bound to its stream
        assertThat(get("/live/other/" + m.group(1)).statusCode()).isEqualTo(403);
    }

    @Test
    void aSnapshotIsAJpegOfTheLatestKeyframeMadeAtMostOncePerInterval() throws Exception {
        HttpResponse<byte[]> jpg = getBytes("/live/demo.jpg");
        assertThat(jpg.statusCode()).as(new String(jpg.body())).isEqualTo(200);
        assertThat(jpg.headers().firstValue("Content-Type")).hasValue("image/jpeg");
        assertThat(jpg.body()[0] & 0xFF).isEqualTo(0xFF);
        assertThat(jpg.body()[1] & 0xFF).isEqualTo(0xD8);
        // within the interval the same picture is served again (one ffmpeg run per 5 s per stream); the
        // interval runs from the first request, so the second comes right after it, not after ffprobe
        assertThat(getBytes("/live/demo.jpg").body()).isEqualTo(jpg.body());
        Path file = dir.resolve("snapshot.jpg");
        java.nio.file.Files.write(file, jpg.body());
        Ffmpeg.Result probe = Ffmpeg.run(List.of(Peers.ffprobe(), "-v", "error", "-show_entries",
                "stream=codec_name,width,height", "-of", "default=nw=1", file.toString()), dir, 30);
        assertThat(probe.stdout()).contains("codec_name=mjpeg", "width=640", "height=360");
        assertThat(get("/live/nobody.jpg").statusCode()).isEqualTo(404);
    }
}
