package dev.vireo.bench.soak;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vireo.bench.FreePort;
import dev.vireo.bench.measure.Measurement;
import dev.vireo.bench.peers.VireoProcess;
import dev.vireo.bench.probe.JvmProbe;
import dev.vireo.bench.probe.ProcFs;
import dev.vireo.bench.viewers.FlvHttpViewer;
import dev.vireo.bench.viewers.HlsPollViewer;
import dev.vireo.bench.viewers.RtmpViewer;
import dev.vireo.bench.viewers.Viewer;
import dev.vireo.bench.viewers.WhepViewer;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;

/**
 * The long soak (issue 17), a benchmark rather than a CI test ({@code SoakCiTest} is the 2-minute
 * version): Vireo as its own JVM with Netty's leak detector (paranoid by default); ffmpeg publishers
 * ({@code -re -stream_loop -1 -c copy} of a small pre-encoded clip, RTMP and a few over SRT), one
 * of them restarted every {@code --restart-seconds}; viewers over RTMP, HTTP-FLV, HLS and WHEP
 * (the bench's light clients) on random streams, {@code --churn} of them leaving and as many
 * joining every {@code --churn-seconds}. Every {@code --sample-seconds} the server's heap in use,
 * Netty's direct and pooled memory ({@code /metrics}), RSS, threads, open fds and ffmpeg children
 * ({@code /proc}) are sampled, with the live data the server's last major GC left; after the warm-up and
 * at the end also the heap after a forced full GC ({@code jcmd GC.class_histogram}: slow under
 * paranoid leak detection, so twice only), whose per-class rows say what grew. At the end: a
 * start/end/max table (start = after the warm-up), the {@code LEAK} lines of the server's log, and
 * an idle sample 40 s after every viewer left (does memory come back?). JSON (rewritten after every
 * sample, so a stopped run keeps its data): {@code bench/results/soak-<time>.json}.
 *
 * <p>{@code bench/run soak [--minutes 60] [--publishers 20] [--srt-publishers 3] [--viewers 500]}.
 */
public final class SoakBench {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private SoakBench() {
    }

    /** Options; every one has a default for the 1-hour run. */
    record Options(double minutes, int publishers, int srtPublishers, int viewers, Map<String, Integer> mix,
                   int whepStreams, double churnSeconds, int churn, int restartSeconds, int sampleSeconds,
                   int warmupSeconds, int kbps, int fps, String leakDetection) {

        static Options parse(String[] args) {
            double minutes = 60;
            int publishers = 20;
            int srt = 3;
            int viewers = 500;
            String mix = "rtmp:40,flv:35,hls:20,whep:5";
            int whepStreams = 2;
            double churnSeconds = 3;
            int churn = 8;
            int restart = 60;
            int sample = 10;
            int warmup = 60;
            int kbps = 300;
            int fps = 15;
            String leak = "paranoid";
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String v = i + 1 < args.length ? args[i + 1] : null;
                if (v == null) {
                    throw new IllegalArgumentException(a + " needs a value\n" + USAGE);
                }
                i++;
                switch (a) {
                    case "--minutes" -> minutes = Double.parseDouble(v);
                    case "--publishers" -> publishers = Integer.parseInt(v);
                    case "--srt-publishers" -> srt = Integer.parseInt(v);
                    case "--viewers" -> viewers = Integer.parseInt(v);
                    case "--mix" -> mix = v;
                    case "--whep-streams" -> whepStreams = Integer.parseInt(v);
                    case "--churn-seconds" -> churnSeconds = Double.parseDouble(v);
                    case "--churn" -> churn = Integer.parseInt(v);
                    case "--restart-seconds" -> restart = Integer.parseInt(v);
                    case "--sample-seconds" -> sample = Integer.parseInt(v);
                    case "--warmup-seconds" -> warmup = Integer.parseInt(v);
                    case "--kbps" -> kbps = Integer.parseInt(v);
                    case "--fps" -> fps = Integer.parseInt(v);
                    case "--leak-detection" -> leak = v;
                    default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
                }
            }
            Map<String, Integer> shares = new LinkedHashMap<>();
            for (String part : mix.split(",")) {
                String[] kv = part.split(":");
                if (!List.of("rtmp", "flv", "hls", "whep").contains(kv[0]) || kv.length != 2) {
                    throw new IllegalArgumentException("--mix: protocol:share,... of rtmp, flv, hls, whep");
                }
                shares.put(kv[0], Integer.parseInt(kv[1]));
            }
            if (publishers < 1 || srt > publishers || whepStreams > publishers || sample < 1) {
                throw new IllegalArgumentException("bad option values\n" + USAGE);
            }
            return new Options(minutes, publishers, srt, viewers, shares, whepStreams, churnSeconds, churn, restart,
                    sample, warmup, kbps, fps, leak);
        }

        /** A protocol drawn by the mix's shares. */
        String drawProtocol() {
            int total = mix.values().stream().mapToInt(Integer::intValue).sum();
            int r = ThreadLocalRandom.current().nextInt(total);
            for (Map.Entry<String, Integer> e : mix.entrySet()) {
                r -= e.getValue();
                if (r < 0) {
                    return e.getKey();
                }
            }
            throw new AssertionError();
        }
    }

    static final String USAGE = """
            Usage: bench/run soak [--minutes 60] [--publishers 20] [--srt-publishers 3] [--viewers 500]
                   [--mix rtmp:40,flv:35,hls:20,whep:5] [--whep-streams 2] [--churn 8] [--churn-seconds 3]
                   [--restart-seconds 60] [--sample-seconds 10] [--warmup-seconds 60]
                   [--kbps 300] [--fps 15] [--leak-detection paranoid|advanced|simple]
              WHEP viewers play only the first --whep-streams streams (the AAC source makes the server run
              an ffmpeg browser variant per stream WebRTC plays: a few, not one per publisher).
              --leak-detection advanced samples one buffer in 128 (with access records): paranoid tracks
              every buffer and, at 500 viewers on 2 cores, stalls the server in allocation (trace records
              fill a 2 GB heap); give -Xmx in VIREO_JAVA_OPTS to change the heap bound.""";

    /** A joined viewer and when it joined. */
    record Joined(Viewer viewer, String protocol, long joinedNanos) {
    }

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Path root = Path.of(System.getProperty("vireo.root", "."));
        Path results = Files.createDirectories(root.resolve("bench/results"));
        Path tmp = Files.createDirectories(results.resolve("tmp"));
        Path clip = clip(tmp, o.kbps(), o.fps());
        Path work = Files.createTempDirectory(tmp, "soak-");
        Path out = results.resolve("soak-" + STAMP.format(LocalDateTime.now()) + ".json");
        String cp = root.resolve("vireo-server/target/vireo-server-0.1.0-SNAPSHOT.jar") + ":"
                + root.resolve("vireo-server/target/lib") + "/*";
        List<String> jvm = new ArrayList<>(List.of(System.getenv().getOrDefault("VIREO_JAVA_OPTS",
                VireoProcess.DEFAULT_JVM_OPTIONS).strip().split("\\s+")));
        jvm.add("-Dio.netty.leakDetection.level=" + o.leakDetection());
        if (jvm.stream().noneMatch(x -> x.startsWith("-Xmx"))) {
            // paranoid leak detection allocates a stack trace per buffer touch: without a bound ZGC lets
            // the heap run to a quarter of the machine on a loaded box, and RSS measures that, not Vireo
            jvm.add("-Xmx2g");
        }
        int srtPort = FreePort.pickUdp();
        System.out.printf(Locale.ROOT, "soak: %.0f min, %d publishers (%d over SRT), %d viewers %s, churn %d every %.1f s,"
                        + " a publisher restarted every %d s; work dir %s; load average %.2f%n", o.minutes(), o.publishers(),
                o.srtPublishers(), o.viewers(), o.mix(), o.churn(), o.churnSeconds(), o.restartSeconds(), work,
                ProcFs.loadAverage());
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(2,
                r -> Thread.ofPlatform().daemon().name("soak-timer").unstarted(r));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        Map<String, Measurement> measurements = new LinkedHashMap<>();
        for (String p : o.mix().keySet()) {
            measurements.put(p, new Measurement());
        }
        List<SoakSample> samples = new ArrayList<>();
        Map<String, Object> doc = new LinkedHashMap<>();
        try (VireoProcess server = VireoProcess.start(cp, jvm, List.of("--srt-port", Integer.toString(srtPort),
                "--transcode-html5-eager", "false"), work);
             WhepViewer.Shared whep = new WhepViewer.Shared(loops, 2, 1_000_000, true)) {
            JvmProbe probe = server.jvm().orElseThrow();
            URI flv0 = server.flvUrl("live", "soak0").orElseThrow();
            String httpBase = "http://" + FreePort.LOOPBACK + ":" + flv0.getPort();
            Bootstrap tcp = new Bootstrap().group(loops).channel(EpollSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true).option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);

            // publishers
            List<FfmpegPublisher> publishers = FfmpegPublisher.all;
            for (int i = 0; i < o.publishers(); i++) {
                boolean srt = i >= o.publishers() - o.srtPublishers();
                String target = srt
                        ? "srt://" + FreePort.LOOPBACK + ":" + srtPort + "?streamid=#!::r=live/soak" + i + ",m=publish"
                        : server.rtmpUrl("live", "soak" + i).toString();
                publishers.add(new FfmpegPublisher(clip, target, srt ? "mpegts" : "flv", work.resolve("publisher-" + i + ".log")));
            }
            for (FfmpegPublisher p : publishers) {
                p.start();
            }
            awaitStreams(http, URI.create(httpBase + "/metrics"), o.publishers());
            System.out.printf(Locale.ROOT, "soak: streams live, %d viewers joining%n", o.viewers());

            // viewers
            Viewers viewers = new Viewers(o, tcp, http, whep, httpBase, server, measurements);
            for (int i = 0; i < o.viewers(); i++) {
                viewers.join();
                if (i % 20 == 19) {
                    Thread.sleep(200); // a ramp, not a thundering herd
                }
            }
            long churnMillis = Math.round(o.churnSeconds() * 1000);
            timer.scheduleWithFixedDelay(() -> guard(viewers::churn), churnMillis, churnMillis, TimeUnit.MILLISECONDS);
            AtomicInteger restarts = new AtomicInteger();
            timer.scheduleWithFixedDelay(() -> guard(() -> {
                FfmpegPublisher p = publishers.get(restarts.getAndIncrement() % publishers.size());
                p.restart();
                publishers.forEach(FfmpegPublisher::reviveIfDead);
            }), o.restartSeconds(), o.restartSeconds(), TimeUnit.SECONDS);
            timer.scheduleWithFixedDelay(() -> guard(() -> publishers.forEach(FfmpegPublisher::reviveIfDead)),
                    5, 5, TimeUnit.SECONDS);

            long t0 = System.nanoTime();
            long end = t0 + Math.round(o.minutes() * 60e9);
            JvmProbe.LiveHeap firstHeap = null;
            JvmProbe.LiveHeap lastHeap = null;
            int startIndex = -1;
            doc.put("bench", "soak");
            doc.put("options", o);
            doc.put("cores", Runtime.getRuntime().availableProcessors());
            doc.put("loadAverageAtStart", ProcFs.loadAverage());
            doc.put("samples", samples);
            long period = TimeUnit.SECONDS.toNanos(o.sampleSeconds());
            long due = t0;
            for (int n = 0; System.nanoTime() < end; n++) {
                while (due + period < System.nanoTime()) {
                    due += period; // a slow sample (jcmd on a loaded machine): skip, never burst
                }
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait); // the sampling period, not a synchronisation
                }
                due += period;
                double seconds = (System.nanoTime() - t0) / 1e9;
                boolean warm = seconds >= o.warmupSeconds();
                long live = -1;
                if (warm && startIndex < 0) {
                    JvmProbe.LiveHeap h = probe.liveHeap();
                    live = h.totalBytes();
                    if (warm && firstHeap == null) {
                        firstHeap = h;
                    }
                    if (warm) {
                        lastHeap = h;
                    }
                }
                SoakSample s = SoakSample.take(server.pid(), URI.create(httpBase + "/metrics"), http, live, seconds,
                        viewers.open());
                samples.add(s);
                if (warm && startIndex < 0) {
                    startIndex = samples.size() - 1;
                }
                System.out.println(line(s) + "  " + viewers.summary() + ", restarts " + restarts.get()
                        + ", publisher deaths " + FfmpegPublisher.deaths.get());
                doc.put("startSample", startIndex);
                doc.put("viewers", viewers.report(false));
                doc.put("publisherRestarts", restarts.get());
                doc.put("publisherDeaths", FfmpegPublisher.deaths.get());
                write(out, doc);
            }
            timer.shutdownNow();
            timer.awaitTermination(10, TimeUnit.SECONDS);
            if (firstHeap != null) {
                lastHeap = probe.liveHeap(); // a forced full GC and a class histogram: slow, so only twice
                doc.put("liveHeapAtEnd", lastHeap.totalBytes());
                System.out.printf(Locale.ROOT, "heap after a full GC: %.1f MB after the warm-up, %.1f MB at the end%n",
                        mb(firstHeap.totalBytes()), mb(lastHeap.totalBytes()));
            }
            if (firstHeap != null && lastHeap != null && lastHeap != firstHeap) {
                List<JvmProbe.ClassGrowth> growth = lastHeap.growthSince(firstHeap, 15);
                doc.put("liveHeapGrowth", growth);
                System.out.println("live heap growth by class, after the warm-up to the end:");
                growth.forEach(g -> System.out.printf(Locale.ROOT, "  %10d B  %s%n", g.bytes(), g.className()));
            }
            viewers.closeAll();
            for (FfmpegPublisher p : publishers) {
                p.stop();
            }
            whep.awaitDeletes(10_000);
            // idle: no publisher, no viewer; the HLS segmenters let go after 30 s without requests
            long idleDue = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            TimeUnit.NANOSECONDS.sleep(Math.max(0, idleDue - System.nanoTime()));
            SoakSample idle = SoakSample.take(server.pid(), URI.create(httpBase + "/metrics"), http,
                    probe.liveHeap().totalBytes(), (System.nanoTime() - t0) / 1e9, 0);
            doc.put("idle", idle);
            System.out.println("idle, 40 s after every viewer and publisher left: " + line(idle));
            Map<String, Object> report = viewers.report(true);
            doc.put("viewers", report);
            System.out.println("viewers: " + report);
            doc.put("loadAverageAtEnd", ProcFs.loadAverage());
            List<SoakSample> measured = samples.subList(Math.max(0, startIndex), samples.size());
            doc.put("table", table(measured, idle));
            server.close();
            long leaks = Files.readAllLines(server.log()).stream().filter(l -> l.contains("LEAK")).count();
            doc.put("leakLines", leaks);
            System.out.println("server log: " + server.log() + "; LEAK lines: " + leaks);
            write(out, doc);
            System.out.println("results: " + out);
        } finally {
            timer.shutdownNow();
            for (FfmpegPublisher p : FfmpegPublisher.all) {
                p.stop();
            }
            loops.shutdownGracefully();
        }
        System.exit(0);
    }

    /**
     * The clip every publisher loops: H.264 (no B-frames, GOP 2 s) + AAC in FLV, cached. AAC at 16 kHz:
     * 16 audio frames a second instead of 47 at 48 kHz, since every frame costs the paranoid leak
     * detector a stack trace per buffer per viewer.
     */
    private static Path clip(Path dir, int kbps, int fps) throws IOException, InterruptedException {
        Path file = dir.resolve("soak-" + kbps + "k-" + fps + "fps-10s-aac16k.flv");
        if (Files.isRegularFile(file) && Files.size(file) > 0) {
            return file;
        }
        Path part = dir.resolve(file.getFileName() + ".part.flv");
        Process p = new ProcessBuilder("ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=" + fps,
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "10",
                "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-b:v", kbps + "k",
                "-maxrate", kbps + "k", "-bufsize", kbps + "k", "-g", Integer.toString(2 * fps), "-bf", "0",
                "-c:a", "aac", "-b:a", "24k", "-ar", "16000", "-ac", "1", "-f", "flv", part.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException("ffmpeg could not make the clip: " + log);
        }
        Files.move(part, file);
        return file;
    }

    /** Waits (up to 3 min) until the server counts {@code n} live streams. */
    private static void awaitStreams(HttpClient http, URI metrics, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        int live = -1;
        while (System.nanoTime() < deadline) {
            live = SoakSample.take(-1, metrics, http, -1, 0, 0).serverStreams();
            if (live >= n) {
                return;
            }
            Thread.sleep(250);
        }
        System.out.printf("soak: only %d of %d streams live after 3 min (a loaded machine?); going on%n", live, n);
    }

    private static void guard(ThrowingRunnable r) {
        try {
            r.run();
        } catch (Exception | Error e) {
            System.err.println("soak: " + e);
        }
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    static String line(SoakSample s) {
        return String.format(Locale.ROOT, "%6.0f s  heap %5.1f MB (live %s)  netty direct %5.1f MB pooled %5.1f/%4.1f MB"
                        + "  RSS %5.1f MB  threads %3d  fds %4d  ffmpeg %2d  server viewers %4d streams %2d  load %.1f",
                s.seconds(), mb(s.heapUsedBytes()), s.liveHeapBytes() < 0 ? "-" : String.format(Locale.ROOT, "%.1f MB", mb(s.liveHeapBytes())),
                mb(s.nettyDirectBytes()), mb(s.nettyPooledDirectBytes()), mb(s.nettyPooledHeapBytes()), s.rssKb() / 1024.0,
                s.threads(), s.fds(), s.ffmpegChildren(), s.serverViewers(), s.serverStreams(), s.loadAverage());
    }

    private static double mb(long bytes) {
        return bytes < 0 ? -1 : bytes / 1048576.0;
    }

    /** Rows of start / end / max (and the idle sample) per resource, printed and returned for the JSON. */
    static List<Map<String, Object>> table(List<SoakSample> s, SoakSample idle) {
        Map<String, ToDoubleFunction<SoakSample>> columns = new LinkedHashMap<>();
        columns.put("heap used (MB)", x -> mb(x.heapUsedBytes()));
        columns.put("live heap after GC (MB)", x -> mb(x.liveHeapBytes()));
        columns.put("Netty direct (MB)", x -> mb(x.nettyDirectBytes()));
        columns.put("Netty pooled direct (MB)", x -> mb(x.nettyPooledDirectBytes()));
        columns.put("RSS (MB)", x -> x.rssKb() / 1024.0);
        columns.put("threads", SoakSample::threads);
        columns.put("open fds", SoakSample::fds);
        columns.put("ffmpeg children", SoakSample::ffmpegChildren);
        columns.put("viewers (server)", SoakSample::serverViewers);
        List<Map<String, Object>> rows = new ArrayList<>();
        System.out.printf("%-26s %9s %9s %9s %9s%n", "", "start", "end", "max", "idle");
        for (Map.Entry<String, ToDoubleFunction<SoakSample>> c : columns.entrySet()) {
            List<Double> v = s.stream().mapToDouble(c.getValue()).filter(d -> d >= 0).boxed().toList();
            if (v.isEmpty()) {
                continue;
            }
            double start = v.getFirst();
            double last = v.getLast();
            double max = v.stream().mapToDouble(Double::doubleValue).max().orElse(-1);
            double idleValue = c.getValue().applyAsDouble(idle);
            System.out.printf(Locale.ROOT, "%-26s %9.1f %9.1f %9.1f %9.1f%n", c.getKey(), start, last, max, idleValue);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("resource", c.getKey());
            row.put("start", start);
            row.put("end", last);
            row.put("max", max);
            row.put("idle", idleValue);
            rows.add(row);
        }
        return rows;
    }

    private static void write(Path out, Map<String, Object> doc) throws IOException {
        String json = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(doc);
        Path part = out.resolveSibling(out.getFileName() + ".part");
        Files.writeString(part, json + "\n");
        Files.move(part, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** The churning viewers: who is open, joins, leaves, failures, first frames per protocol. */
    static final class Viewers {

        private final Options o;
        private final Bootstrap tcp;
        private final HttpClient http;
        private final WhepViewer.Shared whep;
        private final String httpBase;
        private final VireoProcess server;
        private final Map<String, Measurement> measurements;
        private final List<Joined> open = new ArrayList<>();
        private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
        /** Why viewers closed that the bench did not close, with how often. */
        private final Map<String, AtomicInteger> dropReasons = new ConcurrentHashMap<>();

        Viewers(Options o, Bootstrap tcp, HttpClient http, WhepViewer.Shared whep, String httpBase, VireoProcess server,
                Map<String, Measurement> measurements) {
            this.o = o;
            this.tcp = tcp;
            this.http = http;
            this.whep = whep;
            this.httpBase = httpBase;
            this.server = server;
            this.measurements = measurements;
        }

        private void count(String what) {
            counts.computeIfAbsent(what, k -> new AtomicInteger()).incrementAndGet();
        }

        synchronized void join() {
            String protocol = o.drawProtocol();
            int streams = protocol.equals("whep") ? o.whepStreams() : o.publishers();
            String stream = "soak" + ThreadLocalRandom.current().nextInt(streams);
            Measurement m = measurements.get(protocol);
            Viewer v = switch (protocol) {
                case "rtmp" -> RtmpViewer.open(tcp.config().group(), server.rtmpUrl("live", stream), m, 4);
                case "flv" -> FlvHttpViewer.open(tcp, server.flvUrl("live", stream).orElseThrow(), m, 4);
                case "hls" -> HlsPollViewer.open(http, URI.create(httpBase + "/live/" + stream + ".m3u8"), 1000, m);
                case "whep" -> WhepViewer.open(whep, server.whepUrl("live", stream).orElseThrow(), m);
                default -> throw new IllegalStateException(protocol);
            };
            open.add(new Joined(v, protocol, System.nanoTime()));
            count("joins");
            count("joins." + protocol);
        }

        /** {@code churn} random viewers leave, as many join; viewers the server dropped are replaced too. */
        synchronized void churn() {
            List<Joined> dropped = new ArrayList<>();
            for (Joined j : open) {
                if (!j.viewer().isOpen() && j.viewer().started().isDone()) {
                    dropped.add(j);
                }
            }
            for (Joined j : dropped) {
                open.remove(j);
                count("dropped");
                count("dropped." + j.protocol());
                dropReasons.computeIfAbsent(j.protocol() + ": " + j.viewer().closeReason(), k -> new AtomicInteger())
                        .incrementAndGet();
                leave(j, false);
            }
            for (int i = 0; i < o.churn() && !open.isEmpty(); i++) {
                leave(open.remove(ThreadLocalRandom.current().nextInt(open.size())), true);
            }
            while (open.size() < o.viewers()) {
                join();
            }
        }

        private void leave(Joined j, boolean byBench) {
            boolean lived = System.nanoTime() - j.joinedNanos() > TimeUnit.SECONDS.toNanos(15);
            if (lived && j.viewer().counters().totalFrames() == 0) {
                count("noMediaIn15s");
                count("noMediaIn15s." + j.protocol());
            }
            if (byBench) {
                count("leaves");
            }
            j.viewer().close();
        }

        synchronized int open() {
            return open.size();
        }

        synchronized void closeAll() {
            for (Joined j : open) {
                leave(j, true);
            }
            open.clear();
        }

        synchronized String summary() {
            return String.format(Locale.ROOT, "bench viewers %d, joins %d, dropped %d, no media %d",
                    open.size(), get("joins"), get("dropped"), get("noMediaIn15s"));
        }

        private int get(String k) {
            AtomicInteger a = counts.get(k);
            return a == null ? 0 : a.get();
        }

        /** Counts; with {@code firstFrames} also the first-frame times of every join so far (read once, at the end). */
        synchronized Map<String, Object> report(boolean firstFrames) {
            Map<String, Object> r = new LinkedHashMap<>();
            counts.forEach((k, v) -> r.put(k, v.get()));
            Map<String, Integer> reasons = new LinkedHashMap<>();
            dropReasons.forEach((k, v) -> reasons.put(k, v.get()));
            r.put("dropReasons", reasons);
            if (firstFrames) {
                Map<String, Object> first = new LinkedHashMap<>();
                measurements.forEach((p, m) -> first.put(p, m.firstFrame().snapshot()));
                r.put("firstFrameMs", first);
            }
            return r;
        }
    }

    /** One ffmpeg publisher looping the clip in real time, restartable. */
    static final class FfmpegPublisher {

        static final AtomicInteger deaths = new AtomicInteger();
        /** Every publisher of the run, so a failing run stops them too. */
        static final List<FfmpegPublisher> all = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final Path clip;
        private final String target;
        private final String format;
        private final Path log;
        private volatile Process process;
        private volatile boolean stopping;

        FfmpegPublisher(Path clip, String target, String format, Path log) {
            this.clip = clip;
            this.target = target;
            this.format = format;
            this.log = log;
        }

        synchronized void start() throws IOException {
            process = new ProcessBuilder("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-re",
                    "-stream_loop", "-1", "-i", clip.toString(), "-c", "copy", "-f", format, target)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        }

        synchronized void restart() throws IOException, InterruptedException {
            stopProcess();
            start();
        }

        synchronized void reviveIfDead() {
            if (!stopping && process != null && !process.isAlive()) {
                deaths.incrementAndGet();
                try {
                    start();
                } catch (IOException e) {
                    System.err.println("soak: cannot restart ffmpeg: " + e);
                }
            }
        }

        synchronized void stop() throws InterruptedException {
            stopping = true;
            stopProcess();
        }

        private void stopProcess() throws InterruptedException {
            Process p = process;
            if (p != null) {
                p.destroy(); // SIGTERM: ffmpeg ends the stream cleanly
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            }
        }
    }
}
