package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import dev.vireo.transcode.TranscodeJobStats;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Issue 17, the soak (CI version, {@code vireo.soak.seconds}, default 90 s of churn, about 2.3 min in all): several
 * ffmpeg RTMP publishers, ffmpeg viewers over HTTP-FLV, RTMP and HLS joining and
 * leaving every few seconds, one publisher restarting every ~20 s, Netty's leak detector at
 * paranoid level (the surefire argLine, set again here). At the end, with the same publishers and
 * viewer population as at the start: heap after GC, threads, open file descriptors and ffmpeg child
 * processes are back within a bound of their start values, no subscriber is left behind, and no
 * {@code LEAK} line was logged. Start/end/max go to the log (and docs/RELIABILITY.md).
 */
@Tag("soak")
@Timeout(300)
class SoakCiTest {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SoakCiTest.class);
    private static final int PUBLISHERS = 3;
    private static final int VIEWERS_PER_KIND = 2;

    @TempDir
    Path dir;

    /**
     * One sample of the JVM's resources; {@code ffmpeg} counts the server's own ffmpeg children (the
     * transcoding jobs'), not the test's publishers and viewers.
     */
    record Sample(long heapMb, int threads, long fds, long ffmpeg) {
        static Sample now(boolean gc, Set<Long> testPids) {
            if (gc) {
                System.gc();
            }
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
            long fds;
            try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
                fds = s.count();
            } catch (IOException e) {
                fds = -1;
            }
            long ffmpeg = serverFfmpeg(testPids).size();
            return new Sample(heap, ManagementFactory.getThreadMXBean().getThreadCount(), fds, ffmpeg);
        }

        Sample max(Sample o) {
            return new Sample(Math.max(heapMb, o.heapMb), Math.max(threads, o.threads), Math.max(fds, o.fds),
                    Math.max(ffmpeg, o.ffmpeg));
        }
    }

    /** The process ids of the live ffmpeg processes below this JVM that the test did not start. */
    static Set<Long> serverFfmpeg(Set<Long> testPids) {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().orElse("").contains("ffmpeg"))
                .map(ProcessHandle::pid).filter(pid -> !testPids.contains(pid)).collect(Collectors.toSet());
    }

    /** The ffmpeg processes the server's transcoding jobs say they run. */
    static Set<Long> jobFfmpeg(VireoServer server) {
        return server.transcoder().jobs().stream().map(TranscodeJobStats::pid).filter(pid -> pid > 0)
                .collect(Collectors.toSet());
    }

    /**
     * Waits until the server's ffmpeg children are exactly its jobs' processes, every job running
     * one (a job between processes, or a child no job owns, fails the wait), and returns the jobs.
     */
    private static List<TranscodeJobStats> settledJobs(VireoServer server, Set<Long> testPids, String when) {
        Await.until(Duration.ofSeconds(40), () -> when + ": the server's ffmpeg children " + serverFfmpeg(testPids)
                        + ", its jobs " + server.transcoder().jobs(),
                () -> server.transcoder().jobs().stream().allMatch(j -> j.pid() > 0)
                        && serverFfmpeg(testPids).equals(jobFfmpeg(server)));
        return server.transcoder().jobs();
    }

    private Set<Long> testPids(List<Ffmpeg> publishers, List<Viewer> viewers) {
        Set<Long> pids = new HashSet<>();
        publishers.forEach(p -> pids.add(p.pid()));
        viewers.forEach(v -> pids.add(v.ffmpeg().pid()));
        return pids;
    }

    /** A viewer of one kind (HTTP-FLV, RTMP, HLS) on one stream: an ffmpeg process. */
    private record Viewer(Ffmpeg ffmpeg) {
        void close() {
            ffmpeg.close();
        }
    }

    private Ffmpeg publish(int rtmpPort, int i) throws IOException {
        return Ffmpeg.start(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
                "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=15", "-f", "lavfi", "-i", "sine",
                "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-bf", "0", "-g", "15",
                "-c:a", "aac", "-b:a", "32k", "-t", "600", "-f", "flv", "rtmp://127.0.0.1:" + rtmpPort + "/live/soak" + i), dir);
    }

    private Viewer viewer(int kind, int stream, VireoServer.BoundPorts ports) throws IOException {
        String name = "soak" + stream;
        return switch (kind) {
            case 0 -> new Viewer(Ffmpeg.start(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error",
                    "-rw_timeout", "15000000", "-i", "http://127.0.0.1:" + ports.http() + "/live/" + name + ".flv",
                    "-c", "copy", "-f", "null", "-"), dir));
            case 1 -> new Viewer(Ffmpeg.start(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error",
                    "-rw_timeout", "15000000", "-i", "rtmp://127.0.0.1:" + ports.rtmp() + "/live/" + name,
                    "-c", "copy", "-f", "null", "-"), dir));
            default -> new Viewer(Ffmpeg.start(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error",
                    "-rw_timeout", "15000000", "-i", "http://127.0.0.1:" + ports.http() + "/live/" + name + ".m3u8",
                    "-c", "copy", "-f", "null", "-"), dir));
        };
    }

    @Test
    void twoMinutesOfChurnLeaveResourcesFlatAndNoLeak() throws Exception {
        Peers.ffmpeg();
        ResourceLeakDetector.Level previous = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ListAppender<ILoggingEvent> leaks = new ListAppender<>();
        leaks.start();
        Logger leakLog = (Logger) LoggerFactory.getLogger("io.netty.util.ResourceLeakDetector");
        leakLog.addAppender(leaks);
        long churnSeconds = Long.getLong("vireo.soak.seconds", 90);
        Random random = new Random(17);
        List<Ffmpeg> publishers = new ArrayList<>();
        List<Viewer> viewers = new ArrayList<>();
        long t0 = System.nanoTime();
        try (VireoServer server = new VireoServer(TestConfigs.loopback(dir.resolve("data"), "warn"))) {
            VireoServer.BoundPorts ports = server.start();
            for (int i = 0; i < PUBLISHERS; i++) {
                publishers.add(publish(ports.rtmp(), i));
            }
            for (int i = 0; i < PUBLISHERS; i++) {
                StreamKey key = StreamKey.of("live", "soak" + i);
                Await.until(Duration.ofSeconds(40), key + " live", () -> server.hub().find(key)
                        .map(s -> s.stats().gopCacheFrames() > 0).orElse(false));
            }
            for (int k = 0; k < 3; k++) {
                for (int v = 0; v < VIEWERS_PER_KIND; v++) {
                    viewers.add(viewer(k, v % PUBLISHERS, ports));
                }
            }
            int population = 2 * VIEWERS_PER_KIND; // the hub counts FLV and RTMP viewers; HLS is served from segments
            Await.until(Duration.ofSeconds(30), "every viewer attached", () -> viewerCount(server) >= population);
            // each stream's transcoding jobs (the eager browser variant) have their ffmpeg running
            List<TranscodeJobStats> startJobs = settledJobs(server, testPids(publishers, viewers), "at the start");
            Sample start = Sample.now(true, testPids(publishers, viewers));
            Sample max = start;
            long churnEnd = System.nanoTime() + Duration.ofSeconds(churnSeconds).toNanos();
            long nextRestart = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            int joins = 0;
            int restarts = 0;
            while (System.nanoTime() < churnEnd) {
                // one viewer leaves, another (any kind, any stream) joins: every 1.5 s
                int leaving = random.nextInt(viewers.size());
                viewers.remove(leaving).close();
                viewers.add(viewer(random.nextInt(3), random.nextInt(PUBLISHERS), ports));
                joins++;
                if (System.nanoTime() >= nextRestart) {
                    int p = restarts % PUBLISHERS;
                    publishers.get(p).close();
                    publishers.set(p, publish(ports.rtmp(), p));
                    restarts++;
                    nextRestart += Duration.ofSeconds(20).toNanos();
                }
                max = max.max(Sample.now(false, testPids(publishers, viewers)));
                Thread.sleep(1500); // the churn's pace (not a synchronisation)
            }
            // every publisher live again, the population back to the start's, attached
            for (int i = 0; i < PUBLISHERS; i++) {
                StreamKey key = StreamKey.of("live", "soak" + i);
                Await.until(Duration.ofSeconds(40), key + " live at the end", () -> server.hub().find(key)
                        .map(s -> s.isLive() && s.stats().gopCacheFrames() > 0).orElse(false));
            }
            // the same mix as at the start: FLV viewers replace whatever the churn left
            for (Viewer v : viewers) {
                v.close();
            }
            viewers.clear();
            // a stream's HLS segmenter counts as a viewer until no HLS request came for hls idle-timeout (30 s)
            Await.until(Duration.ofSeconds(60), () -> "every churned viewer detached: " + server.hub().streams().stream()
                            .filter(st -> st.viewerCount() > 0).map(st -> st.key() + "=" + st.viewerCount()).toList(),
                    () -> viewerCount(server) == 0);
            for (int k = 0; k < 3; k++) {
                for (int v = 0; v < VIEWERS_PER_KIND; v++) {
                    viewers.add(viewer(k, v % PUBLISHERS, ports));
                }
            }
            Await.until(Duration.ofSeconds(30), () -> "the final viewers attached: " + viewerCount(server),
                    () -> viewerCount(server) >= population);
            try (FlvViewer probe = new FlvViewer("http://127.0.0.1:" + ports.http() + "/live/soak0.flv")) {
                Await.until(Duration.ofSeconds(30), () -> "frames at a new FLV viewer: " + probe + "; the server's viewers "
                                + server.hub().streams().stream().map(st -> st.key() + "=" + st.viewerCount()).toList()
                                + "\n" + threadDump(), () -> probe.videoFrames() >= 15);
            }
            // leaked buffers are reported when collected and a new buffer is tracked
            for (int i = 0; i < 3; i++) {
                System.gc();
                ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(64);
                b.release();
            }
            assertThat(viewers).as("the final viewers (ffmpeg, -rw_timeout 15 s) still reading")
                    .allSatisfy(v -> assertThat(v.ffmpeg().isAlive()).isTrue());
            List<TranscodeJobStats> endJobs = settledJobs(server, testPids(publishers, viewers), "at the end");
            Sample end = Sample.now(true, testPids(publishers, viewers));
            max = max.max(end);
            long wall = (System.nanoTime() - t0) / 1_000_000_000;
            log.info("SOAK {} s of churn ({} s in all): {} publishers, {} viewers at a time, {} joins/leaves, {} publisher"
                    + " restarts; start {}; end {}; max {}", churnSeconds, wall, PUBLISHERS, population, joins, restarts,
                    start, end, max);
            System.out.println("SOAK start " + start + " end " + end + " max " + max + " joins " + joins
                    + " restarts " + restarts + " wall " + wall + " s");
            assertThat(restarts).isGreaterThanOrEqualTo((int) (churnSeconds / 20) - 1);
            assertThat(end.heapMb()).as("heap after GC (MB), start %s", start).isLessThanOrEqualTo(start.heapMb() + 64);
            assertThat(end.threads()).as("threads, start %s", start).isLessThanOrEqualTo(start.threads() + 16);
            assertThat(end.fds()).as("open file descriptors, start %s", start).isLessThanOrEqualTo(start.fds() + 32);
            assertThat(endJobs.stream().map(j -> j.output().toString()).sorted().toList())
                    .as("transcoding jobs, start %s", startJobs).isEqualTo(startJobs.stream()
                            .map(j -> j.output().toString()).sorted().toList());
            assertThat(end.ffmpeg()).as("the server's ffmpeg children, start %s", start).isEqualTo(start.ffmpeg());
            assertThat(leaks.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains("LEAK")).toList())
                    .as("Netty leak reports").isEmpty();
        } finally {
            for (Viewer v : viewers) {
                v.close();
            }
            for (Ffmpeg p : publishers) {
                p.close();
            }
            leakLog.detachAppender(leaks);
            ResourceLeakDetector.setLevel(previous);
        }
    }

    /** The stacks of the server's and the HTTP client's threads, for a wait that timed out. */
    private static String threadDump() {
        StringBuilder b = new StringBuilder();
        for (java.lang.management.ThreadInfo t : ManagementFactory.getThreadMXBean().dumpAllThreads(false, false)) {
            String name = t.getThreadName();
            if (name.startsWith("vireo") || name.startsWith("HttpClient") || name.startsWith("flv")) {
                b.append(t.getThreadName()).append(' ').append(t.getThreadState()).append('\n');
                for (StackTraceElement e : t.getStackTrace()) {
                    b.append("    at ").append(e).append('\n');
                }
            }
        }
        return b.toString();
    }

    private static int viewerCount(VireoServer server) {
        return server.hub().streams().stream().mapToInt(dev.vireo.core.Stream::viewerCount).sum();
    }
}
