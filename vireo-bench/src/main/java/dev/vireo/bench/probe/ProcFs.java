package dev.vireo.bench.probe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads CPU time and resident memory of a process (and its descendants, for nginx's master +
 * worker) from {@code /proc}. Parsing is separate from reading so it is testable on strings.
 */
public final class ProcFs {

    /** USER_HZ: the unit of utime/stime in /proc/PID/stat. 100 on every mainstream Linux. */
    public static final long CLOCK_TICKS_PER_SECOND = clockTicks();

    private ProcFs() {
    }

    /** CPU time (user + system, and user alone, in clock ticks) and VmRSS of one process or process tree. */
    public record Usage(long cpuTicks, long userTicks, long rssKb) {

        Usage(long cpuTicks, long rssKb) {
            this(cpuTicks, 0, rssKb);
        }

        Usage plus(Usage other) {
            return new Usage(cpuTicks + other.cpuTicks, userTicks + other.userTicks, rssKb + other.rssKb);
        }

        public long cpuMicros() {
            return cpuTicks * 1_000_000L / CLOCK_TICKS_PER_SECOND;
        }
    }

    /** Usage of {@code pid} plus all its live descendants (nginx workers are children of the master). */
    public static Usage treeUsage(long pid) {
        List<Long> pids = new ArrayList<>();
        pids.add(pid);
        ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
        Usage total = new Usage(0, 0);
        for (long p : pids) {
            Usage u = usage(p);
            if (u != null) {
                total = total.plus(u);
            }
        }
        return total;
    }

    /** Usage of one process, or null when it is gone. */
    public static Usage usage(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
            return new Usage(parseCpuTicks(stat), parseUserTicks(stat), parseVmRssKb(status));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * utime + stime from a /proc/PID/stat line (proc(5): fields 14 and 15). The command name
     * (field 2) is in parentheses and may itself contain spaces and parentheses, so fields are
     * counted from the last ')'.
     */
    static long parseCpuTicks(String stat) {
        String[] fields = statFields(stat);
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** utime alone: time in the process's own code, the rest (stime) is the kernel working for it. */
    static long parseUserTicks(String stat) {
        return Long.parseLong(statFields(stat)[11]);
    }

    /** Fields from 3 (state) on: utime (field 14) is [11], stime (field 15) is [12]. */
    private static String[] statFields(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/PID/stat line: " + stat);
        }
        return stat.substring(close + 1).trim().split("\\s+");
    }

    /** VmRSS in kB from /proc/PID/status; 0 when absent (a zombie or kernel thread). */
    static long parseVmRssKb(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                String[] parts = line.substring(6).trim().split("\\s+");
                return Long.parseLong(parts[0]);
            }
        }
        return 0;
    }

    /** Busy CPU time of the whole machine (all cores, clock ticks), from /proc/stat. */
    public static long systemBusyTicks() {
        try {
            return parseSystemBusyTicks(Files.readString(Path.of("/proc/stat")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Busy ticks from the aggregate {@code cpu} line of /proc/stat (proc(5)): user, nice, system,
     * irq, softirq and steal; idle and iowait are not busy, guest time is already in user.
     */
    static long parseSystemBusyTicks(String procStat) {
        for (String line : procStat.split("\n")) {
            if (line.startsWith("cpu ")) {
                String[] f = line.trim().split("\\s+");
                long busy = 0;
                int[] busyFields = {1, 2, 3, 6, 7, 8}; // user nice system (idle iowait) irq softirq steal
                for (int i : busyFields) {
                    if (i < f.length) {
                        busy += Long.parseLong(f[i]);
                    }
                }
                return busy;
            }
        }
        throw new IllegalArgumentException("no aggregate cpu line in /proc/stat");
    }

    /** CPU ticks of every process on the machine right now, by pid, with its command name. */
    public static Map<Long, NamedTicks> allProcesses() {
        Map<Long, NamedTicks> out = new HashMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path dir : dirs) {
                try {
                    String stat = Files.readString(dir.resolve("stat"));
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    out.put(Long.parseLong(dir.getFileName().toString()), new NamedTicks(comm, parseCpuTicks(stat)));
                } catch (IOException | RuntimeException gone) {
                    // the process exited between listing and reading
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    public record NamedTicks(String name, long ticks) {
    }

    /**
     * The processes that used the most CPU between two {@link #allProcesses()} snapshots, leaving
     * out {@code excluded} pids, as "name(pid) 42%".
     */
    public static List<String> topOthers(Map<Long, NamedTicks> before, Map<Long, NamedTicks> after, Set<Long> excluded,
                                  long nanos, int limit) {
        List<Map.Entry<Long, Long>> used = new ArrayList<>();
        after.forEach((pid, t) -> {
            if (!excluded.contains(pid)) {
                NamedTicks b = before.get(pid);
                long d = t.ticks() - (b == null ? 0 : b.ticks());
                if (d > 0) {
                    used.add(Map.entry(pid, d));
                }
            }
        });
        used.sort(Map.Entry.<Long, Long>comparingByValue().reversed());
        List<String> out = new ArrayList<>();
        for (int i = 0; i < Math.min(limit, used.size()); i++) {
            Map.Entry<Long, Long> e = used.get(i);
            out.add(String.format(Locale.ROOT, "%s(%d) %.0f%%", after.get(e.getKey()).name(), e.getKey(),
                    ticksPercent(e.getValue(), nanos)));
        }
        return out;
    }

    /** The pid and all live descendants. */
    public static Set<Long> tree(long pid) {
        Set<Long> pids = new HashSet<>();
        pids.add(pid);
        ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
        return pids;
    }

    /** The 1-minute load average from /proc/loadavg. */
    public static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** CPU % (100 = one core busy) from two samples taken {@code nanos} apart. */
    public static double cpuPercent(Usage before, Usage after, long nanos) {
        return ticksPercent(after.cpuTicks() - before.cpuTicks(), nanos);
    }

    /** CPU % of {@code ticks} spent over {@code nanos} of wall time. */
    public static double ticksPercent(long ticks, long nanos) {
        if (nanos <= 0) {
            return 0;
        }
        return 100.0 * (ticks / (double) CLOCK_TICKS_PER_SECOND) / (nanos / 1e9);
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor() == 0 && out.matches("\\d+")) {
                return Long.parseLong(out);
            }
        } catch (IOException e) {
            // fall through to the Linux default
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100;
    }
}
