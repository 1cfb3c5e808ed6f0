package dev.vireo.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * nginx with the RTMP module as the reference server: a generated config under a temp dir,
 * one worker, {@code live on}, no recording, listening on a free loopback port.
 */
final class NginxRtmpProcess implements ServerUnderTest {

    private final Process process;
    private final int rtmpPort;
    private final Path log;

    private NginxRtmpProcess(Process process, int rtmpPort, Path log) {
        this.process = process;
        this.rtmpPort = rtmpPort;
        this.log = log;
    }

    static NginxRtmpProcess start(Path nginx, Path module, Path workDir) throws IOException, InterruptedException {
        int port = FreePort.pick();
        Files.createDirectories(workDir.resolve("logs"));
        Path log = workDir.resolve("logs/error.log");
        Path conf = workDir.resolve("nginx.conf");
        Files.writeString(conf, config(module, port, workDir));
        Process p = new ProcessBuilder(nginx.toString(), "-p", workDir + "/", "-c", conf.toString(), "-e", log.toString())
                .redirectErrorStream(true)
                .redirectOutput(workDir.resolve("logs/stdout.log").toFile())
                .start();
        NginxRtmpProcess server = new NginxRtmpProcess(p, port, log);
        try {
            FreePort.awaitListening(port, p, 20_000, "nginx (log: " + log + ")");
        } catch (RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** The generated config: as close to a stock "live" application as nginx-rtmp gets. */
    static String config(Path module, int port, Path workDir) {
        return """
                load_module %s;
                daemon off;
                master_process on;
                worker_processes 1;
                worker_rlimit_nofile 19000;
                pid %s;
                error_log %s warn;
                events {
                    worker_connections 18000;
                }
                rtmp {
                    server {
                        listen %s:%d;
                        chunk_size 4096;
                        application live {
                            live on;
                            record off;
                        }
                    }
                }
                """.formatted(module, workDir.resolve("nginx.pid"), workDir.resolve("logs/error.log"),
                FreePort.LOOPBACK, port);
    }

    @Override
    public String name() {
        return "nginx-rtmp";
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public URI rtmpUrl(String app, String stream) {
        return URI.create("rtmp://" + FreePort.LOOPBACK + ":" + rtmpPort + "/" + app + "/" + stream);
    }

    @Override
    public Path log() {
        return log;
    }

    @Override
    public void close() {
        ServerUnderTest.stop(process, 10); // SIGTERM to the master: fast shutdown of master and workers
    }
}
