package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import dev.vireo.webrtc.testing.Chromium;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues 16 and 18, measured in Chromium (a benchmark, run by hand with {@code -Dvireo.bench=true};
 * skipped otherwise): how fast a WHEP viewer's first picture comes, for an OBS-style stream through
 * its eager browser variant against a pass-through stream (the floor) in the same run, with each
 * step of the start (answer, ICE, DTLS, first packet, first frame received/decoded/presented) from
 * {@link WhepStartProbe}. Results go to the log and docs/BENCHMARKS.md. Asserts only that every
 * viewer got a picture.
 */
@Tag("bench")
@Timeout(600)
class ChromiumStartBench {

    private static final Logger log = LoggerFactory.getLogger(ChromiumStartBench.class);

    @TempDir
    Path dir;

    /** Streams: name → ffmpeg output options (640x360 30 fps test pattern, 440 Hz tone where audio). */
    private static final Map<String, List<String>> STREAMS = new LinkedHashMap<>();

    static {
        STREAMS.put("pass", List.of("-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-bf", "0",
                "-g", "30", "-an"));
        STREAMS.put("obs", List.of("-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "30", "-c:a", "aac"));
        STREAMS.put("obsnoaudio", List.of("-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "30", "-an"));
        STREAMS.put("aac", List.of("-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-bf", "0",
                "-g", "30", "-c:a", "aac"));
    }

    @Test
    void firstFrameOfTheEagerVariantAgainstPassThrough() throws Exception {
        assumeTrue(Boolean.getBoolean("vireo.bench"), "a benchmark: run with -Dvireo.bench=true");
        int rounds = Integer.getInteger("vireo.bench.rounds", 3);
        List<String> names = List.of(System.getProperty("vireo.bench.streams", String.join(",", STREAMS.keySet()))
                .split(","));
        if (Boolean.getBoolean("vireo.bench.trace")) {
            for (String name : List.of("dev.vireo.webrtc.whep.ViewerRtp.start", "dev.vireo.webrtc.dtls.DtlsEndpoint.records")) {
                ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(name)).setLevel(ch.qos.logback.classic.Level.DEBUG);
            }
        }
        try (Rig rig = new Rig(dir, names)) {
            // warm-up: the JVM's first DTLS handshake, class loading; a variant the eager start missed
            for (String name : names) {
                rig.probe(name, 3000);
            }
            Map<String, List<Double>> firsts = new LinkedHashMap<>();
            for (int round = 0; round < rounds; round++) {
                for (String name : names) {
                    for (String mode : System.getProperty("vireo.bench.audio", "same").split(",")) {
                        WhepStartProbe.Run run = rig.probe(name, Long.getLong("vireo.bench.probeMs", 6000), mode);
                        firsts.computeIfAbsent(name + "/" + mode, k -> new ArrayList<>()).add(run.firstPicture());
                    }
                }
            }
            log.info("first picture (ms after the POST; -1: none within the probe) per stream over {} rounds: {} ({})",
                    rounds, firsts, Rig.load());
            firsts.forEach((k, v) -> assertThat(v).as("%s showed a picture", k).anyMatch(ms -> ms > 0));
        }
    }

    /**
     * Issue 18's quiet-machine figures: a Chromium viewer of a pass-through H.264 stream (and of an
     * AAC stream through its browser variant: video copied, AAC→Opus) for 30 s each: first frame
     * after the POST, freezes, share of frames decoded, and the server-added latency p50/p99 from
     * the server's own histogram (WHEP egress: frame arrival → its packets queued) over the
     * window; for the variant also the transcode job's added latency (source frame in → Opus out).
     */
    @Test
    void playbackOverThirtySeconds() throws Exception {
        assumeTrue(Boolean.getBoolean("vireo.bench"), "a benchmark: run with -Dvireo.bench=true");
        long seconds = Long.getLong("vireo.bench.playSeconds", 30);
        try (Rig rig = new Rig(dir, List.of("pass", "aac"))) {
            rig.probe("pass", 3000); // warm-up
            rig.probe("aac", 3000);
            for (String name : List.of("pass", "aac")) {
                Map<Double, Long> before = egressBuckets(rig.server.meterRegistry().scrape());
                WhepStartProbe.Run run = rig.probe(name, seconds * 1000);
                Map<Double, Long> after = egressBuckets(rig.server.meterRegistry().scrape());
                Map<String, Object> v = run.lastVideo();
                double received = WhepStartProbe.number(v, "framesReceived");
                double decoded = WhepStartProbe.number(v, "framesDecoded");
                String job = rig.server.transcoder().jobs().stream()
                        .filter(j -> j.source().equals(StreamKey.of("live", name)))
                        .map(j -> String.format("; transcode added latency audio p50 %.1f / p99 %.1f ms (%d frames),"
                                        + " video p50 %.1f / p99 %.1f ms", j.audioLatency().p50Millis(),
                                j.audioLatency().p99Millis(), j.audioLatency().samples(), j.videoLatency().p50Millis(),
                                j.videoLatency().p99Millis()))
                        .findFirst().orElse("");
                log.info("{} over {} s: first picture {} ms after the POST; freezes {} ({} s in all); frames decoded"
                                + " {} of {} received ({} %), dropped {}; packets lost {}; server-added (WHEP egress) {}{}"
                                + " ({})", name, seconds, run.firstPicture(), v.get("freezeCount"),
                        v.get("totalFreezesDuration"), (long) decoded, (long) received,
                        String.format("%.1f", received > 0 ? 100 * decoded / received : 0), v.get("framesDropped"),
                        v.get("packetsLost"), percentiles(before, after), job, Rig.load());
                assertThat(decoded).as("%s decodes frames", name).isPositive();
            }
        }
    }

    /** Cumulative counts per upper bound (s) of the WHEP egress delay histogram in a Prometheus scrape. */
    static Map<Double, Long> egressBuckets(String exposition) {
        Map<Double, Long> out = new java.util.TreeMap<>();
        for (String line : exposition.split("\n")) {
            if (!line.startsWith("vireo_webrtc_egress_delay_seconds_bucket{")) {
                continue;
            }
            int le = line.indexOf("le=\"");
            int end = line.indexOf('"', le + 4);
            String bound = line.substring(le + 4, end);
            out.merge(bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound),
                    (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Long::sum);
        }
        return out;
    }

    /** "p50 ≤ x ms, p99 ≤ y ms (n)" of what was recorded between two scrapes (bucket upper bounds). */
    static String percentiles(Map<Double, Long> before, Map<Double, Long> after) {
        java.util.TreeMap<Double, Long> delta = new java.util.TreeMap<>();
        after.forEach((b, c) -> delta.put(b, c - before.getOrDefault(b, 0L)));
        if (delta.isEmpty() || delta.lastEntry().getValue() <= 0) {
            return "none recorded";
        }
        long total = delta.lastEntry().getValue();
        StringBuilder sb = new StringBuilder();
        for (double q : new double[] {0.5, 0.99, 0.999}) {
            double rank = Math.ceil(q * total);
            double bound = delta.entrySet().stream().filter(e -> e.getValue() >= rank).findFirst()
                    .map(Map.Entry::getKey).orElse(Double.POSITIVE_INFINITY);
            sb.append(String.format("p%s <= %.2f ms, ", q == 0.5 ? "50" : q == 0.99 ? "99" : "99.9", bound * 1000));
        }
        return sb.append(total).append(" frame deliveries").toString();
    }

    /** The server, ffmpeg publishers over RTMP, one Chromium. */
    private static final class Rig implements AutoCloseable {
        final VireoServer server;
        final VireoServer.BoundPorts ports;
        final List<Process> publishers = new ArrayList<>();
        final Chromium chromium;

        Rig(Path dir, List<String> names) throws Exception {
            Peers.ffmpeg();
            Path data = Files.createDirectories(dir.resolve("rig"));
            server = new VireoServer(TestConfigs.loopback(data.resolve("data")).withHtml5Eager(true));
            ports = server.start();
            for (String name : names) {
                List<String> cmd = new ArrayList<>(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel",
                        "error", "-re", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-f", "lavfi", "-i",
                        "sine=frequency=440"));
                cmd.addAll(STREAMS.get(name));
                cmd.addAll(List.of("-t", "600", "-f", "flv", "rtmp://127.0.0.1:" + ports.rtmp() + "/live/" + name));
                publishers.add(new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(data.resolve("ffmpeg-" + name + ".log").toFile()).start());
            }
            for (String name : names) {
                StreamKey key = StreamKey.of("live", name);
                Await.until(Duration.ofSeconds(30), name + " is live", () -> server.hub().find(key)
                        .map(s -> s.stats().gopCacheFrames() > 0).orElse(false));
            }
            // extra switches for experiments, e.g. -Dvireo.bench.chromiumArgs=--disable-audio-output
            String extra = System.getProperty("vireo.bench.chromiumArgs", "");
            chromium = Chromium.start(data, extra.isBlank() ? List.of() : List.of(extra.split(",")));
            chromium.open("http://127.0.0.1:" + ports.http() + "/console/");
        }

        WhepStartProbe.Run probe(String name, long durationMs) {
            return probe(name, durationMs, "same");
        }

        WhepStartProbe.Run probe(String name, long durationMs, String audioMode) {
            WhepStartProbe.Run run = WhepStartProbe.play(chromium, "http://127.0.0.1:" + ports.http() + "/live/" + name
                    + "/whep", durationMs, audioMode, 40);
            log.info("{} (audio {}): first picture {} ms after the POST (sent at {}); events {}; first frame {}; timeline{}", name, audioMode,
                    run.firstPicture(), java.time.Instant.ofEpochMilli((long) run.epoch0()), run.events(), run.first(), run.timeline(run.firstPicture() + 300));
            Await.until(Duration.ofSeconds(30), "the session gone", () -> server.whep().sessions().isEmpty());
            return run;
        }

        static String load() {
            try {
                return "load average " + Files.readString(Path.of("/proc/loadavg")).trim();
            } catch (java.io.IOException e) {
                return "load unknown";
            }
        }

        @Override
        public void close() throws Exception {
            try {
                chromium.close();
            } finally {
                for (Process p : publishers) {
                    p.destroy();
                    if (!p.waitFor(5, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                }
                server.close();
            }
        }
    }
}
