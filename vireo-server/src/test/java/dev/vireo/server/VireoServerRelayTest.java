package dev.vireo.server;

import static dev.vireo.webrtc.testing.Chromium.field;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.cluster.StreamDirectory;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import dev.vireo.transcode.html5.Html5Variant;
import dev.vireo.webrtc.testing.Chromium;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes in one process (issue 19): origin A takes an ffmpeg RTMP publisher, edge B has no
 * publisher and a fixed {@link StreamDirectory} naming A. Real viewers of B — ffprobe and ffmpeg
 * over HTTP-FLV, ffmpeg over RTMP, headless Chromium over WHEP — play A's stream through ONE relay
 * pull; the publisher's end reaches them as a clean end; a node with the wrong secret is refused.
 */
@Timeout(240)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VireoServerRelayTest {

    private static final String SECRET = "a-cluster-secret-for-tests";
    private static final StreamKey KEY = StreamKey.of("live", "demo");

    @TempDir
    static Path dir;

    private static VireoServer origin;
    private static VireoServer edge;
    private static VireoServer.BoundPorts originPorts;
    private static VireoServer.BoundPorts edgePorts;
    private static Ffmpeg publisher;
    private static final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Peers.ffmpeg();
        Peers.ffprobe();
        origin = new VireoServer(config("a")
                .withRelay(new Config.RelayConfig(0, SECRET)).withReconnectGrace(Duration.ofSeconds(1)));
        originPorts = origin.start();
        assertThat(origin.clusterPort()).isPositive();
        edge = new VireoServer(config("b")
                .withRelay(new Config.RelayConfig(0, SECRET)))
                .withStreamDirectory(directoryOf(origin, "A"), "B", "eu");
        edgePorts = edge.start();
        publisher = Ffmpeg.start(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
                "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-f", "lavfi", "-i", "sine",
                "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-bf", "0", "-g", "30",
                "-c:a", "aac", "-t", "150", "-f", "flv", "rtmp://127.0.0.1:" + originPorts.rtmp() + "/live/demo"), dir);
        Await.until(Duration.ofSeconds(30), "the stream on the origin", () -> origin.hub().find(KEY)
                .map(s -> s.stats().gopCacheFrames() > 0 && s.hasAudio()).orElse(false));
    }

    /** The registry's answer in a cluster; here: every key of app "live" is on {@code node}. */
    private static StreamDirectory directoryOf(VireoServer node, String id) {
        return key -> key.app().equals("live") && key.stream().equals("demo")
                ? Optional.of(new StreamDirectory.NodeAddress(id, "eu", "127.0.0.1", node.clusterPort()))
                : Optional.empty();
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
        if (publisher != null) {
            publisher.close();
        }
        if (edge != null) {
            edge.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    /**
     * The very first viewer of the edge asks over WHEP: the answer waits for the pulled stream's tracks,
     * so the viewer gets the browser variant and hears the AAC stream's audio as Opus (it got the stream
     * as it is, without audio, before).
     */
    @Test
    @Order(0)
    void theFirstWhepViewerOfAnAacStreamOnAColdEdgeGetsItsAudio() throws Exception {
        assertThat(edge.hub().find(KEY)).as("a cold edge").isEmpty();
        try (Chromium chromium = Chromium.start(dir)) {
            chromium.open("http://127.0.0.1:" + edgePorts.http() + "/play/live/demo?via=whep");
            Await.until(Duration.ofSeconds(90), "frames decoded in Chromium", () -> framesDecoded(chromium) > 30);
            Await.until(Duration.ofSeconds(30), "Opus audio received in Chromium", () -> {
                try {
                    return field(chromium.inboundRtp("vireo.pc", "audio"), "packetsReceived") > 50;
                } catch (RuntimeException e) {
                    return false;
                }
            });
            assertThat(chromium.inboundCodec("vireo.pc", "audio")).isEqualToIgnoringCase("audio/opus");
            StreamKey variant = Html5Variant.keyFor(origin.hub().find(KEY).orElseThrow()).orElseThrow();
            assertThat(edge.edge().orElseThrow().pulling()).contains(variant);
        }
    }

    @Test
    @Order(1)
    void ffprobeReadsTheOriginsStreamAsFlvFromTheEdge() throws Exception {
        Ffmpeg.Result probe = Ffmpeg.run(Ffmpeg.ffprobeStreams("http://127.0.0.1:" + edgePorts.http() + "/live/demo.flv"),
                dir, 60);
        assertThat(probe.exitCode()).as(probe.stderr()).isZero();
        assertThat(probe.stdout()).contains("\"codec_name\": \"h264\"", "\"codec_name\": \"aac\"",
                "\"width\": 640", "\"height\": 360");
        assertThat(edge.edge().orElseThrow().pullsStarted()).isPositive();
    }

    @Test
    @Order(2)
    void viewersOfEveryProtocolShareOnePull() throws Exception {
        String flv = "http://127.0.0.1:" + edgePorts.http() + "/live/demo.flv";
        String rtmp = "rtmp://127.0.0.1:" + edgePorts.rtmp() + "/live/demo";
        for (String url : List.of(flv, flv, rtmp)) {
            closing.add(Ffmpeg.start(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error",
                    "-i", url, "-c", "copy", "-f", "null", "-"), dir));
        }
        Await.until(Duration.ofSeconds(30), () -> "3 viewers on the edge (" + viewers(edge, KEY) + ") and 1 on the"
                + " origin (" + viewers(origin, KEY) + ")", () -> viewers(edge, KEY) == 3 && viewers(origin, KEY) == 1);
        assertThat(edge.edge().orElseThrow().pulling()).contains(KEY);
        // and it stays one while they play
        Stream onEdge = edge.hub().find(KEY).orElseThrow();
        long framesBefore = onEdge.stats().framesIn();
        Await.until(Duration.ofSeconds(10), "60 more frames through the pull", () -> onEdge.stats().framesIn()
                > framesBefore + 60);
        assertThat(viewers(origin, KEY)).isEqualTo(1);
    }

    @Test
    @Order(3)
    void chromiumPlaysTheStreamOverWhepFromTheEdge() throws Exception {
        Chromium chromium = Chromium.start(dir);
        closing.add(chromium);
        // WHEP only: on a loaded machine the player may give an attempt up (6 s start-up timeout) and retry
        chromium.open("http://127.0.0.1:" + edgePorts.http() + "/play/live/demo?via=whep");
        Await.until(Duration.ofSeconds(90), "frames decoded in Chromium", () -> framesDecoded(chromium) > 30);
        assertThat(edge.whep().sessions()).anySatisfy(s -> assertThat(s.connected()).isTrue());
        // the browser variant (AAC→Opus) is made once, at the origin, and pulled like any stream
        StreamKey variant = Html5Variant.keyFor(origin.hub().find(KEY).orElseThrow()).orElseThrow();
        assertThat(edge.edge().orElseThrow().pulling()).contains(variant);
        assertThat(origin.transcoder().jobStats(variant)).isPresent();
        assertThat(edge.transcoder().activeJobs()).isZero();
    }

    @Test
    @Order(4)
    void aNodeWithAnotherSecretIsRefused() throws Exception {
        try (VireoServer stranger = new VireoServer(config("c")
                .withRelay(new Config.RelayConfig(0, "not-the-cluster-secret")))
                .withStreamDirectory(directoryOf(origin, "A"), "C", "")) {
            VireoServer.BoundPorts ports = stranger.start();
            Ffmpeg.Result probe = Ffmpeg.run(Ffmpeg.ffprobeStreams("http://127.0.0.1:" + ports.http() + "/live/demo.flv"),
                    dir, 60);
            assertThat(probe.exitCode()).isNotZero();
            assertThat(stranger.hub().find(KEY)).isEmpty();
            assertThat(viewers(origin, KEY)).as("only the edge's pull").isEqualTo(1);
        }
    }

    @Test
    @Order(5)
    void thePublishersEndEndsTheEdgeStreamCleanly() throws Exception {
        Ffmpeg viewer = (Ffmpeg) closing.getFirst();
        assertThat(viewer.isAlive()).isTrue();
        publisher.close();
        // the origin waits its reconnect grace (1 s), ends the stream, and the edge ends it for its viewers
        Await.until(Duration.ofSeconds(30), "the stream gone from the edge", () -> edge.hub().find(KEY).isEmpty());
        Await.until(Duration.ofSeconds(30), "the edge's FLV viewer to finish", () -> !viewer.isAlive());
        assertThat(edge.edge().orElseThrow().pulling()).doesNotContain(KEY);
    }

    /** A node on 127.0.0.1, every port ephemeral, its data under {@code dir/name}. */
    private static Config config(String name) {
        return TestConfigs.loopback(dir.resolve(name));
    }

    /** Video frames Chromium decoded on the player's current peer connection (0 between attempts). */
    private static double framesDecoded(Chromium chromium) {
        try {
            return field(chromium.inboundRtp("vireo.pc", "video"), "framesDecoded");
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static int viewers(VireoServer node, StreamKey key) {
        return node.hub().find(key).map(Stream::viewerCount).orElse(0);
    }
}
