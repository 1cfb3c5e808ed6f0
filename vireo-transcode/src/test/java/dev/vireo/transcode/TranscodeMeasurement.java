package dev.vireo.transcode;

import dev.vireo.core.HubConfig;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import dev.vireo.media.Codec;
import dev.vireo.transcode.html5.Html5Variant;
import dev.vireo.transcode.templates.TemplateCatalog;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Measures what the browser variant costs, for docs/BENCHMARKS.md (not an assertion: timing goals
 * live in vireo-bench). Run with
 * {@code ./mvnw -o -pl vireo-transcode test -Dtest=TranscodeMeasurement -Dvireo.transcode.measure=true}
 * (optionally {@code -Dvireo.transcode.presets=superfast,veryfast -Dvireo.transcode.seconds=25
 * -Dvireo.transcode.jobs=2 -Dvireo.transcode.skipCopy=true}).
 *
 * <p>{@code -Dvireo.transcode.ab=N} measures only the browser variant of an H.264 (no B-frames) +
 * AAC stream, N times before/after back to back: the pipeline of before
 * ({@link TranscodeConfig#lowDelayHtml5()} off: video copied through ffmpeg, Opus VBR 64 kb/s) and
 * the low-delay one (video past ffmpeg, Opus CBR 72 kb/s), alternating, and prints a table of
 * p50/p99 per track and run.
 *
 * <p>Added latency here is end to end through the server: the time a viewer of the variant gets a
 * frame minus the time the publisher sent the source frame with the nearest presentation time,
 * over the run after a 3 s warm-up (start-up and GOP-cache replay excluded).
 */
@EnabledIfSystemProperty(named = "vireo.transcode.measure", matches = "true")
class TranscodeMeasurement {

    private static final long WARMUP_NANOS = TimeUnit.SECONDS.toNanos(3);

    @Test
    void measure() throws Exception {
        // the build's paranoid leak detection records a stack trace on every buffer access: right
        // for correctness tests, but it would make the server side look many times costlier
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "vireo-transcode-measure");
        Files.createDirectories(dir);
        int seconds = Integer.getInteger("vireo.transcode.seconds", 25);
        Path plain = TestMedia.h264Aac(dir, "plain720", 1280, 720, 30, 10, 0, 60);
        Path bframes = TestMedia.h264Aac(dir, "bframes720", 1280, 720, 30, 10, 3, 60);
        System.out.printf("%nhost: %d cores, load %s%n", Runtime.getRuntime().availableProcessors(),
                Files.readString(Path.of("/proc/loadavg")).trim());

        int pairs = Integer.getInteger("vireo.transcode.ab", 0);
        if (pairs > 0) {
            List<String> rows = new ArrayList<>();
            for (int i = 0; i < pairs; i++) {
                for (boolean lowDelay : new boolean[] {false, true}) {
                    String what = lowDelay ? "after: video past ffmpeg, Opus CBR 72k" : "before: video copied, Opus VBR 64k";
                    rows.add(what + " | " + run("AAC->Opus, " + what, plain, 1, "superfast", seconds, lowDelay));
                }
            }
            System.out.printf("%n== A/B, %d s each (end-to-end p50/p99 video | audio ; job meter p50/p99 video | audio)%n",
                    seconds);
            rows.forEach(row -> System.out.println("   " + row));
            return;
        }
        Path opus = TestMedia.h264Opus(dir, "opus720", 1280, 720, 30, 10);
        if (!Boolean.getBoolean("vireo.transcode.skipCopy")) {
            run("AAC->Opus only (video copied), 1 job", plain, 1, "superfast", seconds, true);
            run("Opus->AAC (video copied), 1 job", opus, 1, "superfast", seconds, true);
        }
        int jobs = Integer.getInteger("vireo.transcode.jobs", 2);
        for (String preset : System.getProperty("vireo.transcode.presets", "superfast").split(",")) {
            run("AAC->Opus + B-frame removal, " + jobs + " concurrent job(s), " + preset, bframes, jobs, preset, seconds,
                    true);
        }
    }

    /** @return one line: the end-to-end and job-meter latencies of the first job, and the load */
    private String run(String title, Path file, int jobs, String preset, int seconds, boolean lowDelay) throws Exception {
        EventExecutor timer = new DefaultEventExecutor();
        EventExecutor viewers = new DefaultEventExecutor();
        StreamHub hub = new StreamHub(HubConfig.defaults(), timer);
        Transcoder transcoder = new Transcoder(TranscodeConfig.defaults().withFfmpeg(Peers.ffmpeg()).withX264Preset(preset)
                .withLowDelayHtml5(lowDelay), hub, TemplateCatalog.builtIn());
        transcoder.start();
        List<FilePublisher> publishers = new ArrayList<>();
        List<Recorder> recorders = new ArrayList<>();
        try {
            for (int i = 0; i < jobs; i++) {
                StreamKey key = StreamKey.of("live", "s" + i);
                publishers.add(file.toString().endsWith(".ts") ? FilePublisher.ts(file, hub, key)
                        : FilePublisher.flv(file, hub, key));
                Await.until("source " + i, () -> hub.find(key).map(s -> s.hasVideo() && s.hasAudio()).orElse(false));
            }
            for (int i = 0; i < jobs; i++) {
                Stream s = hub.find(StreamKey.of("live", "s" + i)).orElseThrow();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300)); // let B-frame detection see a few frames
                Recorder r = new Recorder("r" + i, viewers);
                hub.subscribe(file.toString().endsWith(".ts") ? AacVariant.of(s.key()) : Html5Variant.of(s.key()), r);
                recorders.add(r);
            }
            Await.until(Duration.ofSeconds(20), "all jobs publishing",
                    () -> recorders.stream().allMatch(r -> r.count(Codec.OPUS) + r.count(Codec.AAC) > 0));
            long warmupEnd = System.nanoTime() + WARMUP_NANOS;
            LockSupport.parkNanos(WARMUP_NANOS);
            List<TranscodeJobStats> before = transcoder.jobs();
            long[] cpuBefore = before.stream().mapToLong(TranscodeMeasurement::cpuNanos).toArray();
            long jvmBefore = jvmCpuNanos();
            long t0 = System.nanoTime();
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(seconds));
            long wall = System.nanoTime() - t0;
            long jvm = jvmCpuNanos() - jvmBefore;
            List<TranscodeJobStats> after = transcoder.jobs();
            String load = Files.readString(Path.of("/proc/loadavg")).trim();
            System.out.printf("%n== %s, %d s measured, load %s%n", title, seconds, load);
            System.out.printf("   JVM CPU (publishers, hub, pipes, demuxing, viewers) %.0f%% of one core%n", jvm * 100.0 / wall);
            for (int i = 0; i < jobs; i++) {
                TranscodeJobStats st = after.get(i);
                double cpu = (cpuNanos(st) - cpuBefore[i]) * 100.0 / wall;
                Recorder r = recorders.get(i);
                FilePublisher p = publishers.get(i);
                System.out.printf("%s  %s%n", st.output(), st.command());
                System.out.printf("   ffmpeg CPU %.0f%% of one core, fps %.1f, speed %.2f, restarts %d, dropped %d%n",
                        cpu, st.fps(), st.speed(), st.restarts(), st.framesDropped());
                System.out.printf("   end-to-end added latency video %s | audio %s%n",
                        latency(r, p, true, warmupEnd), latency(r, p, false, warmupEnd));
                if (r.count(Codec.OPUS) > 0) {
                    System.out.printf("   %s%n", audioBySize(r, p, warmupEnd));
                }
                System.out.printf("   job meter (ffmpeg stdin -> publish): video p50 %.1f p99 %.1f ms | audio p50 %.1f p99 %.1f ms%n",
                        st.videoLatency().p50Millis(), st.videoLatency().p99Millis(),
                        st.audioLatency().p50Millis(), st.audioLatency().p99Millis());
            }
            TranscodeJobStats st = after.get(0);
            return String.format("%s | %s ; %.1f/%.1f | %.1f/%.1f ms | load %s",
                    latency(recorders.get(0), publishers.get(0), true, warmupEnd),
                    latency(recorders.get(0), publishers.get(0), false, warmupEnd),
                    st.videoLatency().p50Millis(), st.videoLatency().p99Millis(),
                    st.audioLatency().p50Millis(), st.audioLatency().p99Millis(), load.split(" ")[0]);
        } finally {
            transcoder.close();
            for (FilePublisher p : publishers) {
                p.close();
            }
            hub.close();
            timer.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            viewers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    private static long jvmCpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    private static long cpuNanos(TranscodeJobStats s) {
        return ProcessHandle.of(s.pid()).flatMap(p -> p.info().totalCpuDuration()).map(Duration::toNanos).orElse(0L);
    }

    /** p50/p99 of (viewer receive time - publisher send time of the nearest-pts source frame). */
    private static String latency(Recorder r, FilePublisher p, boolean video, long since) {
        return latency(r, p, video, since, g -> true);
    }

    /**
     * The audio's latency split by packet size: ffmpeg's MPEG-TS muxer holds an audio packet whose
     * PES payload (the Opus packet and its 3-byte control header) is 170 bytes or less until the
     * next one.
     */
    private static String audioBySize(Recorder r, FilePublisher p, long since) {
        return String.format("Opus packets <= 167 B: %s | > 167 B: %s",
                latency(r, p, false, since, g -> g.size() <= 167), latency(r, p, false, since, g -> g.size() > 167));
    }

    private static String latency(Recorder r, FilePublisher p, boolean video, long since,
                                  java.util.function.Predicate<Recorder.Got> which) {
        TreeMap<Long, Long> sent = new TreeMap<>();
        for (FilePublisher.Sent s : p.sent) {
            if (s.video() == video) {
                sent.putIfAbsent(s.pts(), s.nanos());
            }
        }
        List<Long> samples = new ArrayList<>();
        for (Recorder.Got g : r.got) {
            if (g.config() || g.isVideo() != video || g.nanos() < since || !which.test(g)) {
                continue;
            }
            var lo = sent.floorEntry(g.pts());
            var hi = sent.ceilingEntry(g.pts());
            var best = lo == null ? hi : hi == null ? lo : g.pts() - lo.getKey() <= hi.getKey() - g.pts() ? lo : hi;
            if (best != null && Math.abs(best.getKey() - g.pts()) <= 100) {
                samples.add(g.nanos() - best.getValue());
            }
        }
        if (samples.isEmpty()) {
            return "no samples";
        }
        long[] a = samples.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(a);
        return String.format("p50 %.1f ms, p99 %.1f ms (%d frames)", a[a.length / 2] / 1e6,
                a[Math.min(a.length - 1, (int) Math.ceil(a.length * 0.99) - 1)] / 1e6, a.length);
    }
}
