package dev.vireo.bench.soak;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vireo.bench.measure.Measurement;
import dev.vireo.bench.peers.VireoProcess;
import dev.vireo.bench.probe.ProcFs;
import dev.vireo.bench.probe.ThreadTicks;
import dev.vireo.bench.source.ClipPublisher;
import dev.vireo.bench.source.SourceClip;
import dev.vireo.bench.source.SourceFile;
import dev.vireo.bench.viewers.FlvHttpViewer;
import dev.vireo.bench.viewers.RtmpViewer;
import dev.vireo.bench.viewers.Viewer;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Load held (issue 17): does a normal viewer still start quickly while thousands of other
 * connections are held open on the node? Vireo as its own JVM ({@code ./vireo}'s options), one
 * publisher (the bench's paced clip over RTMP), then:
 * <ol>
 *   <li>the floor: a normal RTMP and HTTP-FLV viewer, {@code --samples} times each, with no other
 *       connection (time from connect to the first complete video frame);</li>
 *   <li>{@code --connections} held in the mix {@code --mix} ({@link HeldConnections}: idle HTTP
 *       keep-alive, HTTP-FLV viewers playing, RTMP half handshakes kept at their count);</li>
 *   <li>the same viewers again, under that load: p50/max and the ratio to the floor; CPU of the
 *       server per thread (which event loop was busy, GC, JIT) and of the bench itself (its share
 *       of the same cores), the load average;</li>
 *   <li>the load closed, the floor again, then {@code --idle-seconds} with the publisher only:
 *       RSS, heap, Netty memory before the load, under it, and after (does memory come back?).</li>
 * </ol>
 * JSON: {@code bench/results/conns-<time>.json}. {@code bench/run conns [--connections 5000] ...}.
 */
public final class ConnsBench {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private static final String APP = "live";
    private static final String STREAM = "conns";

    private ConnsBench() {
    }

    record Options(int connections, int[] mix, int samples, List<String> protocols, int kbps, int settleSeconds,
                   int idleSeconds, long gapMillis, int preIdleSeconds) {

        static Options parse(String[] args) {
            int connections = 5000;
            String mix = "40,20,40";
            int samples = 7;
            String protocols = "flv,rtmp";
            int kbps = 300;
            int settle = 10;
            int idle = 60;
            long gap = 500;
            int preIdle = -1;
            for (int i = 0; i < args.length; i += 2) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                String v = args[i + 1];
                switch (args[i]) {
                    case "--connections" -> connections = Integer.parseInt(v);
                    case "--mix" -> mix = v;
                    case "--samples" -> samples = Integer.parseInt(v);
                    case "--protocols" -> protocols = v;
                    case "--kbps" -> kbps = Integer.parseInt(v);
                    case "--settle-seconds" -> settle = Integer.parseInt(v);
                    case "--idle-seconds" -> idle = Integer.parseInt(v);
                    case "--gap-ms" -> gap = Long.parseLong(v);
                    case "--pre-idle-seconds" -> preIdle = Integer.parseInt(v);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            String[] parts = mix.split(",");
            if (parts.length != 3) {
                throw new IllegalArgumentException("--mix idle,playing,handshaking (shares, e.g. 40,20,40)");
            }
            int[] shares = new int[3];
            int sum = 0;
            for (int k = 0; k < 3; k++) {
                shares[k] = Integer.parseInt(parts[k].trim());
                sum += shares[k];
            }
            int[] counts = new int[3];
            int given = 0;
            for (int k = 0; k < 2; k++) {
                counts[k] = (int) ((long) connections * shares[k] / sum);
                given += counts[k];
            }
            counts[2] = connections - given;
            List<String> ps = List.of(protocols.split(","));
            for (String p : ps) {
                if (!p.equals("flv") && !p.equals("rtmp")) {
                    throw new IllegalArgumentException("--protocols: flv, rtmp");
                }
            }
            return new Options(connections, counts, samples, ps, kbps, settle, idle, gap, preIdle < 0 ? idle : preIdle);
        }
    }

    static final String USAGE = """
            Usage: bench/run conns [--connections 5000] [--mix 40,20,40] [--samples 7] [--protocols flv,rtmp]
                   [--kbps 300] [--settle-seconds 10] [--idle-seconds 60] [--pre-idle-seconds =idle] [--gap-ms 500]
              --mix: shares of idle HTTP keep-alive, HTTP-FLV playing, RTMP half-handshake connections.
              --pre-idle-seconds: publisher only before the load, sampled like the idle after it; its last
                sample is the pre-load reference (the JVM's start-up garbage is collected by then, as after).""";

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        Path root = Path.of(System.getProperty("vireo.root", ".")).toAbsolutePath().normalize();
        Path results = Files.createDirectories(root.resolve("bench/results"));
        Path tmp = Files.createDirectories(results.resolve("tmp"));
        Path work = Files.createTempDirectory(tmp, "conns-");
        Path out = results.resolve("conns-" + STAMP.format(LocalDateTime.now()) + ".json");
        String cp = root.resolve("vireo-server/target/vireo-server-0.1.0-SNAPSHOT.jar") + ":"
                + root.resolve("vireo-server/target/lib") + "/*";
        List<String> jvm = List.of(System.getenv().getOrDefault("VIREO_JAVA_OPTS", VireoProcess.DEFAULT_JVM_OPTIONS)
                .strip().split("\\s+"));
        SourceFile source = new SourceFile(o.kbps(), 10);
        SourceClip clip = SourceClip.load(source.ensure(tmp, "ffmpeg"));
        EventLoopGroup viewerLoop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("bench-viewer", true),
                EpollIoHandler.newFactory());
        EventLoopGroup publisherLoop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("bench-publisher", true),
                EpollIoHandler.newFactory());
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("bench", "conns");
        doc.put("options", Map.of("connections", o.connections(), "idle", o.mix()[0], "playing", o.mix()[1],
                "handshaking", o.mix()[2], "samples", o.samples(), "protocols", o.protocols(), "kbps", o.kbps(),
                "settleSeconds", o.settleSeconds(), "idleSeconds", o.idleSeconds()));
        doc.put("serverJvm", jvm);
        doc.put("cores", Runtime.getRuntime().availableProcessors());
        doc.put("loadAverageAtStart", ProcFs.loadAverage());
        log("%d connections (%d idle HTTP, %d FLV playing, %d RTMP half handshakes), clip %.0f kbps %.0f fps;"
                        + " load average %.1f; work dir %s", o.connections(), o.mix()[0], o.mix()[1], o.mix()[2],
                clip.kbps(), clip.fps(), ProcFs.loadAverage(), work);
        try (VireoProcess server = VireoProcess.start(cp, jvm, List.of(), work);
             ClipPublisher publisher = publish(publisherLoop, server.rtmpUrl(APP, STREAM), clip)) {
            URI flv = server.flvUrl(APP, STREAM).orElseThrow();
            URI metrics = server.metricsUrl().orElseThrow();
            Bootstrap tcp = new Bootstrap().group(viewerLoop).channel(EpollSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true).option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000);
            Starts starts = new Starts(tcp, viewerLoop, flv, server.rtmpUrl(APP, STREAM), clip.nalLengthSize(), o.gapMillis());
            starts.measure(o.protocols(), 3); // warm-up (JIT, GOP cache filled): not recorded
            Map<String, Object> memory = new LinkedHashMap<>();
            // the reference settles as the idle after the load does (GC cycles, uncommit, native trim):
            // right after start-up the heap still holds the start's garbage and would flatter the ratio
            Memory first = Memory.take(server.pid(), metrics, http);
            memory.put("preLoadFirst", first);
            List<Memory> preIdle = idleSamples(server.pid(), metrics, http, o.preIdleSeconds(), "pre-load idle");
            memory.put("preLoadSamples", preIdle);
            memory.put("preLoad", preIdle.isEmpty() ? first : preIdle.getLast());
            Map<String, Object> floor = starts.measure(o.protocols(), o.samples());
            log("floor (no other connection): %s", floor);

            Map<String, Object> loaded;
            Map<String, Object> held = new LinkedHashMap<>();
            Map<String, Object> cpu = new LinkedHashMap<>();
            try (HeldConnections load = new HeldConnections(flv.getPort(), server.rtmpUrl(APP, STREAM).getPort(),
                    flv.getRawPath())) {
                long opening = System.nanoTime();
                long overflowsBefore = listenOverflows();
                // the half handshakes last: the server closes them after its handshake timeout
                for (int kind : new int[] {HeldConnections.IDLE, HeldConnections.PLAYING, HeldConnections.HANDSHAKING}) {
                    load.open(kind, o.mix()[kind]);
                }
                long openedMs = (System.nanoTime() - opening) / 1_000_000;
                held.put("openedMs", openedMs);
                held.put("listenOverflowsWhileOpening", listenOverflows() - overflowsBefore);
                log("%d connections opened in %d ms (listen overflows %d); settling %d s", o.connections(), openedMs,
                        listenOverflows() - overflowsBefore, o.settleSeconds());
                TimeUnit.SECONDS.sleep(o.settleSeconds()); // the load's steady state, not a synchronisation
                memory.put("loaded", Memory.take(server.pid(), metrics, http));
                long benchPid = ProcessHandle.current().pid();
                Map<String, Long> serverBefore = ThreadTicks.of(server.pid());
                Map<String, Long> benchBefore = ThreadTicks.of(benchPid);
                long busyBefore = ProcFs.systemBusyTicks();
                long overflows = listenOverflows();
                long t0 = System.nanoTime();
                loaded = starts.measure(o.protocols(), o.samples());
                long nanos = System.nanoTime() - t0;
                cpu.put("seconds", Math.round(nanos / 1e8) / 10.0);
                cpu.put("serverThreads", ThreadTicks.percent(serverBefore, ThreadTicks.of(server.pid()), nanos, 1));
                cpu.put("benchThreads", ThreadTicks.percent(benchBefore, ThreadTicks.of(benchPid), nanos, 1));
                cpu.put("serverTotal", sum(ThreadTicks.of(server.pid()), serverBefore, nanos));
                cpu.put("benchTotal", sum(ThreadTicks.of(benchPid), benchBefore, nanos));
                cpu.put("machineBusy", Math.round(ProcFs.ticksPercent(ProcFs.systemBusyTicks() - busyBefore, nanos)));
                cpu.put("loadAverage", ProcFs.loadAverage());
                held.put("listenOverflowsWhileMeasuring", listenOverflows() - overflows);
                for (int k = 0; k < 3; k++) {
                    Map<String, Object> kind = new LinkedHashMap<>();
                    kind.put("asked", o.mix()[k]);
                    kind.put("closedByServer", load.closedByServer(k));
                    kind.put("reopened", load.reopened(k));
                    kind.put("bytesIn", load.bytesIn(k));
                    held.put(HeldConnections.KINDS[k], kind);
                }
                log("under load: %s", loaded);
                log("CPU while measuring: %s", cpu);
                log("held: %s", held);
            }
            TimeUnit.SECONDS.sleep(5); // the server closes the held connections' sessions
            Map<String, Object> floorAfter = starts.measure(o.protocols(), o.samples());
            log("floor again, load closed: %s", floorAfter);
            List<Memory> idle = idleSamples(server.pid(), metrics, http, o.idleSeconds(), "idle");
            memory.put("idleSamples", idle);
            if (!idle.isEmpty()) {
                Memory pre = (Memory) memory.get("preLoad");
                Memory last = idle.getLast();
                memory.put("idleRssOverPreLoad", Math.round(100.0 * last.rssMb() / pre.rssMb()) / 100.0);
                log("memory: pre-load %s%n  loaded %s%n  idle %s", pre, memory.get("loaded"), last);
            }
            doc.put("floor", floor);
            doc.put("loaded", loaded);
            doc.put("floorAfter", floorAfter);
            doc.put("ratio", ratios(loaded, floor));
            doc.put("held", held);
            doc.put("cpu", cpu);
            doc.put("memory", memory);
            doc.put("loadAverageAtEnd", ProcFs.loadAverage());
            log("ratio loaded/floor (p50, max): %s", doc.get("ratio"));
        } finally {
            Files.writeString(out, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(doc) + "\n");
            System.out.println("results: " + out);
            viewerLoop.shutdownGracefully();
            publisherLoop.shutdownGracefully();
        }
        System.exit(0);
    }

    /** Memory every 10 s for {@code seconds} (the publisher alone on the server). */
    private static List<Memory> idleSamples(long pid, URI metrics, HttpClient http, int seconds, String what)
            throws InterruptedException {
        List<Memory> samples = new ArrayList<>();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            TimeUnit.SECONDS.sleep(Math.min(10, Math.max(1, TimeUnit.NANOSECONDS.toSeconds(end - System.nanoTime()))));
            Memory m = Memory.take(pid, metrics, http);
            samples.add(m);
            log("%s: %s", what, m);
        }
        return samples;
    }

    /** The publisher; a few attempts, as the RTMP port listens before a server on a loaded machine is ready. */
    private static ClipPublisher publish(EventLoopGroup loop, URI url, SourceClip clip) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return ClipPublisher.start(loop, url, clip, new Measurement(), 1);
            } catch (Exception e) {
                if (attempt == 5) {
                    throw e;
                }
                log("publisher not started (%s); again", e);
            }
        }
    }

    /** loaded / floor of p50 and max per protocol; a max with a viewer that saw no frame is "timeout". */
    private static Map<String, Object> ratios(Map<String, Object> loaded, Map<String, Object> floor) {
        Map<String, Object> r = new LinkedHashMap<>();
        for (String p : loaded.keySet()) {
            Summary l = (Summary) loaded.get(p);
            Summary f = (Summary) floor.get(p);
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("p50", l.p50Ms() < 0 || f.p50Ms() <= 0 ? "timeout" : Math.round(10 * l.p50Ms() / f.p50Ms()) / 10.0);
            q.put("max", l.maxMs() < 0 || f.maxMs() <= 0 ? "timeout" : Math.round(10 * l.maxMs() / f.maxMs()) / 10.0);
            r.put(p, q);
        }
        return r;
    }

    private static double sum(Map<String, Long> after, Map<String, Long> before, long nanos) {
        long ticks = 0;
        for (Map.Entry<String, Long> e : after.entrySet()) {
            ticks += e.getValue() - before.getOrDefault(e.getKey(), 0L);
        }
        return Math.round(ProcFs.ticksPercent(ticks, nanos) * 10) / 10.0;
    }

    /** TcpExt ListenOverflows of the machine (every listener: shared with whatever else runs). */
    static long listenOverflows() {
        try {
            return parseTcpExt(Files.readString(Path.of("/proc/net/netstat")), "ListenOverflows");
        } catch (IOException e) {
            return -1;
        }
    }

    static long parseTcpExt(String netstat, String field) {
        String[] lines = netstat.split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (lines[i].startsWith("TcpExt:") && lines[i + 1].startsWith("TcpExt:")) {
                String[] names = lines[i].trim().split("\\s+");
                String[] values = lines[i + 1].trim().split("\\s+");
                for (int k = 1; k < names.length && k < values.length; k++) {
                    if (names[k].equals(field)) {
                        return Long.parseLong(values[k]);
                    }
                }
            }
        }
        return -1;
    }

    static void log(String format, Object... args) {
        System.out.printf(Locale.ROOT, "%tT conns: " + format + "%n", prepend(System.currentTimeMillis(), args));
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    /** First-frame times of one protocol: samples in ms, -1 for a viewer that saw no frame within 30 s. */
    record Summary(List<Double> samplesMs, double p50Ms, double maxMs, long timeouts) {

        static Summary of(List<Double> ms) {
            List<Double> sorted = new ArrayList<>(ms);
            sorted.replaceAll(v -> v < 0 ? Double.MAX_VALUE : v);
            sorted.sort(Double::compare);
            double p50 = sorted.isEmpty() ? -1 : sorted.get((sorted.size() - 1) / 2);
            double max = sorted.isEmpty() ? -1 : sorted.getLast();
            return new Summary(ms, p50 == Double.MAX_VALUE ? -1 : p50, max == Double.MAX_VALUE ? -1 : max,
                    ms.stream().filter(v -> v < 0).count());
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "p50 %.0f ms, max %.0f ms (%d without a frame in 30 s) %s", p50Ms, maxMs,
                    timeouts, samplesMs);
        }
    }

    /** Normal viewers started one at a time, each closed after its first frame. */
    record Starts(Bootstrap tcp, EventLoopGroup loop, URI flv, URI rtmp, int nalLengthSize, long gapMillis) {

        Map<String, Object> measure(List<String> protocols, int samples) throws InterruptedException {
            Map<String, List<Double>> ms = new LinkedHashMap<>();
            for (int i = 0; i < samples; i++) {
                for (String p : protocols) { // interleaved, so a slow moment hits both protocols alike
                    ms.computeIfAbsent(p, k -> new ArrayList<>()).add(once(p));
                    Thread.sleep(gapMillis); // spacing between viewers, not a synchronisation
                }
            }
            Map<String, Object> out = new LinkedHashMap<>();
            ms.forEach((p, v) -> out.put(p, Summary.of(v)));
            return out;
        }

        private double once(String protocol) throws InterruptedException {
            Measurement m = new Measurement();
            Viewer v = protocol.equals("flv") ? FlvHttpViewer.open(tcp, flv, m, nalLengthSize)
                    : RtmpViewer.open(loop, rtmp, m, nalLengthSize);
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (v.counters().totalFrames() == 0 && System.nanoTime() < deadline) {
                    if (v.started().isCompletedExceptionally()) {
                        log("%s viewer failed: %s", protocol, v.closeReason());
                        return -1;
                    }
                    Thread.sleep(2);
                }
                if (v.counters().totalFrames() == 0) {
                    return -1;
                }
                return Math.round(m.firstFrame().snapshot().maxMs() * 10) / 10.0;
            } finally {
                v.close();
            }
        }
    }

    /** The server's memory at one moment: RSS, heap used and committed, Netty's direct and pooled memory. */
    record Memory(double rssMb, double heapUsedMb, double heapCommittedMb, double nonHeapCommittedMb,
                  double nettyDirectMb, double nettyPooledDirectMb, int threads, double loadAverage) {

        static Memory take(long pid, URI metrics, HttpClient http) throws InterruptedException {
            String text = "";
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(15)).build(),
                        HttpResponse.BodyHandlers.ofString());
                text = r.statusCode() == 200 ? r.body() : "";
            } catch (IOException e) {
                // -1 below
            }
            String status;
            try {
                status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
            } catch (IOException e) {
                status = "";
            }
            return new Memory(mb(SoakSample.statusField(status, "VmRSS:") * 1024),
                    mb(SoakSample.sum(text, "jvm_memory_used_bytes", l -> l.contains("area=\"heap\""))),
                    mb(SoakSample.sum(text, "jvm_memory_committed_bytes", l -> l.contains("area=\"heap\""))),
                    mb(SoakSample.sum(text, "jvm_memory_committed_bytes", l -> l.contains("area=\"nonheap\""))),
                    mb(SoakSample.sum(text, "vireo_netty_direct_memory_bytes", l -> true)),
                    mb(SoakSample.sum(text, "vireo_netty_allocator_memory_bytes", l -> l.contains("type=\"direct\""))),
                    (int) SoakSample.statusField(status, "Threads:"), ProcFs.loadAverage());
        }

        private static double mb(double bytes) {
            return bytes < 0 ? -1 : Math.round(bytes / 1048576.0 * 10) / 10.0;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "RSS %.0f MB, heap %.0f used / %.0f committed MB, non-heap %.0f MB,"
                    + " Netty direct %.1f MB (pooled %.1f), threads %d, load %.1f", rssMb, heapUsedMb, heapCommittedMb,
                    nonHeapCommittedMb, nettyDirectMb, nettyPooledDirectMb, threads, loadAverage);
        }
    }
}
