package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import dev.vireo.transcode.html5.Html5Variant;
import dev.vireo.webrtc.testing.Chromium;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code transcode.html5-eager}: an OBS-style stream (AAC, B-frames) gets its browser variant when
 * it is published, before any viewer; with the setting off, only at the first WebRTC viewer. Both
 * play in Chromium over WHEP; the first-frame times are logged for docs/BENCHMARKS.md (not
 * asserted: timing is not a test).
 */
@Timeout(200)
class VireoServerHtml5EagerTest {

    private static final Logger log = LoggerFactory.getLogger(VireoServerHtml5EagerTest.class);
    private static final StreamKey KEY = StreamKey.of("live", "obs");

    @TempDir
    Path dir;

    @Test
    void theBrowserVariantRunsBeforeTheFirstViewer() throws Exception {
        try (Rig rig = new Rig(dir, true)) {
            Await.until(Duration.ofSeconds(30), "the @html5 variant published without a viewer", () -> rig.server.hub()
                    .find(Html5Variant.of(KEY)).map(s -> s.isLive() && s.stats().gopCacheFrames() > 0).orElse(false));
            assertThat(rig.server.transcoder().jobs()).singleElement().satisfies(j -> {
                assertThat(j.output()).isEqualTo(Html5Variant.of(KEY));
                assertThat(j.viewers()).isZero();
            });
            rig.warmUp();
            double first = rig.play();
            log.info("html5-eager on: first frame {} ms after page load (WHEP, {}@html5 already running)", first, KEY.stream());
        }
    }

    @Test
    void withTheSettingOffTheVariantWaitsForAViewer() throws Exception {
        try (Rig rig = new Rig(dir, false)) {
            // three seconds of frames, then still no job
            Await.until(Duration.ofSeconds(30), "3 s of the stream", () -> rig.server.hub().find(KEY)
                    .map(s -> s.stats().framesIn() > 150).orElse(false));
            rig.warmUp();
            assertThat(rig.server.transcoder().jobs()).isEmpty();
            double first = rig.play();
            assertThat(rig.server.transcoder().jobs()).singleElement()
                    .satisfies(j -> assertThat(j.output()).isEqualTo(Html5Variant.of(KEY)));
            log.info("html5-eager off: first frame {} ms after page load (WHEP, ffmpeg started by the viewer)", first);
        }
    }

    /** The server, ffmpeg publishing as OBS does (AAC, B-frames, 1 s GOP) and Chromium. */
    private static final class Rig implements AutoCloseable {
        final VireoServer server;
        final VireoServer.BoundPorts ports;
        final Process ffmpeg;
        final Process warm;
        final Chromium chromium;

        Rig(Path dir, boolean eager) throws Exception {
            Peers.ffmpeg();
            Path data = Files.createDirectories(dir.resolve(eager ? "eager" : "lazy"));
            server = new VireoServer(TestConfigs.loopback(data.resolve("data")).withHtml5Eager(eager));
            ports = server.start();
            List<String> cmd = new ArrayList<>(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error",
                    "-re", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-f", "lavfi", "-i", "sine=frequency=440",
                    "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "30", "-c:a", "aac", "-t", "90",
                    "-f", "flv", "rtmp://127.0.0.1:" + ports.rtmp() + "/live/obs"));
            ffmpeg = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(data.resolve("ffmpeg.log").toFile()).start();
            Await.until(Duration.ofSeconds(30), "the stream is live with B-frames", () -> server.hub().find(KEY)
                    .map(s -> s.stats().bFrames() && s.stats().gopCacheFrames() > 0).orElse(false));
            // a second, cheap stream (no B-frames, no audio: no variant) to warm the JVM's WebRTC path with
            warm = new ProcessBuilder(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
                    "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=15", "-c:v", "libx264", "-preset", "ultrafast",
                    "-bf", "0", "-g", "15", "-an", "-t", "90", "-f", "flv", "rtmp://127.0.0.1:" + ports.rtmp() + "/live/warm"))
                    .redirectErrorStream(true).redirectOutput(data.resolve("ffmpeg-warm.log").toFile()).start();
            Await.until(Duration.ofSeconds(30), "the warm-up stream is live", () -> server.hub().find(StreamKey.of("live", "warm"))
                    .map(s -> s.stats().gopCacheFrames() > 0).orElse(false));
            chromium = Chromium.start(data);
        }

        /**
         * Plays the warm-up stream over WHEP once, so the measured viewer is not the JVM's first
         * DTLS handshake (class loading and interpreted BouncyCastle cost about a second there).
         */
        void warmUp() {
            chromium.open("http://127.0.0.1:" + ports.http() + "/play/live/warm?via=whep");
            Await.until(Duration.ofSeconds(40), "the warm-up plays", () -> "playing".equals(chromium.js("return window.vireo.state")));
            log.info("warm-up viewer: first frame {} ms", chromium.number("window.vireo.firstFrameMs"));
            chromium.open("about:blank");
            Await.until(Duration.ofSeconds(10), "the warm-up session gone", () -> server.whep().sessions().isEmpty());
        }

        /** Opens the player over WHEP, waits for moving video; returns its first-frame time (ms). */
        double play() {
            chromium.open("http://127.0.0.1:" + ports.http() + "/play/live/obs?via=whep");
            Await.until(Duration.ofSeconds(40), "playing", () -> "playing".equals(chromium.js("return window.vireo.state")));
            double t0 = chromium.number("document.getElementById('video').currentTime");
            Await.until(Duration.ofSeconds(20), "currentTime grows",
                    () -> chromium.number("document.getElementById('video').currentTime") > t0 + 1);
            assertThat(chromium.number("document.getElementById('video').videoWidth")).isEqualTo(640);
            assertThat(server.whep().sessions()).singleElement().satisfies(s -> assertThat(s.stream()).isEqualTo("/live/obs@html5"));
            return chromium.number("window.vireo.firstFrameMs");
        }

        @Override
        public void close() throws Exception {
            try {
                chromium.close();
            } finally {
                for (Process p : List.of(ffmpeg, warm)) {
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
