package dev.vireo.server;

import static dev.vireo.webrtc.testing.Chromium.field;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.MachineLoad;
import dev.vireo.core.testing.Peers;
import dev.vireo.webrtc.testing.Av1Clip;
import dev.vireo.webrtc.testing.Chromium;
import dev.vireo.webrtc.whep.WhepSessionStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AV1 end to end: ffmpeg encodes a clip with libaom (realtime, keyframe every second) into IVF,
 * a test publisher pushes its OBUs over enhanced RTMP (ffmpeg 5.1 cannot), and headless Chromium
 * plays the stream from the player page over WHEP, decoding AV1.
 */
@Timeout(240)
class VireoServerWhepAv1Test {

    private static final Logger log = LoggerFactory.getLogger(VireoServerWhepAv1Test.class);

    @TempDir
    static Path dir;

    private static Av1Clip clip;

    @BeforeAll
    static void encode() throws Exception {
        clip = encode("aom", List.of("-c:v", "libaom-av1", "-usage", "realtime", "-cpu-used", "8",
                "-lag-in-frames", "0"));
    }

    /** 4 s of 640x360 at 30 fps, a keyframe every second, 800 kb/s, low delay; read back from IVF. */
    private static Av1Clip encode(String name, List<String> encoder) throws Exception {
        Path ivf = dir.resolve(name + ".ivf");
        List<String> cmd = new ArrayList<>(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error",
                "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-t", "4"));
        cmd.addAll(encoder);
        cmd.addAll(List.of("-g", "30", "-b:v", "800k", "-f", "ivf", ivf.toString()));
        Ffmpeg.Result enc = Ffmpeg.run(cmd, dir, 120);
        assertThat(enc.exitCode()).as("ffmpeg %s: %s", encoder, enc.stderr()).isZero();
        Av1Clip c = Av1Clip.readIvf(Files.readAllBytes(ivf));
        assertThat(c.units()).hasSize(120);
        assertThat(c.units().stream().filter(Av1Clip.TemporalUnit::keyframe)).hasSize(4);
        return c;
    }

    @Test
    void chromiumDecodesAnAv1StreamPublishedOverEnhancedRtmp() throws Exception {
        play(clip, clip.av1c(), "av1");
    }

    /** SVT-AV1 in its low-delay prediction structure. */
    @Test
    void chromiumDecodesSvtAv1() throws Exception {
        Av1Clip svt = encode("svt", List.of("-c:v", "libsvtav1", "-preset", "10", "-svtav1-params", "pred-struct=1"));
        play(svt, svt.av1c(), "svt");
    }

    /**
     * A publisher that sends the sequence header only in av1C: the RTMP ingest copies it into
     * every keyframe (sent apart, in packets of its own, Chromium never decodes a frame: see
     * {@code Av1RtpEncoding}).
     */
    @Test
    void keyframesWithoutTheirSequenceHeaderGetAv1csAtIngest() throws Exception {
        Av1Clip bare = new Av1Clip(clip.width(), clip.height(), clip.timebaseNum(), clip.timebaseDen(),
                clip.units().stream().map(u -> new Av1Clip.TemporalUnit(u.pts(), u.keyframe(),
                        u.keyframe() ? Av1Clip.withoutSequenceHeader(u.obus()) : u.obus())).toList());
        play(bare, clip.av1c(), "bare");
    }

    /** Publishes {@code clip} with {@code av1c} as live/{stream} and has Chromium play it over WHEP. */
    private void play(Av1Clip clip, byte[] av1c, String stream) throws Exception {
        Path dir = Files.createTempDirectory(VireoServerWhepAv1Test.dir, stream);

        VireoServer server = BrowserFixture.server(dir);
        VireoServer.BoundPorts ports = server.start();
        try (server;
             Av1RtmpPublisher publisher = Av1RtmpPublisher.start(
                     "rtmp://127.0.0.1:" + ports.rtmp() + "/live/" + stream,
                     av1c, clip)) {
            Await.until(Duration.ofSeconds(20), "the AV1 stream has a GOP", () -> server.hub()
                    .find(StreamKey.of("live", stream)).map(s -> s.stats().gopCacheFrames() > 0).orElse(false));
            assertThat(server.hub().find(StreamKey.of("live", stream)).orElseThrow().stats().videoCodec()).isEqualTo("AV1");
            try (Chromium chromium = Chromium.start(dir)) {
                chromium.open("http://127.0.0.1:" + ports.http() + "/play/live/" + stream);
                Await.until(Duration.ofSeconds(30), "the first decoded AV1 frame",
                        () -> field(chromium.inboundRtp("vireo.pc", "video"), "framesDecoded") > 0);
                double from = field(chromium.inboundRtp("vireo.pc", "video"), "framesDecoded");
                long t0 = System.nanoTime();
                Await.until(Duration.ofSeconds(30), "90 more decoded frames",
                        () -> field(chromium.inboundRtp("vireo.pc", "video"), "framesDecoded") >= from + 90);
                double fps = (field(chromium.inboundRtp("vireo.pc", "video"), "framesDecoded") - from)
                        / ((System.nanoTime() - t0) / 1e9);
                Map<String, Object> video = chromium.inboundRtp("vireo.pc", "video");
                assertThat(chromium.inboundCodec("vireo.pc", "video")).isEqualTo("video/AV1");
                assertThat(field(video, "frameWidth")).isEqualTo(640);
                assertThat(field(video, "frameHeight")).isEqualTo(360);
                // 90 frames came (above); their rate is Chromium's on a machine that keeps up (MachineLoad)
                MachineLoad.aboveWhenQuiet("RTMP AV1 -> WHEP frames decoded per second", fps, 20);
                WhepSessionStats s = server.whep().sessions().getFirst();
                assertThat(s.framesSent()).isGreaterThan(90);
                log.info("RTMP AV1 ({}) -> WHEP in Chromium: {} fps decoded, decoder {}, {} keyframes sent, {} PLI,"
                                + " {} NACKed, frames dropped {}", stream, String.format("%.1f", fps),
                        video.get("decoderImplementation"), s.keyframesSent(), s.pliReceived(), s.nacksReceived(),
                        video.get("framesDropped"));
                assertThat(s.pliReceived()).as("Chromium never had to ask for a keyframe").isZero();
            }
        }
    }
}
