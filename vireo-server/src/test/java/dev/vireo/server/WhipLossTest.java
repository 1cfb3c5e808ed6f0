package dev.vireo.server;

import static dev.vireo.webrtc.testing.Chromium.field;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.webrtc.WebRtcConfig.IceTransports;
import dev.vireo.webrtc.testing.Chromium;
import dev.vireo.webrtc.whip.WhipSessionStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * 5 % loss on a Chromium publisher's uplink (a user-space relay in front of the media port): the
 * server's NACKs get the lost packets resent, so a WHEP viewer's decoded frames keep growing; then
 * the uplink goes away without a DELETE and the stream ends for the viewer within seconds.
 */
@Timeout(240)
class WhipLossTest {

    private static final Logger log = LoggerFactory.getLogger(WhipLossTest.class);
    private static final StreamKey KEY = StreamKey.of("live", "lossy");

    @TempDir
    Path dir;

    @Test
    void nacksRecoverAFivePercentLossyUplinkAndAVanishedPublisherEndsTheStream() throws Exception {
        try (LossyUplink uplink = new LossyUplink(0.05, 7)) {
            Config d = ConfigLoader.defaults();
            Config config = new Config("127.0.0.1", 0, 0, dir.resolve("data"), "info", Duration.ofSeconds(2),
                    d.slowViewerMaxLag(), d.httpIdleTimeout(), d.httpMaxBodySize(), "").withRtcPort(0)
                    .withRtcCandidates("127.0.0.1:" + uplink.port()).withRtcTransports(IceTransports.UDP);
            try (VireoServer server = new VireoServer(config);
                 Chromium publisher = Chromium.start(dir, Chromium.FAKE_MEDIA);
                 Chromium viewer = Chromium.start(dir)) {
                VireoServer.BoundPorts ports = server.start();
                uplink.target(ports.rtc());
                String base = "http://127.0.0.1:" + ports.http();
                publisher.open(base + "/publish/live/lossy?autostart=1");
                Await.until(Duration.ofSeconds(30), () -> "live: " + publisher.js("return vireo.error"),
                        () -> "live".equals(publisher.js("return vireo.state")));
                Await.until(Duration.ofSeconds(30), "video in the hub", () -> server.hub().find(KEY)
                        .map(s -> s.stats().gopCacheFrames() > 10).orElse(false));

                viewer.open(base + "/play/live/lossy");
                Await.until(Duration.ofSeconds(30), "the viewer decodes",
                        () -> field(viewer.inboundRtp("vireo.pc", "video"), "framesDecoded") > 30);
                // the viewer keeps decoding while packets are lost and recovered
                List<Double> samples = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    double before = field(viewer.inboundRtp("vireo.pc", "video"), "framesDecoded");
                    Await.until(Duration.ofSeconds(10), "frames keep growing",
                            () -> field(viewer.inboundRtp("vireo.pc", "video"), "framesDecoded") > before + 20);
                    samples.add(field(viewer.inboundRtp("vireo.pc", "video"), "framesDecoded"));
                }
                Await.until(Duration.ofSeconds(20), () -> "retransmissions: dropped " + uplink.droppedRtp()
                        + ", arrived again " + uplink.retransmissionsArrived(), () -> uplink.retransmissionsArrived() > 20);
                WhipSessionStats s = server.whip().sessions().getFirst();
                assertThat(uplink.droppedRtp()).isPositive();
                assertThat(s.nacksSent()).isPositive();
                assertThat(s.recovered()).isPositive();
                Map<String, Object> v = viewer.inboundRtp("vireo.pc", "video");
                log.info("5% uplink loss: relay dropped {} of {} RTP packets, {} came again; server NACKed {}, recovered {},"
                        + " gave up on {}, sent {} PLI; viewer decoded {} frames ({}), freezes {} ({} s)",
                        uplink.droppedRtp(), uplink.droppedRtp() + uplink.passedRtp(), uplink.retransmissionsArrived(),
                        s.nacksSent(), s.recovered(), s.packetsLost(), s.pliSent(), field(v, "framesDecoded"), samples,
                        field(v, "freezeCount"), field(v, "totalFreezesDuration"));

                // the publisher vanishes (no DELETE, no BYE): the session ends on its media timeout,
                // the stream after the reconnect grace, and the WHEP viewer with it
                uplink.cut();
                Await.until(Duration.ofSeconds(15), "the WHIP session ends", () -> server.whip().sessions().isEmpty());
                Await.until(Duration.ofSeconds(15), "the stream ends for the viewer",
                        () -> server.hub().find(KEY).isEmpty() && server.whep().sessions().isEmpty());
            }
        }
    }
}
