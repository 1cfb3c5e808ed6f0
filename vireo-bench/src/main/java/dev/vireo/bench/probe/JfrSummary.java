package dev.vireo.bench.probe;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Top frames of a JFR recording's execution samples: where the server's CPU went in Java code
 * (time in syscalls such as socket writes shows as the Java frame that made them). Two views:
 * self (the leaf frame of each sample) and total (samples with a {@code dev.vireo} method
 * anywhere on the stack, per method).
 */
public final class JfrSummary {

    private JfrSummary() {
    }

    public static List<String> topFrames(Path jfr, int limit) throws IOException {
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> vireoTotal = new HashMap<>();
        Map<String, Long> allocated = new HashMap<>();
        long allocatedTotal = 0;
        int samples = 0;
        try (RecordingFile file = new RecordingFile(jfr)) {
            while (file.hasMoreEvents()) {
                RecordedEvent e = file.readEvent();
                if (e.getEventType().getName().equals("jdk.ObjectAllocationSample")) {
                    long weight = e.getLong("weight");
                    allocatedTotal += weight;
                    allocated.merge(allocationSite(e.getStackTrace()) + " <- " + e.getClass("objectClass").getName(),
                            weight, Long::sum);
                    continue;
                }
                // threads running Java code; jdk.NativeMethodSample would add threads parked in epoll_wait
                if (!e.getEventType().getName().equals("jdk.ExecutionSample")) {
                    continue;
                }
                RecordedStackTrace st = e.getStackTrace();
                if (st == null || st.getFrames().isEmpty()) {
                    continue;
                }
                samples++;
                self.merge(name(st.getFrames().getFirst()), 1, Integer::sum);
                Set<String> seen = new HashSet<>();
                for (RecordedFrame f : st.getFrames()) {
                    String n = name(f);
                    if (n.startsWith("dev.vireo.") && seen.add(n)) {
                        vireoTotal.merge(n, 1, Integer::sum);
                    }
                }
            }
        }
        List<String> out = new ArrayList<>();
        out.add(samples + " samples");
        int total = samples;
        top(self, limit).forEach(en -> out.add(String.format(Locale.ROOT, "self  %5.1f%% %s", 100.0 * en.getValue() / total, en.getKey())));
        top(vireoTotal, limit).forEach(en -> out.add(String.format(Locale.ROOT, "total %5.1f%% %s", 100.0 * en.getValue() / total, en.getKey())));
        long allocTotal = allocatedTotal;
        out.add(String.format(Locale.ROOT, "allocated %d MB (sampled estimate), top sites:", allocTotal >> 20));
        allocated.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(limit)
                .forEach(en -> out.add(String.format(Locale.ROOT, "alloc %5.1f%% %s", 100.0 * en.getValue() / allocTotal, en.getKey())));
        return out;
    }

    private static List<Map.Entry<String, Integer>> top(Map<String, Integer> counts, int limit) {
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(limit)
                .toList();
    }

    /** The first frame outside the JDK and Netty's buffer internals: who asked for the memory. */
    private static String allocationSite(RecordedStackTrace st) {
        if (st == null || st.getFrames().isEmpty()) {
            return "?";
        }
        for (RecordedFrame f : st.getFrames()) {
            String n = name(f);
            if (!n.startsWith("java.") && !n.startsWith("jdk.") && !n.startsWith("io.netty.buffer.")
                    && !n.startsWith("io.netty.util.")) {
                return n;
            }
        }
        return name(st.getFrames().getFirst());
    }

    private static String name(RecordedFrame f) {
        RecordedMethod m = f.getMethod();
        return m == null ? "?" : m.getType().getName() + "." + m.getName();
    }
}
