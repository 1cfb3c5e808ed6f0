package dev.vireo.bench.hls;

import dev.vireo.bench.FreePort;
import dev.vireo.bench.measure.BenchClock;
import dev.vireo.bench.measure.LatencyRecorder;
import dev.vireo.bench.measure.Measurement;
import dev.vireo.bench.peers.NginxProcess;
import dev.vireo.bench.peers.ServerUnderTest;
import dev.vireo.bench.peers.VireoProcess;
import dev.vireo.bench.probe.ProcFs;
import dev.vireo.bench.source.ClipPublisher;
import dev.vireo.bench.source.SourceClip;
import dev.vireo.bench.source.SourceFile;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HLS viewers per core and the latency HLS delivery adds, Vireo against nginx-rtmp's HLS in the
 * same run, one server at a time on loopback, the same stamped clip published over RTMP to each.
 *
 * <p>Viewers: classic HLS clients (both servers, MPEG-TS) reload the playlist every
 * {@code --poll-ms} (1000) and fetch each new segment once, starting at the live edge; LL-HLS
 * clients (Vireo only: nginx-rtmp has no LL-HLS) ask for each preload-hinted part (held by the
 * server until complete) and then the blocking reload that lists it, as hls.js in low-latency
 * mode does. For every step of viewers the server's CPU (its process tree, /proc) over the
 * measurement window gives viewers per core; the age of the newest frame of each segment or
 * part when it arrives (wallclock stamps in the video) is the added latency: segmenting, the
 * server's delay and, for classic clients, their polling. Usage:
 * {@code bench/run hls-viewers [--viewers 0,50,200] [--seconds 20] [--kbps 600] [--poll-ms 1000]}. The
 * step with 0 viewers is the server's own cost (ingest, packaging, JVM): viewers per core are
 * given per step (viewers / CPU) and, between steps, at the margin (added viewers / added CPU).
 * Results: stdout and {@code bench/results/hls-viewers-<time>.json}.
 */
public final class HlsViewersBench {

    private static final Pattern HINT = Pattern.compile("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"(p(\\d+)_(\\d+)\\.m4s\\?[^\"]+)\"");

    private HlsViewersBench() {
    }

    record Row(String server, String mode, int viewers, double cpuPercent, double viewersPerCore, double requestsPerSecond,
               double mbitPerSecond, long errors, LatencyRecorder.LatencySummary newestFrameAgeMs) {
    }

    /** What the viewers of one step count. */
    static final class Counters {
        final LongAdder requests = new LongAdder();
        final LongAdder bytes = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LatencyRecorder age = new LatencyRecorder();
        volatile boolean measuring;
    }

    public static void main(String[] args) throws Exception {
        List<Integer> steps = List.of(0, 50, 200);
        int seconds = 20;
        int kbps = 600;
        int pollMs = 1000;
        Path nginx = Path.of("/usr/sbin/nginx");
        Path module = Path.of("/usr/lib/nginx/modules/ngx_rtmp_module.so");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--viewers" -> steps = java.util.Arrays.stream(args[++i].split(",")).map(Integer::parseInt).toList();
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--kbps" -> kbps = Integer.parseInt(args[++i]);
                case "--poll-ms" -> pollMs = Integer.parseInt(args[++i]);
                case "--nginx" -> nginx = Path.of(args[++i]);
                case "--nginx-module" -> module = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: bench/run hls-viewers [--viewers 0,50,200] [--seconds 20] [--kbps 600]"
                            + " [--poll-ms 1000] [--nginx PATH] [--nginx-module PATH]");
                    System.exit(2);
                }
            }
        }
        Path root = Path.of(System.getProperty("vireo.root", "."));
        Path results = root.resolve("bench/results");
        Path tmp = Files.createDirectories(results.resolve("tmp"));
        SourceClip clip = SourceClip.load(new SourceFile(kbps, 30).ensure(tmp, "ffmpeg"));
        String cp = root.resolve("vireo-server/target/vireo-server-0.1.0-SNAPSHOT.jar") + ":"
                + root.resolve("vireo-server/target/lib") + "/*";
        List<Row> rows = new ArrayList<>();
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        try {
            for (String run : List.of("vireo-ts", "vireo-llhls", "nginx-ts")) {
                Path work = Files.createTempDirectory(tmp, "hlsv-");
                boolean nginxRun = run.startsWith("nginx");
                try (ServerUnderTest server = nginxRun ? NginxProcess.start(nginx, module, work, true)
                        : VireoProcess.start(cp, List.of("-XX:+UseZGC", "-Xms64m", "-XX:SoftMaxHeapSize=512m"), List.of(), work);
                     ClipPublisher ignored = ClipPublisher.start(loop, server.rtmpUrl("live", "hls"), clip, new Measurement(), 1)) {
                    URI playlist;
                    if (nginxRun) {
                        playlist = ((NginxProcess) server).playlist("hls");
                    } else {
                        URI flv = server.flvUrl("live", "hls").orElseThrow();
                        playlist = URI.create("http://" + FreePort.LOOPBACK + ":" + flv.getPort()
                                + (run.endsWith("llhls") ? "/live/hls/llhls.m3u8" : "/live/hls.m3u8"));
                    }
                    awaitPlaylist(http, playlist);
                    for (int n : steps) {
                        rows.add(step(server, run, playlist, n, seconds, pollMs, http));
                        Row r = rows.getLast();
                        System.out.printf("%-11s %-6s %5d viewers: CPU %6.1f %%  %7.0f viewers/core  %7.0f req/s"
                                        + "  %6.1f Mbit/s  errors %d  newest frame age p50 %.0f ms p99 %.0f ms%n",
                                r.server(), r.mode(), r.viewers(), r.cpuPercent(), r.viewersPerCore(),
                                r.requestsPerSecond(), r.mbitPerSecond(), r.errors(), r.newestFrameAgeMs().p50Ms(),
                                r.newestFrameAgeMs().p99Ms());
                    }
                }
            }
        } finally {
            loop.shutdownGracefully();
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("bench", "hls-viewers");
        doc.put("kbps", kbps);
        doc.put("seconds", seconds);
        doc.put("pollMs", pollMs);
        doc.put("cores", Runtime.getRuntime().availableProcessors());
        doc.put("rows", rows);
        Path out = results.resolve("hls-viewers-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                .format(LocalDateTime.now()) + ".json");
        Files.writeString(out, new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                .writeValueAsString(doc) + "\n");
        System.out.println("results: " + out);
        System.exit(0);
    }

    private static void awaitPlaylist(HttpClient http, URI playlist) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(playlist).timeout(Duration.ofSeconds(20)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("#EXTINF")) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("no playlist with a segment at " + playlist);
    }

    private static Row step(ServerUnderTest server, String run, URI playlist, int viewers, int seconds, int pollMs,
                            HttpClient http) throws Exception {
        Counters c = new Counters();
        AtomicBoolean running = new AtomicBoolean(true);
        boolean lowLatency = run.endsWith("llhls");
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < viewers; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    if (lowLatency) {
                        lowLatencyViewer(http, playlist, running, c);
                    } else {
                        classicViewer(http, playlist, pollMs, running, c);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    c.errors.increment();
                }
            }));
            Thread.sleep(5); // a gentle ramp, not a thundering herd
        }
        Thread.sleep(viewers == 0 ? 2_000 : 5_000); // settle
        c.age.reset();
        long req0 = c.requests.sum();
        long bytes0 = c.bytes.sum();
        long err0 = c.errors.sum();
        c.measuring = true;
        ProcFs.Usage before = server.usage();
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        ProcFs.Usage after = server.usage();
        long nanos = System.nanoTime() - t0;
        c.measuring = false;
        LatencyRecorder.LatencySummary age = c.age.snapshot();
        long req = c.requests.sum() - req0;
        long bytes = c.bytes.sum() - bytes0;
        long errors = c.errors.sum() - err0;
        running.set(false);
        for (Thread t : threads) {
            t.join(15_000);
        }
        double cpu = ProcFs.cpuPercent(before, after, nanos);
        return new Row(server.name(), lowLatency ? "ll-hls" : "ts", viewers, cpu, cpu <= 0 ? 0 : viewers / (cpu / 100),
                req / (nanos / 1e9), bytes * 8 / (nanos / 1e9) / 1e6, errors, age);
    }

    /** Reloads the playlist every {@code pollMs}, fetches each new segment once, from the live edge on. */
    private static void classicViewer(HttpClient http, URI playlist, int pollMs, AtomicBoolean running, Counters c)
            throws Exception {
        Set<String> seen = new HashSet<>();
        boolean first = true;
        // spread the viewers' polls over the interval
        Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextInt(pollMs));
        while (running.get()) {
            HttpResponse<String> p = http.send(HttpRequest.newBuilder(playlist).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            c.requests.increment();
            if (p.statusCode() != 200) {
                c.errors.increment();
            } else {
                c.bytes.add(p.body().length());
                List<String> uris = p.body().lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
                for (int i = 0; i < uris.size(); i++) {
                    String u = uris.get(i);
                    String id = u.contains("?") ? u.substring(0, u.indexOf('?')) : u;
                    if (!seen.add(id) || first && i < uris.size() - 1) {
                        continue;
                    }
                    HttpResponse<byte[]> seg = http.send(HttpRequest.newBuilder(playlist.resolve(u))
                            .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofByteArray());
                    long arrived = BenchClock.nowNanos();
                    c.requests.increment();
                    if (seg.statusCode() != 200) {
                        c.errors.increment();
                        continue;
                    }
                    c.bytes.add(seg.body().length);
                    long[] stamps = HlsLatency.stamps(seg.body());
                    if (stamps != null && c.measuring) {
                        c.age.recordNanos(arrived - stamps[1]);
                    }
                }
                first = false;
            }
            Thread.sleep(pollMs);
        }
    }

    /** As hls.js in low-latency mode: the hinted part (held until complete), then the blocking reload listing it. */
    private static void lowLatencyViewer(HttpClient http, URI playlist, AtomicBoolean running, Counters c) throws Exception {
        String text = http.send(HttpRequest.newBuilder(playlist).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        c.requests.increment();
        while (running.get()) {
            Matcher hint = HINT.matcher(text);
            if (!hint.find()) {
                c.errors.increment();
                Thread.sleep(200);
                text = http.send(HttpRequest.newBuilder(playlist).timeout(Duration.ofSeconds(20)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                continue;
            }
            HttpResponse<byte[]> part = http.send(HttpRequest.newBuilder(playlist.resolve(hint.group(1)))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
            long arrived = BenchClock.nowNanos();
            c.requests.increment();
            if (part.statusCode() == 200) {
                c.bytes.add(part.body().length);
                long[] stamps = HlsLatency.stamps(part.body());
                if (stamps != null && c.measuring) {
                    c.age.recordNanos(arrived - stamps[1]);
                }
            } else {
                c.errors.increment();
            }
            HttpResponse<String> p = http.send(HttpRequest.newBuilder(URI.create(playlist + "?_HLS_msn=" + hint.group(2)
                    + "&_HLS_part=" + hint.group(3))).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            c.requests.increment();
            if (p.statusCode() == 200) {
                c.bytes.add(p.body().length());
                text = p.body();
            } else {
                c.errors.increment();
            }
        }
    }
}
