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
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.vireo.webrtc.whep.ViewerRtp.start"))
                    .setLevel(ch.qos.logback.classic.Level.DEBUG);
        }
        try (Rig rig = new Rig(dir, names)) {
            // warm-up: the JVM's first DTLS handshake, class loading; a variant the eager start missed
            for (String name : names) {
                rig.probe(name, 3000);
            }
            Map<String, List<Double>> firsts = new LinkedHashMap<>();
            for (int round = 0; round < rounds; round++) {
                for (String name : names) {
                    WhepStartProbe.Run run = rig.probe(name, Long.getLong("vireo.bench.probeMs", 6000));
                    assertThat(run.firstPicture()).as("%s shows a picture", name).isPositive();
                    firsts.computeIfAbsent(name, k -> new ArrayList<>()).add(run.firstPicture());
                }
            }
            log.info("first picture (ms after the POST) per stream over {} rounds: {} ({})", rounds, firsts, Rig.load());
        }
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
            Config d = ConfigLoader.defaults();
            server = new VireoServer(new Config("127.0.0.1", 0, 0, data.resolve("data"), "info", d.reconnectGrace(),
                    d.slowViewerMaxLag(), d.httpIdleTimeout(), d.httpMaxBodySize(), "").withRtcPort(0).withHtml5Eager(true));
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
            chromium = Chromium.start(data);
            chromium.open("http://127.0.0.1:" + ports.http() + "/console/");
        }

        WhepStartProbe.Run probe(String name, long durationMs) {
            WhepStartProbe.Run run = WhepStartProbe.play(chromium, "http://127.0.0.1:" + ports.http() + "/live/" + name
                    + "/whep", durationMs, false, 40);
            log.info("{}: first picture {} ms after the POST (sent at {}); events {}; first frame {}; timeline{}", name,
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
