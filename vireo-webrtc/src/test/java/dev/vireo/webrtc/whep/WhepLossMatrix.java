package dev.vireo.webrtc.whep;

import dev.vireo.core.Gate;
import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Peers;
import dev.vireo.webrtc.WebRtcConfig;
import dev.vireo.webrtc.ice.HostCandidates;
import dev.vireo.webrtc.testing.Chromium;
import dev.vireo.webrtc.testing.LinkModel;
import dev.vireo.webrtc.testing.ShapingRelay;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loss matrix (issue 18; a measurement, not a CI test: runs only with
 * {@code -Dvireo.lossMatrix=true}, {@code -Dvireo.lossMatrix.seconds=N} per condition, default 30):
 * one headless Chromium plays an H.264 + Opus stream through the player page, each time through a
 * {@link ShapingRelay} that impairs the server's RTP on the way to the browser, and the figures of
 * each window ({@link LossProbe}) are printed as a Markdown table for docs/BENCHMARKS.md.
 */
@EnabledIfSystemProperty(named = "vireo.lossMatrix", matches = "true")
@Timeout(1800)
class WhepLossMatrix {

    private static final Logger log = LoggerFactory.getLogger(WhepLossMatrix.class);

    @TempDir
    static Path dir;

    @Test
    void matrix() throws Exception {
        Peers.ffmpeg();
        int seconds = Integer.getInteger("vireo.lossMatrix.seconds", 30);
        LinkModel.Impairment none = LinkModel.Impairment.NONE;
        Map<String, LinkModel.Impairment> links = new LinkedHashMap<>();
        links.put("clean", none);
        links.put("5 % random", none.withLoss(0.05));
        links.put("10 % random", none.withLoss(0.10));
        links.put("20 % random", none.withLoss(0.20));
        links.put("30 % random", none.withLoss(0.30));
        // Gilbert-Elliott: bursts start at 2 % of packets and last 4 on average (about 7 % lost)
        links.put("bursts (2 %, 4 long)", none.withBursts(0.02, 4));
        links.put("50 ms jitter (10 + 0-50 ms), reordering", none.withDelay(10, 50));
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        List<String> rows = new ArrayList<>();
        try (AvSource source = new AvSource(dir, StreamKey.of("live", "av"), 60 + links.size() * (seconds + 20));
             Chromium chromium = Chromium.start(dir)) {
            // a first playback warms Chromium (and the JIT) up; not measured
            try (WhepRig warmUp = new WhepRig(source.hub, Gate.allowAll(),
                    WebRtcConfig.defaults().withBind("127.0.0.1", 0), group)) {
                LossProbe.play(chromium, warmUp, "/live/av");
                LossProbe.measure(chromium, () -> warmUp.whep.sessions().getFirst(), null, 5);
            }
            long seed = 1;
            for (Map.Entry<String, LinkModel.Impairment> e : links.entrySet()) {
                try (ShapingRelay relay = new ShapingRelay(none, e.getValue(), seed++);
                     WhepRig rig = new WhepRig(source.hub, Gate.allowAll(), WebRtcConfig.defaults()
                             .withBind("127.0.0.1", 0)
                             .withCandidates(List.of(new HostCandidates.Advertised("127.0.0.1", relay.port()))), group)) {
                    relay.target(rig.rtcPort);
                    LossProbe.play(chromium, rig, "/live/av");
                    LossProbe.Window w = LossProbe.measure(chromium,
                            () -> rig.whep.sessions().stream().reduce((a, b) -> b).orElseThrow(), relay, seconds);
                    rows.add(w.row(e.getKey()));
                    log.info("{}", rows.getLast());
                } catch (AssertionError | RuntimeException failed) {
                    rows.add("| " + e.getKey() + " | failed: " + failed.getMessage() + " |");
                    log.warn("{} failed", e.getKey(), failed);
                }
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        StringBuilder table = new StringBuilder("\n").append(LossProbe.HEADER).append('\n')
                .append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        rows.forEach(r -> table.append(r).append('\n'));
        log.info("loss matrix, {} s per link:{}", seconds, table);
    }
}
