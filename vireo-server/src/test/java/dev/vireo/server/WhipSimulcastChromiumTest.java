package dev.vireo.server;

import static dev.vireo.webrtc.testing.Chromium.field;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.StreamKey;
import dev.vireo.core.StreamStats;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import dev.vireo.webrtc.testing.Chromium;
import dev.vireo.webrtc.whep.Rendition;
import dev.vireo.webrtc.whip.WhipSessionStats;
import java.nio.file.Path;
import java.time.Duration;
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
 * sends H.264 simulcast). The server publishes every layer as {@code {stream}~{rid}} and the largest
 * as the stream itself: ffprobe reads the main stream and the quarter layer over HTTP-FLV and finds
 * different sizes, the lower layers form the stream's WHEP ladder, a second Chromium plays the
 * main stream over WHEP at full size, and the layer streams end with the publisher.
 */
@Timeout(300)
class WhipSimulcastChromiumTest {

    private static final Logger log = LoggerFactory.getLogger(WhipSimulcastChromiumTest.class);
    private static final StreamKey MAIN = StreamKey.of("live", "sc");
    private static final Pattern WIDTH = Pattern.compile("\"width\": (\\d+)");
    private static final Pattern HEIGHT = Pattern.compile("\"height\": (\\d+)");

    @TempDir
    Path dir;

    private static StreamKey layer(String rid) {
        return StreamKey.of("live", "sc~" + rid);
    }

    @Test
    void chromiumPublishesThreeH264LayersTheMainStreamIsTheLargestAndEveryLayerIsAStream() throws Exception {
        Peers.ffprobe();
        try (VireoServer server = BrowserFixture.server(dir);
             Chromium publisher = Chromium.start(dir, Chromium.FAKE_MEDIA)) {
            VireoServer.BoundPorts ports = server.start();
            String base = "http://127.0.0.1:" + ports.http();
            publisher.open(base + "/publish/live/sc?autostart=1&simulcast=1&codec=h264");
            Await.until(Duration.ofSeconds(30), () -> "the publish page is live: " + publisher.js("return vireo.state")
                    + " " + publisher.js("return vireo.error"), () -> "live".equals(publisher.js("return vireo.state")));
            // every layer is a stream with H.264 frames of its own size
            Await.until(Duration.ofSeconds(40), () -> "H.264 frames in the main stream and every layer: " + sizes(server)
                    + " " + server.whip().sessions(), () -> List.of(MAIN, layer("q"), layer("h"), layer("f")).stream()
                    .allMatch(k -> server.hub().find(k).map(s -> "H264".equals(s.stats().videoCodec())
                            && s.stats().width() > 0 && s.stats().gopCacheFrames() > 5).orElse(false)));
            StreamStats q = stats(server, layer("q"));
            StreamStats h = stats(server, layer("h"));
            StreamStats f = stats(server, layer("f"));
            assertThat(q.width()).as("quarter layer").isLessThan(h.width());
            assertThat(h.width()).as("half layer").isLessThan(f.width());
            // the main stream carries the largest layer
            Await.until(Duration.ofSeconds(20), () -> "the main stream at the largest layer's size: " + sizes(server),
                    () -> stats(server, MAIN).width() == stats(server, layer("f")).width());
            assertThat(server.hub().find(layer("q")).orElseThrow().isDerived()).isTrue();
            WhipSessionStats whip = server.whip().sessions().getFirst();
            assertThat(whip.videoCodec()).isEqualTo("H264");
            assertThat(whip.simulcastLayers()).extracting(WhipSessionStats.Layer::rid).containsExactly("q", "h", "f");
            assertThat(whip.simulcastLayers()).allSatisfy(l -> assertThat(l.frames()).isPositive());
            assertThat(whip.simulcastLayers()).filteredOn(WhipSessionStats.Layer::main).singleElement()
                    .satisfies(l -> assertThat(l.stream()).isEqualTo("/live/sc~f"));

            // ffprobe over HTTP-FLV: the main stream and the quarter layer differ in size
            int[] mainSize = probeSize(base + "/live/sc.flv");
            int[] quarterSize = probeSize(base + "/live/sc~q.flv");
            assertThat(mainSize[0]).as("ffprobe: main stream width").isEqualTo(f.width());
            assertThat(quarterSize[0]).as("ffprobe: quarter layer width").isEqualTo(stats(server, layer("q")).width())
                    .isLessThan(mainSize[0]);
            assertThat(quarterSize[1]).isLessThan(mainSize[1]);

            // the lower layers are the main stream's WHEP ladder, highest first (refreshed every second)
            Await.until(Duration.ofSeconds(10), () -> "the ladder h, q: " + server.whip().simulcastLadder(MAIN),
                    () -> server.whip().simulcastLadder(MAIN).stream().map(Rendition::name).toList()
                            .equals(List.of("h", "q")));
            List<Rendition> ladder = server.whip().simulcastLadder(MAIN);
            assertThat(ladder.get(0).key()).isEqualTo(layer("h"));
            assertThat(ladder).allSatisfy(r -> assertThat(r.bitrateBps()).isPositive());

            // a WHEP viewer of the main stream plays it at the largest layer's size
            try (Chromium viewer = Chromium.start(dir)) {
                viewer.open(base + "/play/live/sc");
                Await.until(Duration.ofSeconds(40), "30 frames decoded by the WHEP viewer",
                        () -> field(viewer.inboundRtp("vireo.pc", "video"), "framesDecoded") > 30);
                Await.until(Duration.ofSeconds(20), () -> "the viewer decodes the largest layer: "
                        + viewer.inboundRtp("vireo.pc", "video"), () -> field(viewer.inboundRtp("vireo.pc", "video"),
                        "frameWidth") == stats(server, MAIN).width());
            }

            Object sent = publisher.jsAsync("const done = arguments[arguments.length - 1];"
                    + "vireo.pc.getStats().then(r => { const o = []; r.forEach(s => {"
                    + " if (s.type === 'outbound-rtp' && s.kind === 'video') o.push(s.rid + ' ' + s.frameWidth + 'x'"
                    + " + s.frameHeight + ' ' + s.framesPerSecond + 'fps active=' + s.active + ' limit='"
                    + " + s.qualityLimitationReason + ' ' + s.encoderImplementation);"
                    + " if (s.type === 'candidate-pair' && s.nominated) o.push('bwe ' + s.availableOutgoingBitrate);"
                    + " }); done(o.join('; ')); }).catch(e => done(String(e)));");
            log.info("Chromium simulcast over WHIP: server layers {}; ladder {}; Chromium sends {}; session {}",
                    sizes(server), ladder, sent, server.whip().sessions().getFirst());
            publisher.js("vireo.stop()");
            Await.until(Duration.ofSeconds(10), "the WHIP session ends", () -> server.whip().sessions().isEmpty());
            for (StreamKey k : List.of(MAIN, layer("q"), layer("h"), layer("f"))) {
                assertThat(server.hub().find(k).map(s -> s.stats().publisherSession()).orElse(null)).as(k.toString())
                        .isNull();
            }
            assertThat(server.whip().simulcastLadder(MAIN)).isEmpty();
        }
    }

    private static StreamStats stats(VireoServer server, StreamKey key) {
        return server.hub().find(key).orElseThrow(() -> new AssertionError("no stream " + key)).stats();
    }

    private static String sizes(VireoServer server) {
        StringBuilder b = new StringBuilder();
        for (StreamKey k : List.of(MAIN, layer("q"), layer("h"), layer("f"))) {
            server.hub().find(k).ifPresent(s -> b.append(k.stream()).append('=').append(s.stats().width()).append('x')
                    .append(s.stats().height()).append('@').append(Math.round(s.stats().bitrateKbps())).append("kbps "));
        }
        return b.toString().trim();
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
