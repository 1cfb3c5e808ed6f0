package dev.vireo.bench.fanout;

import dev.vireo.bench.BenchLog;
import dev.vireo.bench.measure.Measurement;
import dev.vireo.bench.peers.JanusProcess;
import dev.vireo.bench.peers.NginxProcess;
import dev.vireo.bench.peers.ServerUnderTest;
import dev.vireo.bench.peers.VireoProcess;
import dev.vireo.bench.source.ClipPublisher;
import dev.vireo.bench.source.SourceClip;
import dev.vireo.bench.source.SourceFile;
import dev.vireo.bench.viewers.FlvHttpViewer;
import dev.vireo.bench.viewers.JanusApi;
import dev.vireo.bench.viewers.RtmpViewer;
import dev.vireo.bench.viewers.WhepViewer;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Fan-out benchmark: one publisher, a ramp of viewers, Vireo and its references one after the
 * other under the same load. Vireo's viewers play RTMP, HTTP-FLV or WebRTC (WHEP, {@link WhepViewer});
 * nginx-rtmp has no WebRTC, so its RTMP viewers at the same bitrate are the same-run reference
 * of a WHEP ramp, and Janus ({@link JanusProcess}) is the WebRTC peer: the same viewers after
 * Janus API signalling, fed the same clip as RTP. Run it with {@code bench/run}; {@code --help} lists the options.
 */
public final class FanoutBench {

    private static final String APP = "live";

    private FanoutBench() {
    }

    public static void main(String[] args) throws Exception {
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h")) {
                System.out.print(BenchOptions.usage());
                return;
            }
        }
        if (args.length > 0 && args[0].equals("--report")) {
            // re-print the tables of earlier runs: bench/run --report bench/results/rtmp-fanout-*.json
            for (int i = 1; i < args.length; i++) {
                FanoutReport r = FanoutReport.read(Path.of(args[i]));
                System.out.println("## " + args[i] + " (started " + r.startedAt() + ")");
                System.out.println();
                System.out.print(r.stepsTable());
                System.out.println();
                System.out.print(r.table());
                System.out.println();
            }
            return;
        }
        Path root = Path.of(System.getProperty("vireo.root", ".")).toAbsolutePath().normalize();
        BenchOptions options;
        try {
            options = BenchOptions.parse(args, root);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.print(BenchOptions.usage());
            System.exit(2);
            return;
        }
        if (options.servers().contains("janus") && !Files.isExecutable(options.janus())) {
            System.err.println("bench: janus is not installed at " + options.janus() + " (Debian: apt-get install janus)");
            System.exit(2);
            return;
        }
        System.exit(new FanoutBench().run(options));
    }

    private int run(BenchOptions options) throws Exception {
        ZonedDateTime started = ZonedDateTime.now();
        Path tmp = options.resultsDir().resolve("tmp");
        Files.createDirectories(tmp);
        List<RampResult> ramps = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        EventLoopGroup viewerLoops = new MultiThreadIoEventLoopGroup(options.clientThreads(), EpollIoHandler.newFactory());
        EventLoopGroup publisherLoop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        WhepViewer.Shared whep = options.protocols().contains("whep")
                ? new WhepViewer.Shared(viewerLoops, options.handshakeThreads(), options.sampleEvery(), options.viewerGro()) : null;
        try {
            Bootstrap viewerBootstrap = new Bootstrap().group(viewerLoops).channel(EpollSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
            List<Run> runs = plan(options);
            // every ramp gets the same slot, so a server measured early cannot eat a later one's time
            long slot = TimeUnit.SECONDS.toNanos(options.timeLimitSeconds()) / runs.size();
            for (int i = 0; i < runs.size(); i++) {
                Run run = runs.get(i);
                SourceFile source = new SourceFile(run.bitrateKbps(), options.sourceSeconds());
                Path file = source.ensure(tmp, options.ffmpeg());
                SourceClip clip = options.audio().equals("opus") ? source.loadWithOpus(tmp, options.ffmpeg())
                        : SourceClip.load(file);
                SourceClip theClip = clip;
                BenchLog.log("%s: %s, %.0f kbps payload, %.1f fps, loop %d ms", run, file.getFileName(), clip.kbps(), clip.fps(),
                        clip.timeline().loopMs());
                Path workDir = Files.createTempDirectory(tmp, run.server() + "-");
                boolean keep = options.profile();
                JanusApi janusApi = null;
                try (ServerUnderTest server = startServer(run.server(), options, workDir, clip)) {
                    Measurement measurement = new Measurement();
                    String stream = "bench" + i;
                    Optional<JanusProcess> janus = server.janus();
                    if (janus.isPresent()) {
                        janusApi = JanusApi.create(whep, janus.get().apiUrl(), JanusProcess.MOUNTPOINT,
                                janus.get().hostAddress());
                    }
                    JanusApi theJanusApi = janusApi;
                    FanoutRamp.ViewerFactory viewers = switch (run.protocol()) {
                        case "flv" -> () -> FlvHttpViewer.open(viewerBootstrap, server.flvUrl(APP, stream).orElseThrow(),
                                measurement, theClip.nalLengthSize());
                        case "whep" -> theJanusApi != null
                                ? () -> WhepViewer.open(whep, theJanusApi, measurement)
                                : () -> WhepViewer.open(whep, server.whepUrl(APP, stream).orElseThrow(), measurement);
                        default -> () -> RtmpViewer.open(viewerLoops, server.rtmpUrl(APP, stream), measurement,
                                theClip.nalLengthSize());
                    };
                    // Janus has no RTMP ingest: the same paced, stamped clip goes to its mountpoint as RTP
                    FanoutRamp.PublisherFactory publisher = janus.isPresent()
                            ? () -> ClipPublisher.startRtp(publisherLoop, janus.get().ingest(), theClip, measurement,
                                    options.stampEvery())
                            : () -> ClipPublisher.start(publisherLoop, server.rtmpUrl(APP, stream), theClip, measurement,
                                    options.stampEvery());
                    FanoutRamp ramp = new FanoutRamp(options, server, measurement, publisher, viewers, run.protocol(),
                            run.bitrateKbps(), clip, workDir);
                    if (run.protocol().equals("whep")) {
                        whep.joinPhases(); // forget earlier ramps' joins
                        ramp.withJoinLog(() -> BenchLog.log("        WHEP joins %s", whep.joinPhases()))
                                .withAfterClose(() -> whep.awaitDeletes(30_000));
                    }
                    try {
                        ramps.add(ramp.run(System.nanoTime() + slot));
                    } finally {
                        if (janusApi != null) {
                            whep.awaitDeletes(30_000); // the ramp's last viewers detach before the session goes
                            janusApi.close();
                        }
                    }
                } catch (Exception e) {
                    if (janusApi != null) {
                        janusApi.close(); // its event poll must not outlive a ramp that failed to start
                    }
                    keep = true;
                    String msg = run + " failed: " + e;
                    BenchLog.log("%s", msg);
                    e.printStackTrace();
                    errors.add(msg);
                }
                if (keep) {
                    BenchLog.log("server log and data kept in %s", workDir);
                } else {
                    deleteTree(workDir);
                }
            }
        } finally {
            if (whep != null) {
                whep.close();
            }
            viewerLoops.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            publisherLoop.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
        List<UdpFloor.Result> floors = options.floor() ? floors(options, tmp, ramps) : List.of();
        FanoutReport report = new FanoutReport(started.toOffsetDateTime().toString(), FanoutReport.currentEnvironment(),
                FanoutReport.settingsOf(options), ramps, errors);
        Path json = report.write(options.resultsDir(), started);
        for (UdpFloor.Result f : floors) {
            Path floorJson = json.resolveSibling(json.getFileName().toString()
                    .replace("fanout-", "fanout-floor-" + f.bitrateKbps() + "k-"));
            Files.writeString(floorJson, f.json());
        }
        System.out.println();
        System.out.print(report.stepsTable());
        System.out.println();
        System.out.print(report.table());
        for (RampResult r : ramps) {
            if (!r.profile().isEmpty()) {
                System.out.println();
                System.out.println("JFR profile of " + r.server() + " " + r.protocol() + " " + r.bitrateKbps() + "k (whole ramp):");
                r.profile().forEach(line -> System.out.println("  " + line));
            }
        }
        for (UdpFloor.Result f : floors) {
            System.out.println();
            System.out.print(floorLines(f, ramps));
        }
        System.out.println();
        System.out.println("JSON: " + json);
        return ramps.isEmpty() ? 1 : 0;
    }

    /**
     * The kernel's floor ({@link UdpFloor}) for every bitrate Vireo played WHEP at, at the steps
     * its ramp held, measured after the ramps (no server running), each step as long as a window.
     */
    private static List<UdpFloor.Result> floors(BenchOptions options, Path tmp, List<RampResult> ramps)
            throws Exception {
        List<UdpFloor.Result> out = new ArrayList<>();
        for (RampResult r : ramps) {
            if (!r.server().equals("vireo") || !r.protocol().equals("whep") || r.viewersHeld() == 0) {
                continue;
            }
            List<Integer> steps = r.steps().stream().map(StepResult::viewers).filter(v -> v <= r.viewersHeld())
                    .distinct().sorted().toList();
            SourceClip clip = new SourceFile(r.bitrateKbps(), options.sourceSeconds()).loadWithOpus(tmp, options.ffmpeg());
            out.add(UdpFloor.run(clip, r.bitrateKbps(), steps, options.stepSeconds()));
        }
        return out;
    }

    /** The floor per step and Vireo's CPU fit over the floor's mean at that bitrate. */
    static String floorLines(UdpFloor.Result f, List<RampResult> ramps) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                "floor %d kbps (%.0f datagrams per viewer and second, the kernel alone):", f.bitrateKbps(),
                f.datagramsPerViewerSecond()));
        for (UdpFloor.Step st : f.steps()) {
            b.append(String.format(Locale.ROOT, " %d viewers %.0f µs/viewer·s (%.0f/core);", st.viewers(),
                    st.microsPerViewerSecond(), st.viewersPerCore()));
        }
        b.append('\n');
        for (RampResult r : ramps) {
            if (r.bitrateKbps() == f.bitrateKbps() && r.protocol().equals("whep") && r.cpuFit() != null) {
                b.append(String.format(Locale.ROOT,
                        "%d kbps: %s whep CPU fit %.0f µs/viewer·s = %.2fx the floor's mean (%.0f)%n", f.bitrateKbps(),
                        r.server(), r.cpuFit().microsPerViewerSecond(),
                        r.cpuFit().microsPerViewerSecond() / f.meanMicros(), f.meanMicros()));
            }
        }
        return b.toString();
    }

    /** One ramp to run. */
    record Run(String server, String protocol, int bitrateKbps) {
        @Override
        public String toString() {
            return server + " " + protocol + " " + bitrateKbps + "k";
        }
    }

    /**
     * Per bitrate: every server in order; Vireo (and vireo-b, the same with other JVM options) once per viewer protocol, nginx-rtmp over RTMP
     * only (once, when RTMP or WHEP is measured: it is the reference of both), Janus over WebRTC
     * only (when WHEP is measured: the WebRTC reference).
     */
    static List<Run> plan(BenchOptions options) {
        List<Run> runs = new ArrayList<>();
        for (int kbps : options.bitratesKbps()) {
            for (String s : options.servers()) {
                if (s.equals("vireo") || s.equals("vireo-b")) {
                    for (String p : options.protocols()) {
                        runs.add(new Run(s, p, kbps));
                    }
                } else if (s.equals("janus")) {
                    if (options.protocols().contains("whep")) {
                        runs.add(new Run("janus", "whep", kbps));
                    }
                } else if (options.protocols().contains("rtmp") || options.protocols().contains("whep")) {
                    runs.add(new Run("nginx", "rtmp", kbps));
                }
            }
        }
        return runs;
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            BenchLog.log("could not delete %s: %s", dir, e);
        }
    }

    private static ServerUnderTest startServer(String name, BenchOptions o, Path workDir, SourceClip clip) throws Exception {
        return switch (name) {
            case "vireo" -> VireoProcess.start(o.vireoClasspath(), o.vireoJvmOptions(), o.vireoArgs(), workDir);
            case "vireo-b" -> VireoProcess.start("vireo-b", o.vireoClasspath(), o.vireoBJvmOptions(), o.vireoArgs(), workDir);
            case "nginx" -> NginxProcess.start(o.nginx(), o.nginxModule(), workDir);
            case "janus" -> JanusProcess.start(o.janus(), o.janusLib(), clip.h264ProfileLevelId(), o.janusEventLoops(), workDir);
            default -> throw new IllegalArgumentException(name);
        };
    }
}
