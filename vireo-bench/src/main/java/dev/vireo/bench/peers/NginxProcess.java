package dev.vireo.bench.peers;

import dev.vireo.bench.FreePort;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * nginx with the RTMP module as the reference server: a generated config under a temp dir, one
 * worker, {@code live on}, no recording, listening on free loopback ports. With {@code hls}, the
 * module's HLS output as the reference HLS server: MPEG-TS fragments (2 s, cut at keyframes) and a
 * playlist of 10 s written to a directory (tmpfs when the temp dir is one) that nginx's HTTP
 * server serves, as the module's README sets it up.
 */
public final class NginxProcess extends LaunchedServer {

    private final int httpPort;

    private NginxProcess(Process process, int rtmpPort, int httpPort, Path log) {
        super("nginx-rtmp", process, rtmpPort, log, 10);
        this.httpPort = httpPort;
    }

    /** RTMP only. */
    public static NginxProcess start(Path nginx, Path module, Path workDir) throws IOException, InterruptedException {
        return start(nginx, module, workDir, false);
    }

    public static NginxProcess start(Path nginx, Path module, Path workDir, boolean hls)
            throws IOException, InterruptedException {
        int rtmp = FreePort.pick();
        int http = hls ? FreePort.pick() : 0;
        Files.createDirectories(workDir.resolve("logs"));
        if (hls) {
            Files.createDirectories(workDir.resolve("hls"));
            // nginx's workers run as nobody when the bench runs as root: they must reach the HLS directory
            Files.setPosixFilePermissions(workDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Path log = workDir.resolve("logs/error.log");
        Path conf = workDir.resolve("nginx.conf");
        Files.writeString(conf, config(module, rtmp, http, workDir));
        Process p = new ProcessBuilder(nginx.toString(), "-p", workDir + "/", "-c", conf.toString(), "-e", log.toString())
                .redirectErrorStream(true)
                .redirectOutput(workDir.resolve("logs/stdout.log").toFile())
                .start();
        NginxProcess server = new NginxProcess(p, rtmp, http, log);
        try {
            FreePort.awaitListening(rtmp, p, 20_000, "nginx (log: " + log + ")");
            if (hls) {
                FreePort.awaitListening(http, p, 20_000, "nginx (log: " + log + ")");
            }
        } catch (RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /**
     * The generated config: as close to a stock "live" application as nginx-rtmp gets; with an
     * HTTP port, HLS on and that port serving the fragments.
     */
    static String config(Path module, int rtmpPort, int httpPort, Path workDir) {
        String hlsApp = httpPort == 0 ? "" : """
                            hls on;
                            hls_path %s;
                            hls_fragment 2s;
                            hls_playlist_length 10s;
                """.formatted(workDir.resolve("hls"));
        String http = httpPort == 0 ? "" : """
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
                """.formatted(FreePort.LOOPBACK, httpPort, workDir.resolve("hls"));
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
                %s        }
                    }
                }
                %s""".formatted(module, workDir.resolve("nginx.pid"), workDir.resolve("logs/error.log"),
                FreePort.LOOPBACK, rtmpPort, hlsApp, http);
    }

    /** The playlist of {@code stream} in application {@code live} (with HLS on). */
    public URI playlist(String stream) {
        return URI.create("http://" + FreePort.LOOPBACK + ":" + httpPort + "/hls/" + stream + ".m3u8");
    }
}
