package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.MachineLoad;
import dev.vireo.core.testing.Peers;
import dev.vireo.http.FlvTagStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole server against real peers: ffmpeg publishes 720p H.264 (with B-frames) + AAC over
 * RTMP; ffprobe, ffmpeg and Java HTTP clients play it back over RTMP and HTTP-FLV.
 */
@Timeout(150)
class VireoServerEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private static VireoServer server;
    private static VireoServer.BoundPorts ports;
    private static Ffmpeg publisher;
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startServerAndPublish() throws Exception {
        Peers.ffmpeg();
        Peers.ffprobe();
        // A viewer that cannot take data for 5 s is dropped: the one that never reads (its buffers fill in
        // seconds), never one of the 50 that read, whatever stalls a loaded machine gives their threads.
        Config config = TestConfigs.loopback(dir.resolve("data")).withSlowViewerMaxLag(Duration.ofSeconds(5));
        server = new VireoServer(config);
        ports = server.start();
        // 300 s: the class takes 45-100 s (load 14-22 on 2 cores), and the source must outlive it (closed after)
        publisher = Ffmpeg.publish("rtmp://127.0.0.1:" + ports.rtmp() + "/live/demo", 300, dir);
        // Live once the API shows it with a GOP in the cache (a new viewer then starts at once).
        Await.until(Duration.ofSeconds(30), "stream live/demo online with a cached GOP", () -> {
            JsonNode s = streamFromApi();
            return s != null && s.get("gopCacheFrames").asInt() > 0 && s.get("audioCodec").isTextual();
        });
    }

    @AfterAll
    static void stop() throws IOException {
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

    private static String httpUrl(String path) {
        return "http://127.0.0.1:" + ports.http() + path;
    }

    /** A request answered within 60 s: a bound on a hang (at load 21 with 50 viewers streaming, over 10 s). */
    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(httpUrl(path))).timeout(Duration.ofSeconds(60))
                        .header("Authorization", "Bearer " + server.control().generatedAdminKey().orElseThrow()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode streamFromApi() {
        return streamFromApi("demo");
    }

    private static JsonNode streamFromApi(String name) {
        try {
            for (JsonNode s : JSON.readTree(get("/api/v1/streams").body()).get("streams")) {
                if (s.get("app").asText().equals("live") && s.get("stream").asText().equals(name)) {
                    return s;
                }
            }
            return null;
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void assertH264720pAndAac(String url) throws Exception {
        assertThat(probeH264AndAac(url, 1280, 720)).containsExactlyInAnyOrder("h264", "aac");
    }

    /** ffprobe's codec names for {@code url}, after checking the H.264 track's size. */
    private static List<String> probeH264AndAac(String url, int width, int height) throws Exception {
        Ffmpeg.Result r = Ffmpeg.run(Ffmpeg.ffprobeStreams(url), dir, 60);
        assertThat(r.exitCode()).as("ffprobe %s: %s", url, r.stderr()).isZero();
        JsonNode streams = JSON.readTree(r.stdout()).get("streams");
        List<String> codecs = new ArrayList<>();
        for (JsonNode s : streams) {
            codecs.add(s.get("codec_name").asText());
            if (s.get("codec_name").asText().equals("h264")) {
                assertThat(s.get("width").asInt()).isEqualTo(width);
                assertThat(s.get("height").asInt()).isEqualTo(height);
            }
        }
        return codecs;
    }

    @Test
    void transcodingTemplatesPlayOnDemandOverRtmpAndHttpFlv() throws Exception {
        // {stream}_{templateId}: the first viewer starts one shared ffmpeg job for the template.
        // Exactly one video and one audio stream: the outputs' onMetaData goes out at time 0, so
        // ffprobe does not take it for a timed-text track.
        assertThat(probeH264AndAac("rtmp://127.0.0.1:" + ports.rtmp() + "/live/demo_lld", 640, 360))
                .containsExactlyInAnyOrder("h264", "aac");
        assertThat(probeH264AndAac(httpUrl("/live/demo_lhd.flv"), 1280, 720)).containsExactlyInAnyOrder("h264", "aac");
        assertThat(server.transcoder().jobsStarted()).isGreaterThanOrEqualTo(2);
        HttpResponse<String> unknown = get("/live/demo_nope.flv");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("unknown transcoding template");
    }

    @Test
    void aTemplateCreatedThroughTheApiPlaysUntilItIsDeleted() throws Exception {
        HttpResponse<String> created = api("POST", "/api/v1/templates",
                "{\"id\":\"mobile\",\"width\":480,\"height\":270,\"videoBitrateKbps\":400,\"audioBitrateKbps\":64}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        // the admin's templates apply to the zero-config vhost; playable at once, over any protocol
        assertThat(probeH264AndAac("rtmp://127.0.0.1:" + ports.rtmp() + "/live/demo_mobile", 480, 270))
                .containsExactlyInAnyOrder("h264", "aac");
        assertThat(server.transcoder().jobs()).anySatisfy(j -> assertThat(j.output().stream()).isEqualTo("demo_mobile"));

        HttpResponse<String> deleted = api("DELETE", "/api/v1/templates/mobile", null);
        assertThat(deleted.statusCode()).isEqualTo(204);
        // its job stops at once (not after the idle timeout), and asking again is refused
        assertThat(server.transcoder().jobs()).noneSatisfy(j -> assertThat(j.output().stream()).isEqualTo("demo_mobile"));
        HttpResponse<String> refused = get("/live/demo_mobile.flv");
        assertThat(refused.statusCode()).isEqualTo(404);
        assertThat(refused.body()).contains("unknown transcoding template 'mobile'");
    }

    private static HttpResponse<String> api(String method, String path, String json)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(httpUrl(path))).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + server.control().generatedAdminKey().orElseThrow())
                .header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aTranscodingJobShowsItsStatsInTheStreamsApiAndDoesNotCountAsIngest() throws Exception {
        double publishesBefore = metric("vireo_publishes_total");
        // a viewer of demo_lld for a while: the job runs as long as it watches
        try (Ffmpeg viewer = Ffmpeg.start(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-v", "error",
                "-rw_timeout", "10000000", "-i", "rtmp://127.0.0.1:" + ports.rtmp() + "/live/demo_lld", "-t", "60",
                "-f", "null", "-"), dir)) {
            JsonNode[] job = new JsonNode[1];
            // at speed (over 20 fps, 0.8) where the machine keeps up (MachineLoad); at load 20 on 2 cores the
            // job's ffmpeg ran at 0.6: there, that it transcodes and says how fast
            Await.until(Duration.ofSeconds(60), () -> "demo_lld's job transcoding at speed in /api/v1/streams (load "
                    + MachineLoad.oneMinute() + "): " + job[0], () -> {
                JsonNode s = streamFromApi("demo_lld");
                job[0] = s == null ? null : s.get("transcode");
                boolean quiet = MachineLoad.quiet();
                return job[0] != null && job[0].get("fps").asDouble() > (quiet ? 20 : 0)
                        && job[0].get("speed").asDouble() > (quiet ? 0.8 : 0)
                        && job[0].get("addedLatencyVideoP50Millis").asDouble() > 0;
            });
            JsonNode t = job[0];
            assertThat(t.get("kind").asText()).isEqualTo("template");
            assertThat(t.get("template").asText()).isEqualTo("lld");
            assertThat(t.get("source").asText()).isEqualTo("__defaultVhost__/live/demo");
            assertThat(t.get("state").asText()).isEqualTo("RUNNING");
            assertThat(t.get("ffmpegRunning").asBoolean()).isTrue();
            long pid = t.get("ffmpegPid").asLong();
            assertThat(ProcessHandle.of(pid)).as("ffmpeg pid %d", pid).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
            assertThat(t.get("restarts").asInt()).isZero();
            assertThat(t.get("startupMillis").asLong()).isPositive();
            assertThat(t.get("addedLatencyVideoP99Millis").asDouble())
                    .isGreaterThanOrEqualTo(t.get("addedLatencyVideoP50Millis").asDouble());
            assertThat(t.get("command").asText()).contains("libx264");
            assertThat(t.get("viewers").asInt()).isEqualTo(1);
            assertThat(streamFromApi("demo").has("transcode")).as("a published stream has no transcode section").isFalse();

            // not ingest: one stream online, no publish, and the job reading demo is not a viewer of it
            Await.until(Duration.ofSeconds(10), () -> "demo without viewers: " + streamFromApi("demo"),
                    () -> streamFromApi("demo").get("viewers").asInt() == 0);
            assertThat(metric("vireo_streams")).isEqualTo(1.0);
            assertThat(metric("vireo_publishes_total")).isEqualTo(publishesBefore);
            // ingest frames grow by the source's frames only (demo_lld's would about double it)
            double ingest0 = metric("vireo_ingest_frames_total");
            long source0 = streamFromApi("demo").get("framesIn").asLong();
            long lld0 = streamFromApi("demo_lld").get("framesIn").asLong();
            // the window holds 150 source frames and 100 of demo_lld's (a transcoder slower than real time
            // under load takes longer for them; counted as ingest they would add over 0.3 of the source's)
            Await.until(Duration.ofSeconds(60), "150 more source frames and 100 more of demo_lld's",
                    () -> streamFromApi("demo").get("framesIn").asLong() > source0 + 150
                            && streamFromApi("demo_lld").get("framesIn").asLong() > lld0 + 100);
            double ingest1 = metric("vireo_ingest_frames_total");
            long source1 = streamFromApi("demo").get("framesIn").asLong();
            long lld1 = streamFromApi("demo_lld").get("framesIn").asLong();
            assertThat(lld1 - lld0).as("demo_lld's frames meanwhile").isGreaterThan(100);
            assertThat(lld1 - lld0).as("demo_lld's frames meanwhile, against the source's %d", source1 - source0)
                    .isGreaterThan((long) (0.3 * (source1 - source0)));
            assertThat(ingest1 - ingest0).isBetween(0.7 * (source1 - source0), 1.3 * (source1 - source0));
        }
    }

    private static double metric(String name) throws Exception {
        return Double.parseDouble(get("/metrics").body().lines().filter(l -> l.startsWith(name + " "))
                .findFirst().orElseThrow(() -> new AssertionError("no metric " + name)).split(" ")[1]);
    }

    @Test
    void ffprobeSeesH264And720pAndAacOverRtmpAndHttpFlv() throws Exception {
        assertH264720pAndAac("rtmp://127.0.0.1:" + ports.rtmp() + "/live/demo");
        assertH264720pAndAac(httpUrl("/live/demo.flv"));
    }

    @Test
    void aRecordingFromHttpFlvDecodesWithoutErrors() throws Exception {
        Path out = dir.resolve("recorded.flv");
        Ffmpeg.Result rec = Ffmpeg.run(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-v", "error",
                "-rw_timeout", "10000000", "-i", httpUrl("/live/demo.flv"), "-t", "3", "-c", "copy", "-y",
                out.toString()), dir, 60);
        assertThat(rec.exitCode()).as(rec.stderr()).isZero();
        assertThat(Files.size(out)).isGreaterThan(100_000);
        // "-enc_time_base -1" keeps the input's millisecond time base for the null output: with the
        // default 1/30, ffmpeg 5.1 rounds two frames to one tick whenever audio starts a
        // non-multiple of a frame before video, and warns about its own rounding, not our bytes.
        Ffmpeg.Result decode = Ffmpeg.run(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-v", "error",
                "-i", out.toString(), "-enc_time_base", "-1", "-f", "null", "-"), dir, 60);
        assertThat(decode.exitCode()).isZero();
        assertThat(decode.stdout() + decode.stderr()).as("decoder errors").isEmpty();
    }

    @Test
    void fiftyViewersReceiveWhileAViewerThatNeverReadsIsDropped() throws Exception {
        double droppedBefore = droppedViewers();
        int n = 50;
        List<AtomicLong> tags = new ArrayList<>();
        List<AtomicLong> keyframes = new ArrayList<>();
        List<InputStream> bodies = new CopyOnWriteArrayList<>();
        List<Thread> readers = new ArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        try (Socket slow = new Socket()) {
            for (int i = 0; i < n; i++) {
                AtomicLong count = new AtomicLong();
                AtomicLong keys = new AtomicLong();
                tags.add(count);
                keyframes.add(keys);
                readers.add(Thread.ofVirtual().start(() -> {
                    try {
                        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(httpUrl("/live/demo.flv")))
                                .build(), HttpResponse.BodyHandlers.ofInputStream());
                        bodies.add(r.body());
                        if (r.statusCode() != 200) {
                            throw new AssertionError("status " + r.statusCode());
                        }
                        try (FlvTagStream flv = new FlvTagStream(r.body())) {
                            for (FlvTagStream.Tag t = flv.next(); t != null; t = flv.next()) {
                                count.incrementAndGet();
                                if (t.isKeyframe()) {
                                    keys.incrementAndGet();
                                }
                            }
                        }
                    } catch (IOException e) {
                        // the test closed the body
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            // A viewer with a tiny receive window that never reads a byte.
            slow.setReceiveBufferSize(4096);
            slow.connect(new InetSocketAddress("127.0.0.1", ports.http()), 5_000);
            slow.getOutputStream().write(("GET /live/demo.flv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));

            long stalledAt = System.nanoTime();
            Await.until(Duration.ofSeconds(90), "the viewer that never reads to be dropped",
                    () -> droppedViewers() >= droppedBefore + 1);
            System.out.printf("slow viewer: dropped %d ms after its request (lag bound 5 s)%n",
                    (System.nanoTime() - stalledAt) / 1_000_000);
            long[] atDrop = tags.stream().mapToLong(AtomicLong::get).toArray();
            Await.until(Duration.ofSeconds(30), "every viewer to get 30 more tags after the drop", () -> {
                for (int i = 0; i < n; i++) {
                    if (tags.get(i).get() < atDrop[i] + 30) {
                        return false;
                    }
                }
                return true;
            });
            assertThat(failures).isEmpty();
            assertThat(keyframes).allSatisfy(k -> assertThat(k.get()).isPositive());
            assertThat(droppedViewers()).as("only the slow viewer was dropped").isEqualTo(droppedBefore + 1);
            assertThat(streamFromApi().get("viewers").asInt()).isGreaterThanOrEqualTo(n);
        } finally {
            for (InputStream b : bodies) {
                b.close();
            }
            for (Thread t : readers) {
                t.join(5_000);
            }
        }
    }

    private static double droppedViewers() {
        return server.meterRegistry().find("vireo.viewers.dropped").tag("protocol", "http-flv").counter().count();
    }

    @Test
    void theStreamsApiShowsTheStreamWithItsVideoProperties() throws Exception {
        Await.until(Duration.ofSeconds(10), "a complete GOP measured", () -> streamFromApi().get("gopFrames").asInt() > 0);
        JsonNode s = streamFromApi();
        assertThat(s.get("videoCodec").asText()).isEqualTo("H264");
        assertThat(s.get("audioCodec").asText()).isEqualTo("AAC");
        assertThat(s.get("width").asInt()).isEqualTo(1280);
        assertThat(s.get("height").asInt()).isEqualTo(720);
        assertThat(s.get("bFrames").asBoolean()).isTrue();
        assertThat(s.get("gopFrames").asInt()).isEqualTo(30);
        assertThat(s.get("live").asBoolean()).isTrue();

        HttpResponse<String> one = get("/api/v1/streams/__defaultVhost__/live/demo");
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(one.body()).get("width").asInt()).isEqualTo(1280);
        HttpResponse<String> none = get("/api/v1/streams/__defaultVhost__/live/nothing");
        assertThat(none.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(none.body()).get("code").asText()).isEqualTo("StreamNotFound");
    }

    @Test
    void metricsExposeTheHubGauges() throws Exception {
        HttpResponse<String> r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).get().asString().startsWith("text/plain");
        assertThat(r.body()).contains("vireo_streams 1.0", "vireo_viewers ", "vireo_ingest_bytes_total ",
                "vireo_egress_bytes_total{protocol=\"http-flv\"}", "vireo_publishes_total 1.0", "jvm_memory_used_bytes");
        double ingest = Double.parseDouble(r.body().lines().filter(l -> l.startsWith("vireo_ingest_bytes_total "))
                .findFirst().orElseThrow().split(" ")[1]);
        assertThat(ingest).isGreaterThan(10_000);
        assertThat(get("/healthz").body()).isEqualTo("{\"status\":\"ok\"}");
    }
}
