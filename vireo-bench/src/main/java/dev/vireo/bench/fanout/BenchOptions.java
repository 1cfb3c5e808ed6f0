package dev.vireo.bench.fanout;

import dev.vireo.bench.peers.VireoProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Command-line options of the fan-out bench. Every option has a default that finishes on a
 * 2-core machine in a few minutes; {@link #usage()} lists them.
 */
record BenchOptions(List<String> servers, List<Integer> bitratesKbps, List<Integer> steps, int maxViewers,
                    int stepSeconds, int settleSeconds, int graceMillis, int sourceSeconds, int timeLimitSeconds,
                    List<String> protocols, int clientThreads, int connectConcurrency, String audio,
                    int sampleEvery, int handshakeThreads, int joinProbes, boolean viewerGro, int stampEvery,
                    double minFrameRatio, double maxP99Millis, boolean refine, boolean profile,
                    double quietCpuPercent, int quietWaitSeconds, int retries,
                    Path root, Path resultsDir, String vireoClasspath, List<String> vireoJvmOptions,
                    List<String> vireoArgs, Path nginx, Path nginxModule, Path janus, Path janusLib,
                    int janusEventLoops, String ffmpeg, boolean floor, List<String> vireoBJvmOptions) {

    static final List<Integer> DEFAULT_STEPS = List.of(50, 100, 200, 400, 800, 1200, 1600, 2000, 2500, 3000);

    HoldCriteria criteria() {
        return new HoldCriteria(minFrameRatio, maxP99Millis);
    }

    /** The steps actually run: the configured ones up to {@code maxViewers}. */
    List<Integer> effectiveSteps() {
        List<Integer> out = new ArrayList<>();
        for (int s : steps) {
            if (s <= maxViewers) {
                out.add(s);
            }
        }
        if (out.isEmpty() || (out.getLast() < maxViewers && steps.getLast() > maxViewers)) {
            out.add(maxViewers);
        }
        return out;
    }

    static String usage() {
        return """
                Usage: bench/run [options]     (fan-out: Vireo vs nginx-rtmp or Janus, same load, one after the other)
                       bench/run --report FILE...  (print the tables of earlier runs' JSON again)
                  --servers nginx,vireo        servers to measure, in order (per bitrate): vireo, nginx (RTMP
                                               reference), janus (Janus Gateway's Streaming plugin, the
                                               WebRTC reference of a whep ramp: same viewers, same clip fed
                                               as RTP; needs --protocols whep and apt-get install janus)
                  --bitrates 600,2000          source video bitrates in kbps (each gets its own clip)
                  --steps 50,100,200,...       viewer counts of the ramp
                  --max-viewers 3000           stop the ramp here
                  --step-seconds 10            measurement window per step
                  --settle-seconds 2           wait after viewers caught up (GOP burst done), before measuring
                  --grace-millis 1000          wait after the window for frames still in flight
                  --source-seconds 20          clip length (looped)
                  --time-limit 900             run budget in seconds, split evenly over the ramps (4 by default)
                  --protocols rtmp             viewer protocols for Vireo: rtmp, flv (HTTP-FLV), whep (WebRTC),
                                               or a list (rtmp,whep); nginx-rtmp always plays RTMP, and
                                               runs when rtmp or whep is asked for (its same-run reference)
                  --audio aac|opus             source audio (default opus with whep, else aac: WebRTC
                                               carries Opus, AAC would make Vireo transcode)
                  --sample-every 20            WHEP: one viewer in this many decrypts SRTP to measure latency
                  --handshake-threads 8        WHEP: DTLS handshakes the bench runs at once
                  --join-probes 5              after each window, viewers that join one by one to time
                                               their first frame (0 = none)
                  --stamp-every 1              the latency SEI goes into one video frame in N (real encoders
                                               write SEI now and then; over RTP it is a packet of its own)
                  --no-viewer-gro              WHEP: viewers receive without UDP_GRO (on loopback the
                                               kernel then charges per-packet receive work to the server)
                  --client-threads 2           event loops of the viewers (the publisher has its own)
                  --connect-concurrency 64     viewers connecting at once
                  --min-frame-ratio 0.95       share of source frames every viewer needs
                  --max-p99-ms 500             p99 delivery latency bound
                  --no-refine                  skip the extra step between the last held and first failed count
                  --profile                    record JFR on Vireo during its ramp, print the top frames
                  --quiet-cpu 25               before each window, wait until other processes use less CPU
                                               than this (% of one core; 0 = never wait) ...
                  --quiet-wait 20              ... but at most this many seconds
                  --retries 1                  repeat a failed step this often when other processes were busy during it
                  --results DIR                where JSON goes (default bench/results)
                  --vireo-cp CP                server classpath (default vireo-server/target/{jar,lib/*})
                  --vireo-jvm-opts "OPTS"      server JVM options (default: as ./vireo, ZGC -Xms64m -XX:SoftMaxHeapSize=512m, memory handed back after a load)
                  --vireo-b-jvm-opts "OPTS"    a second Vireo, "vireo-b" in --servers: the same classpath with these
                                               JVM options, for a before/after in one run (--servers vireo,vireo-b)
                  --vireo-arg ARG              extra server argument (repeatable)
                  --nginx PATH                 nginx binary (default /usr/sbin/nginx)
                  --nginx-module PATH          ngx_rtmp_module.so (default /usr/lib/nginx/modules/ngx_rtmp_module.so)
                  --janus PATH                 janus binary (default /usr/bin/janus)
                  --janus-lib DIR              Janus modules (default /usr/lib/x86_64-linux-gnu/janus)
                  --janus-event-loops N        Janus's static event loops, its media threads (default: cores)
                  --floor                      after the ramps, per WHEP bitrate: what the kernel alone charges
                                               for the same datagrams at the same steps (UdpFloor; no server),
                                               and Vireo's CPU fit as a multiple of it
                  --ffmpeg PATH                ffmpeg binary (default ffmpeg)
                """;
    }

    static BenchOptions parse(String[] args, Path root) {
        List<String> servers = List.of("nginx", "vireo");
        List<Integer> bitrates = List.of(600, 2000);
        List<Integer> steps = DEFAULT_STEPS;
        int maxViewers = 3000;
        int stepSeconds = 10;
        int settleSeconds = 2;
        int graceMillis = 1000;
        int sourceSeconds = 20;
        int timeLimit = 900;
        List<String> protocols = List.of("rtmp");
        int clientThreads = 2;
        int connectConcurrency = 64;
        String audio = null;
        int sampleEvery = 20;
        int handshakeThreads = 8;
        int joinProbes = 5;
        boolean viewerGro = true;
        int stampEvery = 1;
        double minFrameRatio = 0.95;
        double maxP99 = 500;
        boolean refine = true;
        boolean profile = false;
        double quietCpu = 25;
        int quietWait = 20;
        int retries = 1;
        Path results = root.resolve("bench/results");
        String cp = root.resolve("vireo-server/target/vireo-server-0.1.0-SNAPSHOT.jar") + ":"
                + root.resolve("vireo-server/target/lib") + "/*";
        String envOpts = System.getenv("VIREO_JAVA_OPTS");
        List<String> jvmOpts = words(envOpts != null && !envOpts.isBlank() ? envOpts : VireoProcess.DEFAULT_JVM_OPTIONS);
        List<String> vireoBJvmOpts = null;
        List<String> vireoArgs = new ArrayList<>();
        Path nginx = Path.of("/usr/sbin/nginx");
        Path module = Path.of("/usr/lib/nginx/modules/ngx_rtmp_module.so");
        Path janus = Path.of("/usr/bin/janus");
        Path janusLib = Path.of("/usr/lib/x86_64-linux-gnu/janus");
        int janusEventLoops = Runtime.getRuntime().availableProcessors();
        String ffmpeg = "ffmpeg";
        boolean floor = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--servers" -> servers = strings(value(args, ++i, a));
                case "--bitrates" -> bitrates = ints(value(args, ++i, a));
                case "--steps" -> steps = ints(value(args, ++i, a));
                case "--max-viewers" -> maxViewers = Integer.parseInt(value(args, ++i, a));
                case "--step-seconds" -> stepSeconds = Integer.parseInt(value(args, ++i, a));
                case "--settle-seconds" -> settleSeconds = Integer.parseInt(value(args, ++i, a));
                case "--grace-millis" -> graceMillis = Integer.parseInt(value(args, ++i, a));
                case "--source-seconds" -> sourceSeconds = Integer.parseInt(value(args, ++i, a));
                case "--time-limit" -> timeLimit = Integer.parseInt(value(args, ++i, a));
                case "--protocols" -> protocols = strings(value(args, ++i, a));
                case "--client-threads" -> clientThreads = Integer.parseInt(value(args, ++i, a));
                case "--connect-concurrency" -> connectConcurrency = Integer.parseInt(value(args, ++i, a));
                case "--audio" -> audio = value(args, ++i, a);
                case "--sample-every" -> sampleEvery = Integer.parseInt(value(args, ++i, a));
                case "--handshake-threads" -> handshakeThreads = Integer.parseInt(value(args, ++i, a));
                case "--join-probes" -> joinProbes = Integer.parseInt(value(args, ++i, a));
                case "--no-viewer-gro" -> viewerGro = false;
                case "--stamp-every" -> stampEvery = Integer.parseInt(value(args, ++i, a));
                case "--min-frame-ratio" -> minFrameRatio = Double.parseDouble(value(args, ++i, a));
                case "--max-p99-ms" -> maxP99 = Double.parseDouble(value(args, ++i, a));
                case "--no-refine" -> refine = false;
                case "--profile" -> profile = true;
                case "--quiet-cpu" -> quietCpu = Double.parseDouble(value(args, ++i, a));
                case "--quiet-wait" -> quietWait = Integer.parseInt(value(args, ++i, a));
                case "--retries" -> retries = Integer.parseInt(value(args, ++i, a));
                case "--results" -> results = Path.of(value(args, ++i, a));
                case "--vireo-cp" -> cp = value(args, ++i, a);
                case "--vireo-jvm-opts" -> jvmOpts = words(value(args, ++i, a));
                case "--vireo-b-jvm-opts" -> vireoBJvmOpts = words(value(args, ++i, a));
                case "--vireo-arg" -> vireoArgs.add(value(args, ++i, a));
                case "--nginx" -> nginx = Path.of(value(args, ++i, a));
                case "--nginx-module" -> module = Path.of(value(args, ++i, a));
                case "--janus" -> janus = Path.of(value(args, ++i, a));
                case "--janus-lib" -> janusLib = Path.of(value(args, ++i, a));
                case "--janus-event-loops" -> janusEventLoops = Integer.parseInt(value(args, ++i, a));
                case "--ffmpeg" -> ffmpeg = value(args, ++i, a);
                case "--floor" -> floor = true;
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        for (String s : servers) {
            if (!s.equals("vireo") && !s.equals("vireo-b") && !s.equals("nginx") && !s.equals("janus")) {
                throw new IllegalArgumentException("--servers: unknown server " + s + " (vireo, vireo-b, nginx, janus)");
            }
        }
        if (servers.contains("vireo-b") != (vireoBJvmOpts != null)) {
            throw new IllegalArgumentException("--servers vireo-b and --vireo-b-jvm-opts go together");
        }
        for (String p : protocols) {
            if (!p.equals("rtmp") && !p.equals("flv") && !p.equals("whep")) {
                throw new IllegalArgumentException("--protocols: unknown protocol " + p + " (rtmp, flv, whep)");
            }
        }
        if (audio == null) {
            audio = protocols.contains("whep") ? "opus" : "aac";
        }
        if (!audio.equals("aac") && !audio.equals("opus")) {
            throw new IllegalArgumentException("--audio: aac or opus");
        }
        if (servers.contains("janus") && (!protocols.contains("whep") || !audio.equals("opus"))) {
            throw new IllegalArgumentException("--servers janus: Janus plays WebRTC only (add whep to --protocols) and carries Opus audio");
        }
        if (janusEventLoops < 1) {
            throw new IllegalArgumentException("--janus-event-loops must be >= 1");
        }
        if (sampleEvery < 1 || handshakeThreads < 1) {
            throw new IllegalArgumentException("--sample-every and --handshake-threads must be >= 1");
        }
        if (steps.isEmpty() || bitrates.isEmpty() || servers.isEmpty() || protocols.isEmpty()) {
            throw new IllegalArgumentException("--servers, --bitrates, --steps and --protocols need at least one value");
        }
        if (stampEvery < 1) {
            throw new IllegalArgumentException("--stamp-every must be >= 1");
        }
        if (stepSeconds < 1 || maxViewers < 1 || clientThreads < 1 || connectConcurrency < 1) {
            throw new IllegalArgumentException("--step-seconds, --max-viewers, --client-threads and --connect-concurrency must be >= 1");
        }
        return new BenchOptions(servers, bitrates, steps.stream().sorted().distinct().toList(), maxViewers,
                stepSeconds, settleSeconds, graceMillis, sourceSeconds, timeLimit, protocols, clientThreads,
                connectConcurrency, audio, sampleEvery, handshakeThreads, joinProbes, viewerGro, stampEvery, minFrameRatio, maxP99, refine, profile, quietCpu, quietWait, retries, root, results, cp, jvmOpts,
                List.copyOf(vireoArgs), nginx, module, janus, janusLib, janusEventLoops, ffmpeg, floor,
                vireoBJvmOpts == null ? List.of() : vireoBJvmOpts);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static List<String> strings(String csv) {
        return Arrays.stream(csv.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static List<Integer> ints(String csv) {
        return strings(csv).stream().map(Integer::parseInt).toList();
    }

    private static List<String> words(String s) {
        return Arrays.stream(s.strip().split("\\s+")).filter(w -> !w.isEmpty()).toList();
    }
}
