package dev.vireo.bench.probe;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Asks a running JVM about its heap through {@code jcmd}: {@code GC.class_histogram} forces a
 * full GC and then counts only live objects, so its total is "heap used after a forced GC"
 * whatever the collector (G1's and ZGC's {@code GC.heap_info} formats differ and ZGC's is in MB).
 * The per-class rows also tell what grows with viewers.
 */
public final class JvmProbe {

    private final long pid;
    private final Path jcmd;

    public JvmProbe(long pid) {
        this.pid = pid;
        this.jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    }

    /** Live heap after a full GC. */
    public record LiveHeap(long totalBytes, long instances, Map<String, Long> bytesByClass) {

        /** The classes that grew most from {@code before} to this one, largest first. */
        public List<ClassGrowth> growthSince(LiveHeap before, int limit) {
            List<ClassGrowth> out = new ArrayList<>();
            bytesByClass.forEach((cls, bytes) -> {
                long delta = bytes - before.bytesByClass.getOrDefault(cls, 0L);
                if (delta > 0) {
                    out.add(new ClassGrowth(cls, delta));
                }
            });
            out.sort(Comparator.comparingLong(ClassGrowth::bytes).reversed());
            return out.subList(0, Math.min(limit, out.size()));
        }
    }

    public record ClassGrowth(String className, long bytes) {
    }

    public LiveHeap liveHeap() throws IOException, InterruptedException {
        return parseClassHistogram(run("GC.class_histogram"));
    }

    public void startRecording(Path file, int maxSeconds) throws IOException, InterruptedException {
        run("JFR.start", "name=vireo-bench", "settings=profile", "duration=" + maxSeconds + "s", "filename=" + file);
    }

    public void stopRecording() throws IOException, InterruptedException {
        run("JFR.stop", "name=vireo-bench");
    }

    private String run(String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(jcmd.toString());
        cmd.add(Long.toString(pid));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("jcmd " + String.join(" ", command) + " timed out");
        }
        if (p.exitValue() != 0) {
            throw new IOException("jcmd " + String.join(" ", command) + " failed: " + out.strip());
        }
        return out;
    }

    /**
     * Parses {@code jcmd PID GC.class_histogram}: rows {@code "  1:  12345  678901  [B (java.base@25)"}
     * and a final {@code "Total  123456  7890123"}.
     */
    static LiveHeap parseClassHistogram(String text) {
        Map<String, Long> byClass = new HashMap<>();
        long total = -1;
        long instances = 0;
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            String[] f = line.split("\\s+");
            if (f.length >= 3 && f[0].equals("Total")) {
                instances = Long.parseLong(f[1]);
                total = Long.parseLong(f[2]);
            } else if (f.length >= 4 && f[0].endsWith(":") && f[1].matches("\\d+") && f[2].matches("\\d+")) {
                byClass.merge(f[3], Long.parseLong(f[2]), Long::sum);
            }
        }
        if (total < 0) {
            throw new IllegalArgumentException("no Total line in class histogram: "
                    + text.substring(0, Math.min(200, text.length())));
        }
        return new LiveHeap(total, instances, byClass);
    }
}
