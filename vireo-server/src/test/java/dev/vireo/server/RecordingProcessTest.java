package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recording with the server as a real process ({@code java ... Main}, the {@code record.streams}
 * setting and recording rules of the admin API): 20 s that ffmpeg pushed play from the file start
 * to end with the pushed duration; a server killed with SIGKILL in the middle of a recording, alone
 * or under churn (fMP4 and FLV recordings, a publisher restarting, viewers joining and leaving),
 * leaves files that play without an error up to their last chunk, and starts again cleanly on the
 * same data dir.
 *
 * <p>What "playable" means here follows from what the recorder guarantees: a file is its header
 * (ftyp+moov, or the FLV header with the sequence headers) written at creation, then one
 * self-contained chunk per GOP (a movie fragment, or the GOP's FLV tags), each appended in a single
 * {@code write} ({@code RecordingFile}). A process killed at any moment therefore leaves a file
 * that ends on a chunk boundary, so: ffprobe finds the video and the audio stream, the duration is
 * above 0 and not below what was on disk before the kill, and {@code ffmpeg -v error -i f -f null -}
 * decodes it to the end with no output at all (not even a warning about a truncated last chunk).
 */
@Timeout(180)
class RecordingProcessTest {

    private static final String ADMIN_KEY = "admin-key-of-the-recording-process-test";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() {
        for (AutoCloseable c : closing.reversed()) {
            try {
                c.close();
            } catch (Exception e) {
                // the others still close
            }
        }
    }

    /** {@code java ... Main} with every port ephemeral, recording live/* (fMP4 unless a rule says otherwise). */
    private ServerProcess launch(String name) throws IOException {
        ServerProcess p = ServerProcess.start(name, dir, Map.of("VIREO_ADMIN_KEY", ADMIN_KEY), "--bind", "127.0.0.1",
                "--http-port", "0", "--https-port", "0", "--rtmp-port", "0", "--rtc-port", "0", "--srt-port", "0",
                "--transcode-html5-eager", "false", "--data-dir", dir.resolve("data").toString(),
                "--record-streams", "live/*");
        closing.add(p);
        return p;
    }

    private Ffmpeg push(int rtmpPort, String stream, String size, int seconds) throws IOException {
        Ffmpeg f = Ffmpeg.start(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
                "-f", "lavfi", "-i", "testsrc2=size=" + size + ":rate=30", "-f", "lavfi", "-i", "sine",
                "-c:v", "libx264", "-preset", "ultrafast", "-bf", "0", "-g", "30", "-c:a", "aac",
                "-t", String.valueOf(seconds), "-f", "flv", "rtmp://127.0.0.1:" + rtmpPort + "/live/" + stream), dir);
        closing.add(f);
        return f;
    }

    /** The recordings of live/{stream} on disk, oldest first (names are their UTC start). */
    private List<Path> recordings(String stream) {
        Path d = dir.resolve("data/recordings").resolve(StreamKey.DEFAULT_VHOST).resolve("live").resolve(stream);
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> p.toString().endsWith(".mp4") || p.toString().endsWith(".flv")).sorted().toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private double duration(Path file) throws Exception {
        Ffmpeg.Result r = Ffmpeg.run(List.of(Peers.ffprobe(), "-v", "error", "-show_entries", "format=duration",
                "-of", "default=nw=1:nk=1", file.toString()), dir, 30);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        return Double.parseDouble(r.stdout().strip());
    }

    /**
     * The duration of a file being written, probed again only when it has grown (a chunk a GOP), 0
     * while ffprobe cannot read it yet (it may see a chunk half copied into the page cache).
     */
    private final Map<Path, long[]> probed = new ConcurrentHashMap<>();
    private final Map<Path, Double> lastDuration = new ConcurrentHashMap<>();

    private double growingDuration(Path file) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            return 0;
        }
        long[] seen = probed.computeIfAbsent(file, f -> new long[] {-1});
        if (seen[0] != size) {
            seen[0] = size;
            try {
                lastDuration.put(file, duration(file));
            } catch (Exception | AssertionError e) {
                lastDuration.putIfAbsent(file, 0.0);
            }
        }
        return lastDuration.getOrDefault(file, 0.0);
    }

    /** How far into the file's time line its first packet is (a file that starts late would not play from 0). */
    private double startTime(Path file) throws Exception {
        Ffmpeg.Result r = Ffmpeg.run(List.of(Peers.ffprobe(), "-v", "error", "-show_entries", "format=start_time",
                "-of", "default=nw=1:nk=1", file.toString()), dir, 30);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        return Double.parseDouble(r.stdout().strip());
    }

    private void decodesWithoutErrors(Path file) throws Exception {
        Ffmpeg.Result r = Ffmpeg.run(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-v", "error", "-i",
                file.toString(), "-f", "null", "-"), dir, 60);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout() + r.stderr()).as("decoder errors in " + file).isEmpty();
    }

    /** The file is playable (class comment): both streams found, {@code width} wide, duration above 0, decodes to the end. */
    private double playable(Path file, int width) throws Exception {
        Ffmpeg.Result r = Ffmpeg.run(List.of(Peers.ffprobe(), "-v", "error", "-of", "json", "-show_streams",
                "-show_format", file.toString()), dir, 30);
        assertThat(r.exitCode()).as(file + ": " + r.stderr()).isZero();
        assertThat(r.stderr()).as("ffprobe errors in " + file).isEmpty();
        JsonNode probe = JSON.readTree(r.stdout());
        List<String> streams = new ArrayList<>();
        for (JsonNode s : probe.path("streams")) {
            streams.add(s.path("codec_type").asText() + "/" + s.path("codec_name").asText()
                    + (s.path("codec_type").asText().equals("video") ? "/" + s.path("width").asInt() : ""));
        }
        assertThat(streams).as(file.toString()).containsExactlyInAnyOrder("video/h264/" + width, "audio/aac");
        double duration = probe.path("format").path("duration").asDouble();
        assertThat(duration).as(file + " duration").isGreaterThan(0);
        decodesWithoutErrors(file);
        return duration;
    }

    private HttpResponse<String> api(int http, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + path))
                .header("Authorization", "Bearer " + ADMIN_KEY).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aRecordingPlaysWithThePushedDurationAndSurvivesSigkill() throws Exception {
        ServerProcess server = launch("recording");
        int rtmp = server.port("RTMP", Duration.ofSeconds(120));
        // 20 s pushed and finished: the file plays 20 s (within 1 s) from start to end
        try (Ffmpeg ffmpeg = push(rtmp, "demo", "320x240", 20)) {
            Await.until(Duration.ofSeconds(60), "the push ends", () -> !ffmpeg.isAlive());
        }
        Await.until(Duration.ofSeconds(20), "one recording with 20 s", () -> {
            List<Path> f = recordings("demo");
            return f.size() == 1 && growingDuration(f.getFirst()) > 19;
        });
        Path first = recordings("demo").getFirst();
        assertThat(duration(first)).isBetween(19.0, 21.0);
        assertThat(startTime(first)).as("the file starts at its first frame").isLessThan(0.5);
        decodesWithoutErrors(first);
        server.close();

        // a second server on the same data dir, killed with SIGKILL while recording
        server = launch("recording-killed");
        push(server.port("RTMP", Duration.ofSeconds(120)), "demo", "320x240", 60);
        Await.until(Duration.ofSeconds(40), "a second recording with more than 4 s", () -> {
            List<Path> f = recordings("demo");
            return f.size() == 2 && growingDuration(f.getLast()) > 4;
        });
        assertThat(server.kill()).as("SIGKILL: no shutdown hook, no close").isEqualTo(137);
        Path killed = recordings("demo").getLast();
        decodesWithoutErrors(killed);
        assertThat(duration(killed)).isGreaterThan(4);
    }

    /** The streams recorded under churn: two in fMP4 (record.streams), two in FLV (a rule of the admin API). */
    private static final List<String> FMP4 = List.of("mp4a", "mp4b");
    private static final List<String> FLV = List.of("flva", "flvb");
    /** One publisher of each format restarts, at another picture size: a new file each (new sequence headers). */
    private static final List<String> RESTARTED = List.of("mp4b", "flvb");

    @Test
    @Timeout(420)
    void sigkillUnderChurnLeavesEveryRecordingPlayableAndTheServerStartsAgainOnTheSameData() throws Exception {
        ServerProcess server = launch("recording-churn");
        int rtmp = server.port("RTMP", Duration.ofSeconds(120));
        int http = server.port("HTTP", Duration.ofSeconds(120));
        for (String s : FLV) {
            HttpResponse<String> rule = api(http, "PUT", "/api/v1/domains/" + StreamKey.DEFAULT_VHOST
                    + "/record-rules/live/" + s, "{\"format\":\"flv\"}");
            assertThat(rule.statusCode()).as(rule.body()).isEqualTo(200);
        }
        List<String> all = new ArrayList<>(FMP4);
        all.addAll(FLV);
        Map<String, Ffmpeg> publishers = new HashMap<>();
        for (String s : all) {
            publishers.put(s, push(rtmp, s, "320x240", 600));
        }
        Churn churn = new Churn(http, rtmp, all);
        closing.add(churn);

        Await.until(Duration.ofSeconds(90), () -> "every stream recording for 3 s: " + durations(all), () ->
                all.stream().allMatch(s -> recordings(s).size() == 1 && growingDuration(recordings(s).getLast()) > 3));
        for (String s : RESTARTED) { // the encoder stops and comes back at once with other settings
            publishers.remove(s).close();
            publishers.put(s, push(rtmp, s, "352x288", 600));
        }
        Await.until(Duration.ofSeconds(90), () -> "a second file of each restarted stream, recording for 3 s, and"
                + " churning viewers: " + durations(all) + ", " + churn, () -> {
                    boolean files = all.stream().allMatch(s -> {
                        List<Path> f = recordings(s);
                        return f.size() == (RESTARTED.contains(s) ? 2 : 1) && growingDuration(f.getLast()) > 3;
                    });
                    return files && churn.flvJoins.get() >= 12 && churn.flvLeaves.get() >= 6 && churn.ffmpegRuns.get() >= 2;
                });
        Map<Path, Double> beforeKill = new HashMap<>();
        for (String s : all) {
            for (Path f : recordings(s)) {
                beforeKill.put(f, lastDuration.getOrDefault(f, 0.0));
            }
        }
        String churned = churn.toString();

        assertThat(server.kill()).as("SIGKILL: no shutdown hook, no close").isEqualTo(137);
        churn.close();
        publishers.values().forEach(Ffmpeg::close);

        int files = 0;
        Map<String, List<Double>> after = new java.util.TreeMap<>();
        for (String s : all) {
            List<Path> f = recordings(s);
            assertThat(f).as(s).hasSize(RESTARTED.contains(s) ? 2 : 1);
            for (int i = 0; i < f.size(); i++) {
                Path file = f.get(i);
                assertThat(file.getFileName().toString()).endsWith(FLV.contains(s) ? ".flv" : ".mp4");
                double duration = playable(file, i == 0 ? 320 : 352);
                // the page cache outlives the process: nothing written before the kill is lost
                assertThat(duration).as(file + " after the kill").isGreaterThanOrEqualTo(beforeKill.getOrDefault(file, 0.0) - 0.1);
                after.computeIfAbsent(s, k -> new ArrayList<>()).add(duration);
                files++;
            }
        }
        System.out.printf("recording churn: %s before the SIGKILL; %d files playable after it, durations (s) %s"
                + " (last probed before it: %s)%n", churned, files, after, durations(all));

        // the next start on the same data dir: clean, lists every file, records again
        ServerProcess again = launch("recording-after-kill");
        int http2 = again.port("HTTP", Duration.ofSeconds(120));
        int rtmp2 = again.port("RTMP", Duration.ofSeconds(120));
        HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http2
                + "/healthz")).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        HttpResponse<String> listed = api(http2, "GET", "/api/v1/recordings?app=live", null);
        assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
        JsonNode recordings = JSON.readTree(listed.body()).get("recordings");
        assertThat(recordings).hasSize(files);
        recordings.forEach(r -> assertThat(r.get("recording").asBoolean()).as(r.toString()).isFalse());
        try (Ffmpeg ffmpeg = push(rtmp2, "mp4a", "320x240", 5)) {
            Await.until(Duration.ofSeconds(60), "the push after the restart ends", () -> !ffmpeg.isAlive());
        }
        Await.until(Duration.ofSeconds(30), "a new recording of mp4a, finished", () -> recordings("mp4a").size() == 2
                && again.logged("recording of " + StreamKey.of("live", "mp4a") + " done"));
        assertThat(playable(recordings("mp4a").getLast(), 320)).isGreaterThan(3);
        again.close();
        assertThat(again.output().lines().filter(l -> l.matches("\\S+ \\S+ ERROR .*")).toList())
                .as("errors logged by the start after the kill").isEmpty();
    }

    private String durations(List<String> streams) {
        Map<String, List<Double>> out = new java.util.TreeMap<>();
        for (String s : streams) {
            out.put(s, recordings(s).stream().map(f -> lastDuration.getOrDefault(f, 0.0)).toList());
        }
        return out.toString();
    }

    /**
     * Viewers joining and leaving all along: HTTP-FLV viewers (one joins once the one before it has
     * its burst and some live frames, the oldest leaves past 6), and an ffmpeg RTMP viewer that
     * plays 2 s of a stream, leaves, and plays the next.
     */
    private final class Churn implements AutoCloseable {
        final AtomicInteger flvJoins = new AtomicInteger();
        final AtomicInteger flvLeaves = new AtomicInteger();
        final AtomicInteger ffmpegRuns = new AtomicInteger();
        private volatile boolean stopped;
        private final Thread flv;
        private final Thread rtmp;

        Churn(int http, int rtmpPort, List<String> streams) {
            flv = Thread.ofVirtual().name("flv-churn").start(() -> {
                Deque<FlvViewer> open = new ArrayDeque<>();
                for (int i = 0; !stopped; i++) {
                    FlvViewer v = new FlvViewer("http://127.0.0.1:" + http + "/live/" + streams.get(i % streams.size())
                            + ".flv");
                    open.add(v);
                    flvJoins.incrementAndGet();
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    // a GOP's burst (30 frames) and then live frames: about half a second later at least
                    while (!stopped && !v.ended() && v.videoFrames() < 45 && System.nanoTime() < deadline) {
                        try {
                            Thread.sleep(10); // polls the condition above (its deadline: 20 s)
                        } catch (InterruptedException e) {
                            open.forEach(FlvViewer::close);
                            return;
                        }
                    }
                    if (open.size() > 6) {
                        open.poll().close();
                        flvLeaves.incrementAndGet();
                    }
                }
                open.forEach(FlvViewer::close);
            });
            rtmp = Thread.ofVirtual().name("rtmp-churn").start(() -> {
                for (int i = 0; !stopped; i++) {
                    try {
                        Ffmpeg.Result r = Ffmpeg.run(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel",
                                "error", "-rw_timeout", "10000000", "-i", "rtmp://127.0.0.1:" + rtmpPort + "/live/"
                                        + streams.get(i % streams.size()), "-t", "2", "-f", "null", "-"), dir, 60);
                        if (r.exitCode() == 0) {
                            ffmpegRuns.incrementAndGet();
                        }
                    } catch (Exception | AssertionError e) {
                        if (!stopped) {
                            System.out.println("rtmp churn: " + e);
                        }
                    }
                }
            });
        }

        @Override
        public void close() throws InterruptedException {
            stopped = true;
            flv.join(Duration.ofSeconds(30));
            rtmp.join(Duration.ofSeconds(90));
        }

        @Override
        public String toString() {
            return flvJoins + " HTTP-FLV viewers joined, " + flvLeaves + " left, " + ffmpegRuns + " ffmpeg RTMP viewer runs";
        }
    }
}
