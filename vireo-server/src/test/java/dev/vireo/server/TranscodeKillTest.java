package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import dev.vireo.transcode.TranscodeJobStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, faults: the ffmpeg of a transcoding job killed with SIGKILL again and again under its
 * viewers. Two HTTP-FLV viewers watch {@code demo_lld} (the built-in template); after each kill the
 * job starts a new ffmpeg (after its backoff, doubling on each quick crash) and both viewers, on
 * the same connections, get frames from it; the killed processes are gone.
 */
@Timeout(180)
class TranscodeKillTest {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(TranscodeKillTest.class);
    private static final int KILLS = 3;

    @TempDir
    Path dir;

    private static TranscodeJobStats lld(VireoServer server) {
        return server.transcoder().jobs().stream().filter(j -> j.output().stream().equals("demo_lld")).findFirst()
                .orElseThrow(() -> new AssertionError("no demo_lld job in " + server.transcoder().jobs()));
    }

    @Test
    void aTranscodingFfmpegKilledRepeatedlyIsRestartedAndItsViewersKeepReceiving() throws Exception {
        try (VireoServer server = new VireoServer(TestConfigs.loopback(dir.resolve("data")))) {
            VireoServer.BoundPorts ports = server.start();
            try (Ffmpeg publisher = Ffmpeg.start(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error",
                    "-re", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-f", "lavfi", "-i", "sine",
                    "-c:v", "libx264", "-preset", "ultrafast", "-bf", "0", "-g", "30", "-c:a", "aac", "-t", "170",
                    "-f", "flv", "rtmp://127.0.0.1:" + ports.rtmp() + "/live/demo"), dir)) {
                Await.until(Duration.ofSeconds(30), "the source live with a GOP", () -> server.hub()
                        .find(StreamKey.of("live", "demo")).map(s -> s.stats().gopCacheFrames() > 0).orElse(false));
                String url = "http://127.0.0.1:" + ports.http() + "/live/demo_lld.flv";
                try (FlvViewer a = new FlvViewer(url); FlvViewer b = new FlvViewer(url)) {
                    Await.until(Duration.ofSeconds(40), () -> "transcoded frames at both viewers: " + a + ", " + b,
                            () -> a.videoFrames() > 30 && b.videoFrames() > 30);
                    List<Long> killed = new ArrayList<>();
                    List<Long> downMillis = new ArrayList<>();
                    for (int i = 1; i <= KILLS; i++) {
                        TranscodeJobStats job = lld(server);
                        long pid = job.pid();
                        assertThat(pid).isPositive();
                        long beforeA = a.videoFrames();
                        long beforeB = b.videoFrames();
                        long t0 = System.nanoTime();
                        assertThat(ProcessHandle.of(pid).orElseThrow().destroyForcibly()).isTrue();
                        killed.add(pid);
                        int n = i;
                        Await.until(Duration.ofSeconds(30), () -> "restart " + n + ": " + server.transcoder().jobs(), () -> {
                            TranscodeJobStats s = lld(server);
                            return s.restarts() == n && s.pid() > 0 && s.pid() != pid;
                        });
                        Await.until(Duration.ofSeconds(40), () -> "30 frames from ffmpeg " + n + " at both viewers: "
                                + a + ", " + b, () -> a.videoFrames() > beforeA + 30 && b.videoFrames() > beforeB + 30);
                        downMillis.add((System.nanoTime() - t0) / 1_000_000);
                        assertThat(a.ended()).as(a.toString()).isFalse();
                        assertThat(b.ended()).as(b.toString()).isFalse();
                    }
                    TranscodeJobStats job = lld(server);
                    assertThat(job.lastError()).startsWith("ffmpeg was killed by signal 9");
                    assertThat(job.state()).isEqualTo("RUNNING");
                    assertThat(job.viewers()).isEqualTo(2);
                    for (long pid : killed) {
                        Await.until(Duration.ofSeconds(5), "killed ffmpeg " + pid + " reaped",
                                () -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
                    }
                    // the publisher and one per running job (this one, the eager HTML5 variant): none left behind.
                    // The server's ffmpeg children must become exactly the processes its jobs name, each job
                    // running one (sampled at once, a job between two processes would count one short).
                    Await.until(Duration.ofSeconds(40), () -> "the server's ffmpeg children "
                                    + SoakCiTest.serverFfmpeg(Set.of(publisher.pid())) + ", its jobs "
                                    + server.transcoder().jobs(),
                            () -> server.transcoder().jobs().stream().allMatch(j -> j.pid() > 0)
                                    && SoakCiTest.serverFfmpeg(Set.of(publisher.pid()))
                                            .equals(SoakCiTest.jobFfmpeg(server)));
                    assertThat(SoakCiTest.serverFfmpeg(Set.of(publisher.pid()))).doesNotContainAnyElementsOf(killed);
                    assertThat(publisher.isAlive()).isTrue();
                    log.info("{} kills: kill to 30 new frames at both viewers (ms): {}; job {}", KILLS, downMillis, job);
                }
            }
        }
    }
}
