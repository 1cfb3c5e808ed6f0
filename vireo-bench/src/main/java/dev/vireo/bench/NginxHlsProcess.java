package dev.vireo.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * nginx-rtmp with its HLS output as the reference HLS server: one worker, {@code hls on} writing
 * MPEG-TS fragments (2 s, cut at keyframes) and a playlist of 10 s to a directory (tmpfs when the
 * temp dir is one) that nginx's HTTP server serves, as the module's README sets it up.
 */
final class NginxHlsProcess implements ServerUnderTest {

    private final Process process;
    private final int rtmpPort;
    private final int httpPort;
    private final Path log;

    private NginxHlsProcess(Process process, int rtmpPort, int httpPort, Path log) {
        this.process = process;
        this.rtmpPort = rtmpPort;
        this.httpPort = httpPort;
        this.log = log;
    }

    static NginxHlsProcess start(Path nginx, Path module, Path workDir) throws IOException, InterruptedException {
        int rtmp = FreePort.pick();
        int http = FreePort.pick();
        Files.createDirectories(workDir.resolve("logs"));
        Files.createDirectories(workDir.resolve("hls"));
        // nginx's workers run as nobody when the bench runs as root: they must reach the HLS directory
        Files.setPosixFilePermissions(workDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path log = workDir.resolve("logs/error.log");
        Path conf = workDir.resolve("nginx.conf");
        Files.writeString(conf, """
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
                            hls on;
                            hls_path %s;
                            hls_fragment 2s;
                            hls_playlist_length 10s;
                        }
                    }
                }
                http {
                    access_log off;
                    sendfile on;
                    tcp_nopush on;
                    keepalive_requests 1000000;
                    server {
                        listen %s:%d;
                        location /hls {
                            types {
                                application/vnd.apple.mpegurl m3u8;
                                video/mp2t ts;
                            }
                            alias %s;
                            add_header Cache-Control no-cache;
                        }
                    }
                }
                """.formatted(module, workDir.resolve("nginx.pid"), log, FreePort.LOOPBACK, rtmp, workDir.resolve("hls"),
                FreePort.LOOPBACK, http, workDir.resolve("hls")));
        Process p = new ProcessBuilder(nginx.toString(), "-p", workDir + "/", "-c", conf.toString(), "-e", log.toString())
                .redirectErrorStream(true).redirectOutput(workDir.resolve("logs/stdout.log").toFile()).start();
        NginxHlsProcess server = new NginxHlsProcess(p, rtmp, http, log);
        try {
            FreePort.awaitListening(rtmp, p, 20_000, "nginx (log: " + log + ")");
            FreePort.awaitListening(http, p, 20_000, "nginx (log: " + log + ")");
        } catch (RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** The playlist of {@code stream} in application {@code live}. */
    URI playlist(String stream) {
        return URI.create("http://" + FreePort.LOOPBACK + ":" + httpPort + "/hls/" + stream + ".m3u8");
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
        ServerUnderTest.stop(process, 10);
    }
}
