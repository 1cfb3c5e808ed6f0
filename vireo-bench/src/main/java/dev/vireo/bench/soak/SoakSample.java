package dev.vireo.bench.soak;

import dev.vireo.bench.probe.JvmProbe;
import dev.vireo.bench.probe.ProcFs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * One sample of the soaked server's resources, taken from outside: the JVM's heap and Netty's
 * memory from its {@code /metrics}, RSS and threads from {@code /proc/PID/status}, open fds
 * from {@code /proc/PID/fd}, ffmpeg children from its process tree. Values are -1 when the
 * source did not answer. {@code liveHeapBytes}: the heap after a full GC, forced by the caller
 * ({@link JvmProbe}) on a few samples, else the live data the last major collection left
 * ({@code jvm_gc_live_data_size_bytes}).
 */
record SoakSample(double seconds, long heapUsedBytes, long liveHeapBytes, long nettyDirectBytes,
                  long nettyPooledDirectBytes, long nettyPooledHeapBytes, long rssKb, int threads, int fds,
                  int ffmpegChildren, int serverViewers, int serverStreams, int benchViewers, double loadAverage) {

    static SoakSample take(long pid, URI metrics, HttpClient http, long liveHeapBytes, double seconds, int benchViewers) {
        String text = "";
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                text = r.body();
            }
        } catch (IOException e) {
            // -1 below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (liveHeapBytes < 0) {
            // the old generation's size after the last major collection (Micrometer's JvmGcMetrics)
            liveHeapBytes = (long) sum(text, "jvm_gc_live_data_size_bytes", l -> true);
        }
        String status = read(Path.of("/proc", Long.toString(pid), "status"));
        return new SoakSample(seconds,
                (long) sum(text, "jvm_memory_used_bytes", l -> l.contains("area=\"heap\"")),
                liveHeapBytes,
                (long) sum(text, "vireo_netty_direct_memory_bytes", l -> true),
                (long) sum(text, "vireo_netty_allocator_memory_bytes", l -> l.contains("type=\"direct\"")),
                (long) sum(text, "vireo_netty_allocator_memory_bytes", l -> l.contains("type=\"heap\"")),
                statusField(status, "VmRSS:"), (int) statusField(status, "Threads:"), fds(pid),
                ffmpegChildren(pid),
                (int) sum(text, "vireo_viewers", l -> true), (int) sum(text, "vireo_streams", l -> true),
                benchViewers, ProcFs.loadAverage());
    }

    /**
     * The sum of a metric's samples in Prometheus text format whose line passes {@code filter}
     * (labels); -1 when the metric is absent.
     */
    static double sum(String prometheusText, String name, Predicate<String> filter) {
        double total = 0;
        boolean found = false;
        for (String line : prometheusText.split("\n")) {
            if (line.startsWith(name) && line.length() > name.length()
                    && (line.charAt(name.length()) == '{' || line.charAt(name.length()) == ' ') && filter.test(line)) {
                String value = line.substring(line.lastIndexOf(' ') + 1);
                try {
                    total += Double.parseDouble(value);
                    found = true;
                } catch (NumberFormatException e) {
                    // not a sample line
                }
            }
        }
        return found ? total : -1;
    }

    /** A numeric field of /proc/PID/status ("VmRSS:  1234 kB" gives 1234); -1 when absent. */
    static long statusField(String status, String field) {
        for (String line : status.split("\n")) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
            }
        }
        return -1;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    private static int fds(long pid) {
        try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return (int) s.count();
        } catch (IOException e) {
            return -1;
        }
    }

    private static int ffmpegChildren(long pid) {
        return ProcessHandle.of(pid).map(h -> (int) h.descendants()
                .filter(d -> d.info().command().map(c -> c.endsWith("ffmpeg")).orElse(false)).count()).orElse(-1);
    }
}
