package dev.vireo.bench.fanout;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.vireo.bench.probe.ProcFs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The result of a whole run: the environment, the settings and one ramp per server, bitrate and
 * protocol. Prints as a table with Vireo/nginx-rtmp and Vireo/Janus ratios, and is written as JSON.
 */
record FanoutReport(String startedAt, Map<String, Object> environment, Map<String, Object> settings,
                    List<RampResult> ramps, List<String> errors) {

    private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT);

    static Map<String, Object> currentEnvironment() {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("cpus", Runtime.getRuntime().availableProcessors());
        env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        env.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        env.put("clockTicksPerSecond", ProcFs.CLOCK_TICKS_PER_SECOND);
        return env;
    }

    static Map<String, Object> settingsOf(BenchOptions o) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("servers", o.servers());
        s.put("bitratesKbps", o.bitratesKbps());
        s.put("steps", o.effectiveSteps());
        s.put("stepSeconds", o.stepSeconds());
        s.put("settleSeconds", o.settleSeconds());
        s.put("graceMillis", o.graceMillis());
        s.put("sourceSeconds", o.sourceSeconds());
        s.put("protocols", o.protocols());
        s.put("audio", o.audio());
        s.put("whepSampleEvery", o.sampleEvery());
        s.put("whepViewerGro", o.viewerGro());
        s.put("stampEvery", o.stampEvery());
        s.put("clientThreads", o.clientThreads());
        s.put("minFrameRatio", o.minFrameRatio());
        s.put("maxP99Millis", o.maxP99Millis());
        s.put("quietCpuPercent", o.quietCpuPercent());
        s.put("quietWaitSeconds", o.quietWaitSeconds());
        s.put("retries", o.retries());
        s.put("vireoJvmOptions", o.vireoJvmOptions());
        s.put("vireoArgs", o.vireoArgs());
        return s;
    }

    /** Writes {@code rtmp-fanout-<date>.json} ({@code whep-fanout-} when WHEP was measured) under {@code dir}; returns the file. */
    Path write(Path dir, ZonedDateTime started) throws IOException {
        Files.createDirectories(dir);
        String kind = ramps.stream().anyMatch(r -> r.protocol().equals("whep")) ? "whep-fanout-" : "rtmp-fanout-";
        Path file = dir.resolve(kind + started.withZoneSameInstant(ZoneOffset.UTC).format(FILE_TIME) + ".json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), this);
        return file;
    }

    /** The summary table and the ratios, as printed to stdout and pasted into docs/BENCHMARKS.md. */
    String table() {
        StringBuilder sb = new StringBuilder();
        sb.append("| server | viewers | bitrate | viewers held | server CPU @held | CPU µs/viewer·s (fit) | viewers/core (CPU-projected) | heap B/viewer | RSS B/viewer | p50 ms @held | p99 ms @held | p99 ms @lightest | server-added p50/p99 ms @held | first frame p50/p99 ms @held (all joined at once) | first frame p50/max ms @held (one by one) | RTP loss @held | bench CPU @held | other CPU @held | ended because |\n");
        sb.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (RampResult r : ramps) {
            StepResult h = r.heldStep();
            StepResult light = r.lightestStep();
            sb.append(String.format(Locale.ROOT, "| %s | %s | %d kbps | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
                    r.server(), r.protocol(), r.bitrateKbps(), r.viewersHeld(),
                    h == null ? "–" : String.format(Locale.ROOT, "%.0f%%", h.serverCpuPercent()),
                    r.cpuFit().points() < 2 ? "–" : String.format(Locale.ROOT, "%.0f", r.cpuFit().microsPerViewerSecond()),
                    r.cpuFit().points() < 2 ? "–" : String.format(Locale.ROOT, "%.0f", r.cpuFit().viewersPerCore()),
                    r.heapBytesPerViewer() == null ? "–" : Long.toString(r.heapBytesPerViewer()),
                    r.rssBytesPerViewer() == null ? "–" : Long.toString(r.rssBytesPerViewer()),
                    h == null ? "–" : String.format(Locale.ROOT, "%.1f", h.latency().p50Ms()),
                    h == null ? "–" : String.format(Locale.ROOT, "%.1f", h.latency().p99Ms()),
                    light == null ? "–" : String.format(Locale.ROOT, "%.1f (%d)", light.latency().p99Ms(), light.viewers()),
                    h == null || h.serverDelay() == null ? "–"
                            : String.format(Locale.ROOT, "%.2f / %.2f", h.serverDelay().p50Ms(), h.serverDelay().p99Ms()),
                    h == null || h.firstFrame() == null || h.firstFrame().count() == 0 ? "–"
                            : String.format(Locale.ROOT, "%.0f / %.0f", h.firstFrame().p50Ms(), h.firstFrame().p99Ms()),
                    h == null || h.joinFirstFrame() == null || h.joinFirstFrame().count() == 0 ? "–"
                            : String.format(Locale.ROOT, "%.0f / %.0f", h.joinFirstFrame().p50Ms(), h.joinFirstFrame().maxMs()),
                    h == null || h.packetsReceived() == 0 ? "–" : String.format(Locale.ROOT, "%.3f%%", h.lossRatio() * 100),
                    h == null ? "–" : String.format(Locale.ROOT, "%.0f%%", h.benchCpuPercent()),
                    h == null ? "–" : String.format(Locale.ROOT, "%.0f%%", h.otherCpuPercent()),
                    r.stoppedBecause()));
        }
        List<String> ratios = ratios();
        if (!ratios.isEmpty()) {
            sb.append('\n');
            ratios.forEach(line -> sb.append(line).append('\n'));
        }
        if (!errors.isEmpty()) {
            sb.append('\n');
            errors.forEach(e -> sb.append("error: ").append(e).append('\n'));
        }
        return sb.toString();
    }

    /** Every step of every ramp, one row each. */
    String stepsTable() {
        StringBuilder sb = new StringBuilder();
        sb.append("| server | viewers | bitrate | step | frames min | kbps/viewer (source) | p50 ms | p99 ms | max ms | server CPU (user) | µs/viewer·s | RSS MB | heap MB | bench CPU | other CPU | verdict |\n");
        sb.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (RampResult r : ramps) {
            for (StepResult st : r.steps()) {
                sb.append(String.format(Locale.ROOT,
                        "| %s | %s | %d | %d | %.1f%% | %.0f (%.0f) | %.1f | %.1f | %.1f | %s | %.0f | %d | %s | %.0f%% | %.0f%% | %s |\n",
                        r.server(), r.protocol(), r.bitrateKbps(), st.viewers(), st.minFrameRatio() * 100,
                        st.deliveredKbpsAvg(), st.sourceKbps(), st.latency().p50Ms(), st.latency().p99Ms(), st.latency().maxMs(),
                        cpu(st), st.serverCpuMicrosPerViewerSecond(), st.serverRssKb() / 1024,
                        st.serverLiveHeapBytes() == null ? "–" : Long.toString(st.serverLiveHeapBytes() / 1024 / 1024),
                        st.benchCpuPercent(), st.otherCpuPercent(), st.verdict()));
            }
        }
        return sb.toString();
    }

    /** "47% (7%)": total and user-space CPU; reports from before the split show the total only. */
    private static String cpu(StepResult st) {
        return st.serverUserCpuPercent() > 0
                ? String.format(Locale.ROOT, "%.0f%% (%.0f%%)", st.serverCpuPercent(), st.serverUserCpuPercent())
                : String.format(Locale.ROOT, "%.0f%%", st.serverCpuPercent());
    }

    /** Reads a report written by {@link #write}. */
    static FanoutReport read(Path file) throws IOException {
        return new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                .readValue(file.toFile(), FanoutReport.class);
    }

    /**
     * The same load on both servers: the largest viewer count both held, and what each spent on
     * it. Unlike "viewers held" this does not depend on where the ramp happened to stop.
     */
    static String sameLoad(RampResult v, RampResult n) {
        StepResult bestV = null;
        StepResult bestN = null;
        for (StepResult sv : v.steps()) {
            for (StepResult sn : n.steps()) {
                if (sv.held() && sn.held() && sv.viewers() == sn.viewers()
                        && (bestV == null || sv.viewers() > bestV.viewers())) {
                    bestV = sv;
                    bestN = sn;
                }
            }
        }
        if (bestV == null) {
            return null;
        }
        return String.format(Locale.ROOT,
                "%d kbps, same load (%d viewers, the most both held): server CPU vireo " + v.protocol() + " %.0f%% vs "
                        + n.server() + " " + n.protocol() + " %.0f%% (%.2fx), "
                        + "RSS %d vs %d MB, latency p50 %.1f vs %.1f ms, p99 %.1f vs %.1f ms",
                v.bitrateKbps(), bestV.viewers(), bestV.serverCpuPercent(), bestN.serverCpuPercent(),
                bestV.serverCpuPercent() / bestN.serverCpuPercent(), bestV.serverRssKb() / 1024, bestN.serverRssKb() / 1024,
                bestV.latency().p50Ms(), bestN.latency().p50Ms(), bestV.latency().p99Ms(), bestN.latency().p99Ms());
    }

    /**
     * Vireo vs its references per bitrate: Vireo's RTMP viewers against nginx-rtmp; its WHEP
     * viewers against the same nginx-rtmp RTMP ramp (the peer's RTMP fan-out) and against Janus's
     * WebRTC viewers (the WebRTC peer), when those ran.
     */
    List<String> ratios() {
        List<String> out = new ArrayList<>();
        for (RampResult v : ramps) {
            if (!v.server().equals("vireo") || !(v.protocol().equals("rtmp") || v.protocol().equals("whep"))) {
                continue;
            }
            for (RampResult n : ramps) {
                boolean reference = n.server().equals("nginx-rtmp")
                        || n.server().equals("janus") && v.protocol().equals("whep");
                if (!reference || n.bitrateKbps() != v.bitrateKbps()) {
                    continue;
                }
                String label = v.protocol().equals("rtmp") ? "vireo/nginx-rtmp"
                        : "vireo whep / " + n.server() + " " + n.protocol();
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%d kbps: viewers held %s = %d/%d = %s",
                        v.bitrateKbps(), label, v.viewersHeld(), n.viewersHeld(),
                        n.viewersHeld() == 0 ? "n/a" : String.format(Locale.ROOT, "%.2fx", v.viewersHeld() / (double) n.viewersHeld())));
                if (v.cpuFit().viewersPerCore() > 0 && n.cpuFit().viewersPerCore() > 0) {
                    line.append(String.format(Locale.ROOT, "; CPU-projected viewers/core " + label + " = %.0f/%.0f = %.2fx",
                            v.cpuFit().viewersPerCore(), n.cpuFit().viewersPerCore(),
                            v.cpuFit().viewersPerCore() / n.cpuFit().viewersPerCore()));
                }
                if (v.rssBytesPerViewer() != null && n.rssBytesPerViewer() != null && n.rssBytesPerViewer() > 0) {
                    line.append(String.format(Locale.ROOT, "; RSS per viewer " + label + " = %.2fx",
                            v.rssBytesPerViewer() / (double) n.rssBytesPerViewer()));
                }
                out.add(line.toString());
                String same = sameLoad(v, n);
                if (same != null) {
                    out.add(same);
                }
            }
        }
        return out;
    }
}
