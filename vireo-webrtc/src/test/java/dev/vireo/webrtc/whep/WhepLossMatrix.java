package dev.vireo.webrtc.whep;

import dev.vireo.core.Gate;
import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loss matrix of issue 18 (a measurement, not a CI test: runs only with
 * {@code -Dvireo.lossMatrix=true}; {@code -Dvireo.lossMatrix.seconds=N} per link, default 20;
 * {@code -Dvireo.lossMatrix.fec=true} to give every viewer FEC on loss): one headless Chromium
 * plays an H.264 + Opus stream through the player page, each time through a {@link ShapingRelay}
 * that impairs the server's RTP on the way to the browser: random loss 0/5/10/20/30 %, bursty
 * loss, 50 ms of jitter with reordering, a bandwidth cap at half the stream's bitrate (with a
 * lower rendition on the viewer's ABR ladder), and the clean link again at the end (the machine's
 * floor before and after). The figures of each window ({@link LossProbe}) are printed as the
 * Markdown table of docs/BENCHMARKS.md, with the run's duration.
 */
@EnabledIfSystemProperty(named = "vireo.lossMatrix", matches = "true")
@Timeout(1800)
class WhepLossMatrix {

    private static final Logger log = LoggerFactory.getLogger(WhepLossMatrix.class);

    @TempDir
    static Path dir;

    /** One row: a link, and whether the viewer has a lower rendition to move to. */
    private record Link(String name, LinkModel.Impairment impairment, boolean ladder) {
    }

    @Test
    void matrix() throws Exception {
        Peers.ffmpeg();
        long started = System.nanoTime();
        int seconds = Integer.getInteger("vireo.lossMatrix.seconds", 20);
        boolean fec = Boolean.getBoolean("vireo.lossMatrix.fec");
        LinkModel.Impairment none = LinkModel.Impairment.NONE;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        List<String> rows = new ArrayList<>();
        int links = 9;
        int sourceSeconds = 90 + links * (seconds + 30);
        try (AvSource source = new AvSource(dir, StreamKey.of("live", "av"), sourceSeconds);
             Chromium chromium = Chromium.start(dir)) {
            StreamKey low = source.withLowRendition(dir, sourceSeconds);
            Await.until(Duration.ofSeconds(20), "the source's bitrate is measured", () -> source.bitrateBps() > 0);
            long capBps = source.bitrateBps() / 2;
            List<Link> matrix = List.of(
                    new Link("clean", none, false),
                    new Link("5 % random", none.withLoss(0.05), false),
                    new Link("10 % random", none.withLoss(0.10), false),
                    new Link("20 % random", none.withLoss(0.20), false),
                    new Link("30 % random", none.withLoss(0.30), false),
                    // Gilbert-Elliott: bursts start at 2 % of packets and last 4 on average (about 7 % lost)
                    new Link("bursts (2 %, 4 long)", none.withBursts(0.02, 4), false),
                    new Link("50 ms jitter (10 + 0-50 ms), reordering", none.withDelay(10, 50), false),
                    new Link(String.format("cap %d kbit/s (half the stream), ladder down to %d kbit/s",
                            capBps / 1000, AvSource.LOW_KBPS), none.withBandwidth(capBps, 400), true),
                    new Link("clean, again", none, false));
            // a first playback warms Chromium (and the JIT) up; not measured
            try (WhepRig warmUp = new WhepRig(source.hub, Gate.allowAll(),
                    WebRtcConfig.defaults().withBind("127.0.0.1", 0), group)) {
                LossProbe.play(chromium, warmUp, "/live/av");
                LossProbe.measure(chromium, () -> warmUp.whep.sessions().getFirst(), null, 5);
            }
            long seed = 1;
            for (Link link : matrix) {
                try (ShapingRelay relay = new ShapingRelay(none, link.impairment(), seed++);
                     WhepRig rig = new WhepRig(source.hub, Gate.allowAll(), WebRtcConfig.defaults()
                             .withBind("127.0.0.1", 0)
                             .withCandidates(List.of(new HostCandidates.Advertised("127.0.0.1", relay.port()))), group)) {
                    relay.target(rig.rtcPort);
                    rig.whep.withFec(fec);
                    if (link.ladder()) {
                        rig.whep.withLadder((access, key) ->
                                List.of(new Rendition(low, "low", AvSource.LOW_KBPS * 1000L)));
                    }
                    LossProbe.WhepSessionStatsSource session =
                            () -> rig.whep.sessions().stream().reduce((a, b) -> b).orElseThrow();
                    long posted = System.nanoTime();
                    LossProbe.play(chromium, rig, "/live/av");
                    String name = link.name();
                    if (link.ladder()) {
                        // the issue: moved to a lower rendition within 5 s, then no more freezes;
                        // the window starts at the move
                        Await.until(Duration.ofSeconds(60), "the viewer moves down the ladder",
                                () -> !"source".equals(session.get().rendition()));
                        name += String.format(" (moved down %.1f s after the offer)",
                                (System.nanoTime() - posted) / 1e9);
                    }
                    LossProbe.Window w = LossProbe.measure(chromium, session, relay, seconds);
                    rows.add(w.row(name));
                    log.info("{}", rows.getLast());
                } catch (AssertionError | RuntimeException failed) {
                    rows.add("| " + link.name() + " | failed: " + failed.getMessage() + " |");
                    log.warn("{} failed", link.name(), failed);
                }
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        StringBuilder table = new StringBuilder("\n").append(LossProbe.HEADER).append('\n')
                .append(LossProbe.SEPARATOR).append('\n');
        rows.forEach(r -> table.append(r).append('\n'));
        log.info("loss matrix, {} s per link, video FEC {}, run took {} s:{}", seconds, fec ? "on loss" : "off",
                (System.nanoTime() - started) / 1_000_000_000L, table);
    }
}
