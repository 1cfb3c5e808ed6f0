package dev.vireo.server;

import static dev.vireo.webrtc.testing.Chromium.field;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import dev.vireo.webrtc.testing.Chromium;
import dev.vireo.webrtc.whep.Rendition;
import dev.vireo.webrtc.whip.WhipSessionStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Simulcast ingest end to end (issue 18): headless Chromium publishes a 1280x720 fake camera over
 * WHIP with three H.264 layers ({@code sendEncodings} q = 1/4, h = 1/2, f = full size: Chromium 156
 * sends H.264 simulcast). The server publishes every layer as {@code {stream}~{rid}} and the
 * largest live one as the stream itself: ffprobe reads the main stream and the smallest layer over
 * HTTP-FLV and finds different sizes, the lower layers form the stream's WHEP ladder, a second
 * Chromium plays the main stream over WHEP at its size, and the layer streams end with the
 * publisher (video only: the layers' Opus would take an ffmpeg each for FLV). Chromium drops its top layers when it runs short of CPU or uplink estimate (a loaded
 * test machine): the test asks for two live layers at least and logs how many there were.
 */
@Timeout(300)
class WhipSimulcastChromiumTest {

    private static final Logger log = LoggerFactory.getLogger(WhipSimulcastChromiumTest.class);
    private static final StreamKey MAIN = StreamKey.of("live", "sc");
    private static final Pattern WIDTH = Pattern.compile("\"width\": (\\d+)");
    private static final Pattern HEIGHT = Pattern.compile("\"height\": (\\d+)");

    @TempDir
    Path dir;

    @Test
    void chromiumPublishesH264LayersTheMainStreamIsTheLargestAndEveryLayerIsAStream() throws Exception {
        Peers.ffprobe();
        try (VireoServer server = BrowserFixture.server(dir);
             WhipPublisher publisher = WhipPublisher.start(dir)) {
            VireoServer.BoundPorts ports = server.start();
            String base = "http://127.0.0.1:" + ports.http();
            publisher.publishSimulcastVideo(base + "/publish/live/sc?simulcast=1&codec=h264");
            // at least two layers of different sizes arrive, each a stream; the main stream carries the largest
            Await.until(Duration.ofSeconds(60), () -> "two live layers, the main stream on the largest: "
                    + server.whip().sessions() + "; Chromium sends " + publisher.sent(), () -> {
                List<WhipSessionStats.Layer> live = live(server);
                return live.size() >= 2 && live.getFirst().main() && !live.getFirst().size().equals(live.getLast().size())
                        && sizeOf(server, MAIN).equals(live.getFirst().size());
            });
            List<WhipSessionStats.Layer> live = live(server);
            WhipSessionStats.Layer top = live.getFirst();
            WhipSessionStats.Layer low = live.getLast();
            assertThat(server.hub().find(StreamKey.of("live", "sc~" + low.rid())).orElseThrow().isDerived()).isTrue();
            assertThat(server.whip().sessions().getFirst().simulcastLayers()).extracting(WhipSessionStats.Layer::rid)
                    .containsExactly("q", "h", "f");
            assertThat(sizeOf(server, StreamKey.of("live", "sc~" + low.rid()))).isEqualTo(low.size());

            // ffprobe over HTTP-FLV: the main stream and the smallest live layer differ in size
            int[] mainSize = probeSize(base + "/live/sc.flv");
            int[] lowSize = probeSize(base + "/live/sc~" + low.rid() + ".flv");
            // Chromium turns its layers on one by one as its estimate grows (on a quiet machine the
            // 1280x720 one comes within a second), so the main stream may have moved up since `top`
            assertThat(mainSize[0] + "x" + mainSize[1]).as("ffprobe: the main stream")
                    .isIn(top.size(), live(server).getFirst().size());
            assertThat(lowSize[0] + "x" + lowSize[1]).as("ffprobe: layer %s", low.rid()).isEqualTo(low.size());
            assertThat(lowSize[0]).isLessThan(mainSize[0]);
            assertThat(lowSize[1]).isLessThan(mainSize[1]);

            // the lower live layers are the main stream's WHEP ladder, highest first (refreshed every second)
            Await.until(Duration.ofSeconds(10), () -> "the ladder: " + server.whip().simulcastLadder(MAIN)
                            + ", the main stream on " + live(server).getFirst().rid(),
                    () -> !server.whip().simulcastLadder(MAIN).isEmpty()
                            && server.whip().simulcastLadder(MAIN).getLast().name().equals(low.rid())
                            && server.whip().simulcastLadder(MAIN).stream()
                                    .noneMatch(r -> r.name().equals(live(server).getFirst().rid())));
            List<Rendition> ladder = server.whip().simulcastLadder(MAIN);
            assertThat(ladder.getLast().key()).isEqualTo(StreamKey.of("live", "sc~" + low.rid()));

            // a WHEP viewer of the main stream plays it at the main stream's size
            try (Chromium viewer = Chromium.start(dir)) {
                viewer.open(base + "/play/live/sc");
                Await.until(Duration.ofSeconds(40), "30 frames decoded by the WHEP viewer",
                        () -> field(viewer.inboundRtp("vireo.pc", "video"), "framesDecoded") > 30);
                Await.until(Duration.ofSeconds(20), () -> "the viewer decodes the main stream's size "
                        + sizeOf(server, MAIN) + ": " + viewer.inboundRtp("vireo.pc", "video"),
                        () -> sizeOf(server, MAIN).equals((int) field(viewer.inboundRtp("vireo.pc", "video"),
                                "frameWidth") + "x" + (int) field(viewer.inboundRtp("vireo.pc", "video"), "frameHeight")));
            }

            log.info("Chromium simulcast over WHIP: {} live layer(s) of 3; ffprobe main {}x{}, {} {}x{}; ladder {};"
                    + " Chromium sends {}; session {}", live.size(), mainSize[0], mainSize[1], low.rid(), lowSize[0],
                    lowSize[1], ladder, publisher.sent(), server.whip().sessions().getFirst());
            publisher.stop();
            Await.until(Duration.ofSeconds(10), "the WHIP session ends", () -> server.whip().sessions().isEmpty());
            for (String name : List.of("sc", "sc~q", "sc~h", "sc~f")) {
                assertThat(server.hub().find(StreamKey.of("live", name)).map(s -> s.stats().publisherSession())
                        .orElse(null)).as(name).isNull();
            }
            assertThat(server.whip().simulcastLadder(MAIN)).isEmpty();
        }
    }

    /** The live layers with a known size, largest first. */
    static List<WhipSessionStats.Layer> live(VireoServer server) {
        if (server.whip().sessions().isEmpty()) {
            return List.of();
        }
        return server.whip().sessions().getFirst().simulcastLayers().stream()
                .filter(l -> l.live() && !l.size().equals("?"))
                .sorted(Comparator.comparingLong(WhipSimulcastChromiumTest::area).reversed()).toList();
    }

    private static long area(WhipSessionStats.Layer l) {
        String[] wh = l.size().split("x");
        return Long.parseLong(wh[0]) * Long.parseLong(wh[1]);
    }

    static String sizeOf(VireoServer server, StreamKey key) {
        return server.hub().find(key).map(s -> s.stats().width() + "x" + s.stats().height()).orElse("none");
    }

    private int[] probeSize(String url) throws Exception {
        List<String> cmd = Ffmpeg.ffprobeStreams(url);
        cmd.addAll(cmd.size() - 1, List.of("-select_streams", "v:0"));
        Ffmpeg.Result probe = Ffmpeg.run(cmd, dir, 60);
        assertThat(probe.exitCode()).as(probe.stderr()).isZero();
        Matcher w = WIDTH.matcher(probe.stdout());
        Matcher hh = HEIGHT.matcher(probe.stdout());
        assertThat(w.find() && hh.find()).as("ffprobe names a size: %s", probe.stdout()).isTrue();
        return new int[] {Integer.parseInt(w.group(1)), Integer.parseInt(hh.group(1))};
    }
}
