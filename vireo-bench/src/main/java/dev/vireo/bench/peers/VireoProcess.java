package dev.vireo.bench.peers;

import dev.vireo.bench.FreePort;
import dev.vireo.bench.probe.JvmProbe;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The Vireo server started as its own JVM on free loopback ports with a fresh data dir. */
public final class VireoProcess extends LaunchedServer {

    /** {@code ./vireo}'s default JVM options (its {@code VIREO_JAVA_OPTS} default), for benches that run "as ./vireo". */
    public static final String DEFAULT_JVM_OPTIONS = "-XX:+UseZGC -Xms64m -XX:SoftMaxHeapSize=512m -XX:ZUncommitDelay=10"
            + " -XX:ZCollectionInterval=30 -XX:TrimNativeHeapInterval=30000";

    private final int httpPort;
    private final JvmProbe probe;

    private VireoProcess(String name, Process process, int rtmpPort, int httpPort, Path log) {
        super(name, process, rtmpPort, log, 15);
        this.httpPort = httpPort;
        this.probe = new JvmProbe(process.pid());
    }

    /**
     * @param classpath  the server's classpath (its jar and lib/*)
     * @param jvmOptions options for the server JVM (the same defaults as {@code ./vireo})
     * @param extraArgs  more server arguments, passed through
     * @param workDir    a fresh directory: data dir and log go there
     */
    public static VireoProcess start(String classpath, List<String> jvmOptions, List<String> extraArgs, Path workDir)
            throws IOException, InterruptedException {
        return start("vireo", classpath, jvmOptions, extraArgs, workDir);
    }

    /** @param name the server's name in tables ("vireo-b": the same server with other JVM options) */
    public static VireoProcess start(String name, String classpath, List<String> jvmOptions, List<String> extraArgs,
                              Path workDir) throws IOException, InterruptedException {
        int rtmpPort = FreePort.pick();
        int httpPort = FreePort.pick();
        Path dataDir = Files.createDirectories(workDir.resolve("data"));
        Path log = workDir.resolve("vireo.log");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (Runtime.version().feature() >= 23) {
            // as ./vireo (bin/env.sh, vireo_netty_jvm_opts): Netty keeps Unsafe on JDK 25+
            cmd.addAll(List.of("--sun-misc-unsafe-memory-access=allow", "-Dio.netty.noUnsafe=false"));
        }
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", classpath, "dev.vireo.server.Main",
                "--rtmp-port", Integer.toString(rtmpPort),
                "--http-port", Integer.toString(httpPort),
                "--https-port", "0", // never the default 8443 a running Vireo may hold
                "--data-dir", dataDir.toString(),
                // WebRTC media on an ephemeral UDP port, advertised on loopback only (the
                // WHEP viewers read the port from the answer's candidate)
                "--rtc-port", "0", "--rtc-candidates", "127.0.0.1"));
        if (!extraArgs.contains("--srt-port")) {
            // never the default 10080 either: a taken SRT port ends the server (and a bench holding it
            // ended MainProcessTest's server on a shared machine)
            cmd.addAll(List.of("--srt-port", "0"));
        }
        cmd.addAll(extraArgs);
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        VireoProcess server = new VireoProcess(name, p, rtmpPort, httpPort, log);
        try {
            FreePort.awaitListening(rtmpPort, p, 60_000, "vireo (log: " + log + ")");
            FreePort.awaitListening(httpPort, p, 30_000, "vireo (log: " + log + ")");
        } catch (RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
        return server;
    }

    @Override
    public Optional<URI> flvUrl(String app, String stream) {
        return Optional.of(URI.create("http://" + FreePort.LOOPBACK + ":" + httpPort + "/" + app + "/" + stream + ".flv"));
    }

    @Override
    public Optional<URI> whepUrl(String app, String stream) {
        return Optional.of(URI.create("http://" + FreePort.LOOPBACK + ":" + httpPort + "/" + app + "/" + stream + "/whep"));
    }

    @Override
    public Optional<URI> metricsUrl() {
        return Optional.of(URI.create("http://" + FreePort.LOOPBACK + ":" + httpPort + "/metrics"));
    }

    @Override
    public Optional<JvmProbe> jvm() {
        return Optional.of(probe);
    }
}
