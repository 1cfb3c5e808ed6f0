package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, faults: the store unavailable. The control plane runs on a throwaway PostgreSQL server
 * of this test's own (initdb + pg_ctl from the Debian package, on a free loopback port), which is
 * stopped under the running server: the HTTP-FLV viewer of an ffmpeg publisher keeps getting
 * frames, a new ffmpeg publisher on the known ingest domain is admitted and played (the
 * configuration the server cached), while the admin API answers 503 {@code StoreUnavailable}.
 */
@Timeout(180)
class PostgresOutageTest {

    private static final String PUSH = "push.pg.test";
    private static final String PLAY = "play.pg.test";

    @TempDir
    Path dir;

    private Path pgDir;
    private List<String> runAs = List.of();
    private Path pgBin;
    private boolean pgRunning;

    private static int run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        int code = p.waitFor();
        if (code != 0) {
            System.err.println(String.join(" ", command) + " -> " + code + "\n" + out);
        }
        return code;
    }

    private List<String> pg(String tool, String... args) {
        List<String> c = new ArrayList<>(runAs);
        c.add(pgBin.resolve(tool).toString());
        c.addAll(List.of(args));
        return c;
    }

    /** Starts PostgreSQL on a free port; its JDBC URL. */
    private String startPostgres() throws Exception {
        Path versions = Path.of("/usr/lib/postgresql");
        Path bin = null;
        if (Files.isDirectory(versions)) {
            try (Stream<Path> s = Files.list(versions)) {
                bin = s.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("pg_ctl")))
                        .max(Comparator.comparing(b -> Integer.parseInt(b.getParent().getFileName().toString()
                                .replaceAll("\\D", "0")))).orElse(null);
            }
        }
        if (Boolean.getBoolean("vireo.requirePeers")) {
            assertThat(bin).as("PostgreSQL server binaries under /usr/lib/postgresql (Debian package postgresql)").isNotNull();
        }
        assumeTrue(bin != null, "no PostgreSQL server installed");
        pgBin = bin;
        // PostgreSQL refuses to run as root: as the postgres user the package created.
        if ("root".equals(System.getProperty("user.name"))) {
            runAs = List.of("runuser", "-u", "postgres", "--");
        }
        pgDir = Files.createTempDirectory(Path.of("/tmp"), "vireo-pg-outage");
        Files.setPosixFilePermissions(pgDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        if (!runAs.isEmpty()) {
            assertThat(run(List.of("chown", "postgres", pgDir.toString()))).isZero();
        }
        assertThat(run(pg("initdb", "-D", pgDir.resolve("data").toString(), "-U", "vireo", "--auth=trust", "-E", "UTF8")))
                .as("initdb").isZero();
        // PostgreSQL takes a port number, not port 0: a free one picked here may be taken by another
        // process before it binds it, so a start that failed is tried again on another port.
        int port = 0;
        int started = -1;
        for (int attempt = 0; attempt < 3 && started != 0; attempt++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            started = run(pg("pg_ctl", "-D", pgDir.resolve("data").toString(), "-l",
                    pgDir.resolve("server.log").toString(), "-w", "-t", "60", "-o",
                    "-c listen_addresses=127.0.0.1 -p " + port + " -k " + pgDir + " -c fsync=off", "start"));
        }
        assertThat(started).as("pg_ctl start").isZero();
        pgRunning = true;
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=vireo";
    }

    private void stopPostgres() throws Exception {
        if (pgRunning) {
            assertThat(run(pg("pg_ctl", "-D", pgDir.resolve("data").toString(), "-m", "immediate", "-w", "stop")))
                    .as("pg_ctl stop").isZero();
            pgRunning = false;
        }
    }

    @AfterEach
    void removePostgres() throws Exception {
        try {
            stopPostgres();
        } finally {
            if (pgDir != null) {
                run(List.of("rm", "-rf", pgDir.toString()));
            }
        }
    }

    private static Ffmpeg publish(int rtmpPort, String stream, Path dir) throws IOException {
        return Ffmpeg.start(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
                "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-f", "lavfi", "-i", "sine",
                "-c:v", "libx264", "-preset", "ultrafast", "-bf", "0", "-g", "30", "-c:a", "aac", "-t", "150",
                "-f", "flv", "rtmp://127.0.0.1:" + rtmpPort + "/live/" + stream + "?vhost=" + PUSH), dir);
    }

    @Test
    void withPostgresStoppedMediaFlowsOnCachedConfigurationAndTheApiAnswers503() throws Exception {
        Peers.ffmpeg();
        String url = startPostgres();
        Config config = TestConfigs.loopback(dir.resolve("data"));
        try (VireoServer server = new VireoServer(config, c -> c.withJdbc(url, "", ""))) {
            VireoServer.BoundPorts ports = server.start();
            FaultDomains.unsignedPair(server, ports.http(), PUSH, PLAY);
            String play = "http://127.0.0.1:" + ports.http() + "/live/%s.flv?vhost=" + PLAY;
            try (Ffmpeg first = publish(ports.rtmp(), "first", dir)) {
                Await.until(Duration.ofSeconds(30), "the first publisher live", () -> server.hub()
                        .find(new StreamKey(PUSH, "live", "first")).map(s -> s.stats().gopCacheFrames() > 0).orElse(false));
                try (FlvViewer viewer = new FlvViewer(play.formatted("first"))) {
                    Await.until(Duration.ofSeconds(15), () -> "frames before the outage: " + viewer,
                            () -> viewer.videoFrames() >= 30);

                    stopPostgres();

                    // the admin API: 503 StoreUnavailable, reads and writes
                    HttpResponse<String> add = FaultDomains.api(server, ports.http(), "POST", "/api/v1/domains",
                            "{\"domain\":\"new.pg.test\",\"type\":\"ingest\"}");
                    assertThat(add.statusCode()).as(add.body()).isEqualTo(503);
                    assertThat(new ObjectMapper().readTree(add.body()).toString()).contains("StoreUnavailable");
                    HttpResponse<String> list = FaultDomains.api(server, ports.http(), "GET", "/api/v1/domains", null);
                    assertThat(list.statusCode()).as(list.body()).isEqualTo(503);

                    // media goes on: the viewer keeps receiving
                    long frames = viewer.videoFrames();
                    Await.until(Duration.ofSeconds(20), () -> "frames during the outage: " + viewer,
                            () -> viewer.videoFrames() >= frames + 90);
                    assertThat(viewer.ended()).as(viewer.toString()).isFalse();

                    // a new publisher on the known domain is admitted and played
                    try (Ffmpeg second = publish(ports.rtmp(), "second", dir)) {
                        Await.until(Duration.ofSeconds(40), "the second publisher live during the outage", () -> server.hub()
                                .find(new StreamKey(PUSH, "live", "second")).map(s -> s.stats().gopCacheFrames() > 0)
                                .orElse(false));
                        try (FlvViewer late = new FlvViewer(play.formatted("second"))) {
                            Await.until(Duration.ofSeconds(20), () -> "the second stream played: " + late,
                                    () -> late.videoFrames() >= 30);
                            assertThat(late.status()).isEqualTo(200);
                        }
                        assertThat(second.isAlive()).isTrue();
                    }
                    assertThat(first.isAlive()).isTrue();
                    assertThat(viewer.ended()).as(viewer.toString()).isFalse();
                }
            }
        }
    }
}
