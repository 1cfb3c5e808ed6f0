package dev.vireo.server;

import static dev.vireo.webrtc.testing.Chromium.field;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.MachineLoad;
import dev.vireo.webrtc.WebRtcConfig.IceTransports;
import dev.vireo.webrtc.testing.Chromium;
import dev.vireo.webrtc.testing.LinkModel;
import dev.vireo.webrtc.testing.ShapingRelay;
import dev.vireo.webrtc.whep.Rendition;
import dev.vireo.webrtc.whep.WhepSessionStats;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ABR over simulcast layers end to end (issue 18): headless Chromium publishes three H.264 layers
 * over WHIP, and a second Chromium plays the stream over WHEP through a user-space link
 * ({@link ShapingRelay}) capped below the main stream's bitrate. The viewer's ladder is the lower
 * layers ({@code sc~h}, {@code sc~q}; no transcode starts), the server's estimate falls under the
 * cap, the viewer moves to a lower layer at its keyframe and Chromium decodes that layer's smaller
 * frames.
 */
@Timeout(300)
class WhipSimulcastAbrChromiumTest {

    private static final Logger log = LoggerFactory.getLogger(WhipSimulcastAbrChromiumTest.class);
    private static final StreamKey MAIN = StreamKey.of("live", "sc");
    /** The viewer link's cap is the main layer's measured bitrate divided by this (below it, with room). */
    private static final double CAP_DIVISOR = 1.5;

    @TempDir
    Path dir;

    @Test
    void aViewerWhoseLinkCannotCarryTheMainStreamMovesToALowerLayer() throws Exception {
        // Both browsers reach the server through the relay; the cap goes on the viewer's link only.
        try (ShapingRelay relay = new ShapingRelay(LinkModel.Impairment.NONE, LinkModel.Impairment.NONE, 18)) {
            Config d = ConfigLoader.defaults();
            Config config = new Config("127.0.0.1", 0, 0, dir.resolve("data"), "info", d.reconnectGrace(),
                    d.slowViewerMaxLag(), d.httpIdleTimeout(), d.httpMaxBodySize(), "").withRtcPort(0)
                    .withRtcCandidates("127.0.0.1:" + relay.port()).withRtcTransports(IceTransports.UDP);
            try (VireoServer server = new VireoServer(config);
                 WhipPublisher publisher = WhipPublisher.start(dir);
                 Chromium viewer = Chromium.start(dir)) {
                VireoServer.BoundPorts ports = server.start();
                relay.target(ports.rtc());
                String base = "http://127.0.0.1:" + ports.http();
                publisher.publishSimulcastVideo(base + "/publish/live/sc?simulcast=1&codec=h264");
                // the lower layers are live and measured: the ladder a WHEP viewer gets
                // Chromium runs its layers only while its uplink estimate allows them; on an
                // overloaded machine (session 9, load 45-70) it kept the upper ones off, so there was
                // nothing to move from: that is skipped with the load, not failed.
                try {
                    Await.until(Duration.ofSeconds(60), () -> "a ladder of lower layers, measured: "
                            + server.whip().simulcastLadder(MAIN) + " " + server.whip().sessions() + "; Chromium sends "
                            + publisher.sent(),
                            () -> !server.whip().simulcastLadder(MAIN).isEmpty()
                                    && server.whip().simulcastLadder(MAIN).stream().allMatch(r -> r.bitrateBps() > 1)
                                    // the main layer well above the lowest: a cap between them has room on both sides
                                    && server.hub().find(MAIN).map(s -> s.stats().bitrateKbps() * 1000
                                            > 2 * CAP_DIVISOR * server.whip().simulcastLadder(MAIN).getLast().bitrateBps())
                                            .orElse(false));
                } catch (AssertionError e) {
                    if (MachineLoad.quiet()) {
                        throw e;
                    }
                    Assumptions.abort("Chromium did not run its simulcast layers apart at load "
                            + MachineLoad.oneMinute() + ": " + e);
                }
                List<Rendition> ladder = server.whip().simulcastLadder(MAIN);
                long mainBps = Math.round(server.hub().find(MAIN).orElseThrow().stats().bitrateKbps() * 1000);
                // Chromium's synthetic source is cheap to encode (a layer can run at a fraction of its
                // target bitrate): the cap follows what was measured
                long cap = Math.round(mainBps / CAP_DIVISOR);
                assertThat(ladder.getLast().bitrateBps()).as("the lowest layer fits under the cap").isLessThan(cap);

                viewer.open(base + "/play/live/sc");
                Await.until(Duration.ofSeconds(40), () -> "the viewer decodes frames: "
                        + viewer.js("return JSON.stringify({s: vireo.state, e: vireo.error})"),
                        () -> "whep".equals(viewer.js("return vireo.protocol"))
                                && field(viewer.inboundRtp("vireo.pc", "video"), "framesDecoded") > 0);
                // the viewer's link alone: the publisher's feedback goes through the same relay,
                // and on a shared capped link its sender estimate falls and its upper layers stop
                String at = server.whep().sessions().getFirst().remoteAddress();
                relay.impairPeer(new InetSocketAddress("127.0.0.1", Integer.parseInt(at.substring(at.lastIndexOf(':') + 1))),
                        LinkModel.Impairment.NONE.withBandwidth(cap, 400));
                log.info("main stream {} kbps, ladder {}, viewer link capped at {} kbps", mainBps / 1000, ladder,
                        cap / 1000);
                double topHeight = server.hub().find(MAIN).orElseThrow().stats().height();
                List<Long> estimates = new ArrayList<>();
                Await.until(Duration.ofSeconds(60), () -> "a move to a lower layer; estimates (kbps) " + estimates
                        + ", stats " + server.whep().sessions(), () -> {
                    WhepSessionStats s = server.whep().sessions().getFirst();
                    if (s.estimateBps() > 0 && (estimates.isEmpty() || estimates.getLast() != s.estimateBps() / 1000)) {
                        estimates.add(s.estimateBps() / 1000);
                    }
                    return s.renditionSwitches() > 0 && !"source".equals(s.rendition());
                });
                WhepSessionStats moved = server.whep().sessions().getFirst();
                assertThat(moved.rendition()).isIn("h", "q");
                assertThat(server.hub().streams().stream().map(s -> s.key().stream()))
                        .as("no transcode started for the ladder").noneMatch(n -> n.contains("_"));
                double layerHeight = server.hub().find(StreamKey.of("live", "sc~" + moved.rendition())).orElseThrow()
                        .stats().height();
                assertThat(layerHeight).isLessThan(topHeight);
                Await.until(Duration.ofSeconds(30), () -> "Chromium decodes the layer's " + layerHeight + " lines: "
                        + viewer.inboundRtp("vireo.pc", "video") + "; server: " + server.whep().sessions()
                        + "; publisher " + server.whip().sessions(),
                        () -> field(viewer.inboundRtp("vireo.pc", "video"), "frameHeight") == layerHeight);
                double decoded = field(viewer.inboundRtp("vireo.pc", "video"), "framesDecoded");
                Await.until(Duration.ofSeconds(30), "30 more frames of the layer",
                        () -> field(viewer.inboundRtp("vireo.pc", "video"), "framesDecoded") > decoded + 30);
                log.info("simulcast ABR: moved to layer {} ({} lines, main {}) under a {} kbps cap; estimates {} kbps;"
                        + " viewer {}; publisher {}", moved.rendition(), layerHeight, topHeight, cap / 1000, estimates,
                        server.whep().sessions().getFirst(), server.whip().sessions().getFirst());
            }
        }
    }
}
