package dev.vireo.bench.probe;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time per thread of one process ({@code /proc/PID/task/TID/stat}), grouped by thread name
 * with the numbers of pools folded ({@code ZWorker#3} counts as {@code ZWorker#}, a Netty loop
 * {@code vireo-io-3-1} stays itself): which event loop, GC or compiler thread was busy.
 */
public final class ThreadTicks {

    private ThreadTicks() {
    }

    /** Ticks (user + system) per thread group, of the threads alive now. */
    public static Map<String, Long> of(long pid) {
        Map<String, Long> ticks = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException e) {
                    continue; // the thread ended
                }
                ticks.merge(group(name(stat)), ProcFs.parseCpuTicks(stat), Long::sum);
            }
        } catch (IOException e) {
            // the process is gone: nothing
        }
        return ticks;
    }

    /** The thread name of a stat line: between the first '(' and the last ')'. */
    static String name(String stat) {
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        return open < 0 || close < open ? "?" : stat.substring(open + 1, close);
    }

    /** Event loops ({@code vireo-*}, {@code bench-*}) by name; other pools with their digits folded. */
    static String group(String name) {
        if (name.startsWith("vireo-") || name.startsWith("bench-") || name.startsWith("conns-")) {
            return name;
        }
        return name.replaceAll("[0-9]+", "#");
    }

    /**
     * CPU % of each group over {@code nanos} (100 = one core), busiest first, groups under
     * {@code minPercent} summed as "other".
     */
    public static Map<String, Double> percent(Map<String, Long> before, Map<String, Long> after, long nanos,
                                       double minPercent) {
        List<Map.Entry<String, Double>> rows = new ArrayList<>();
        double other = 0;
        for (Map.Entry<String, Long> e : after.entrySet()) {
            double p = ProcFs.ticksPercent(e.getValue() - before.getOrDefault(e.getKey(), 0L), nanos);
            if (p >= minPercent) {
                rows.add(Map.entry(e.getKey(), p));
            } else {
                other += p;
            }
        }
        rows.sort(Map.Entry.<String, Double>comparingByValue().reversed());
        Map<String, Double> out = new LinkedHashMap<>();
        rows.forEach(r -> out.put(r.getKey(), Math.round(r.getValue() * 10) / 10.0));
        out.put("other", Math.round(other * 10) / 10.0);
        return out;
    }
}
