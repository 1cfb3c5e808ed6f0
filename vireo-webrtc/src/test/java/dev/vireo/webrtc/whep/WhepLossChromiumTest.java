package dev.vireo.webrtc.whep;

import static dev.vireo.webrtc.testing.Chromium.field;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.Gate;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.MachineLoad;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WindowType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RFC 2198 audio redundancy against the real peer: headless Chromium plays an ffmpeg test pattern
 * with a 440 Hz Opus tone from the player page. Chromium offers {@code red/48000/2}; with RED on
 * (the default) every audio packet goes out as RED and Chromium decodes it; behind a relay that
 * loses 20 % of the server's RTP, it conceals less of the audio than a viewer of a server with
 * RED off behind the same kind of link. And behind a link that loses 10 %, the video keeps
 * decoding (NACK/RTX), and with ULPFEC on top it decodes at least as much, both measured at once;
 * freezes and longest presentation gaps are logged, not asserted (the shared test machine stalls
 * the browser by itself).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class WhepLossChromiumTest {

    private static final Logger log = LoggerFactory.getLogger(WhepLossChromiumTest.class);
    private static final StreamKey AV = StreamKey.of("live", "av");
    /** Chromium 156's payload type for red/48000/2 (its offer: {@code a=fmtp:63 111/111}). */
    private static final int CHROMIUM_AUDIO_RED = 63;
    private static final double LOSS = 0.20;

    @TempDir
    static Path dir;

    private EventLoopGroup group;
    private AvSource source;
    private WhepRig direct;
    private ShapingRelay redRelay;
    private WhepRig redLossy;
    private ShapingRelay plainRelay;
    private WhepRig plainLossy;
    private ShapingRelay videoRelay;
    private WhepRig videoLossy;
    private ShapingRelay fecRelay;
    private WhepRig fecLossy;
    private Chromium chromium;

    @BeforeAll
    void start() throws Exception {
        Peers.ffmpeg();
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        source = new AvSource(dir, AV, 240);
        StreamHub hub = source.hub;
        direct = new WhepRig(hub, Gate.allowAll(), WebRtcConfig.defaults().withBind("127.0.0.1", 0), group);
        redRelay = new ShapingRelay(LinkModel.Impairment.NONE, LinkModel.Impairment.NONE.withLoss(LOSS), 7);
        redLossy = new WhepRig(hub, Gate.allowAll(), WebRtcConfig.defaults().withBind("127.0.0.1", 0)
                .withCandidates(List.of(new HostCandidates.Advertised("127.0.0.1", redRelay.port()))), group);
        redRelay.target(redLossy.rtcPort);
        plainRelay = new ShapingRelay(LinkModel.Impairment.NONE, LinkModel.Impairment.NONE.withLoss(LOSS), 11);
        plainLossy = new WhepRig(hub, Gate.allowAll(), WebRtcConfig.defaults().withBind("127.0.0.1", 0)
                .withCandidates(List.of(new HostCandidates.Advertised("127.0.0.1", plainRelay.port()))), group);
        plainLossy.whep.withRed(false);
        plainRelay.target(plainLossy.rtcPort);
        videoRelay = new ShapingRelay(LinkModel.Impairment.NONE, LinkModel.Impairment.NONE.withLoss(0.10), 13);
        videoLossy = new WhepRig(hub, Gate.allowAll(), WebRtcConfig.defaults().withBind("127.0.0.1", 0)
                .withCandidates(List.of(new HostCandidates.Advertised("127.0.0.1", videoRelay.port()))), group);
        videoRelay.target(videoLossy.rtcPort);
        fecRelay = new ShapingRelay(LinkModel.Impairment.NONE, LinkModel.Impairment.NONE.withLoss(0.10), 13);
        fecLossy = new WhepRig(hub, Gate.allowAll(), WebRtcConfig.defaults().withBind("127.0.0.1", 0)
                .withCandidates(List.of(new HostCandidates.Advertised("127.0.0.1", fecRelay.port()))), group);
        fecLossy.whep.withFec(true);
        fecRelay.target(fecLossy.rtcPort);

        chromium = Chromium.start(dir);
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (chromium != null) {
                chromium.close();
            }
        } finally {
            for (AutoCloseable c : new AutoCloseable[] {direct, redLossy, redRelay, plainLossy, plainRelay, videoLossy,
                    videoRelay, fecLossy, fecRelay}) {
                if (c != null) {
                    c.close();
                }
            }
            if (source != null) {
                source.close();
            }
            if (group != null) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            }
        }
    }

    private Map<String, Object> audio() {
        return chromium.inboundRtp("vireo.pc", "audio");
    }

    /** Opens the player on {@code rig} and waits until Chromium has played a second of audio. */
    private void play(WhepRig rig) {
        chromium.open(rig.url("/play/live/av"));
        Await.until(Duration.ofSeconds(30), "Chromium plays a second of audio", () ->
                field(audio(), "totalSamplesReceived") > 48_000 || chromium.number("vireo.error === null ? null : 1") > 0);
        assertThat(chromium.js("return window.vireo.error")).as("player error").isNull();
        // the player starts muted; unmuted (--autoplay-policy=no-user-gesture-required) the track
        // is played out, so Chromium measures its energy
        Object played = chromium.jsAsync("const done = arguments[arguments.length - 1];"
                + "const v = document.getElementById('video'); v.muted = false;"
                + "v.play().then(() => done(!v.muted && !v.paused)).catch(e => done(String(e)));");
        assertThat(played).isEqualTo(true);
    }

    /** Concealed share of the audio Chromium plays over the next {@code seconds} of it. */
    private double concealment(int seconds) {
        Map<String, Object> a0 = audio();
        double total0 = field(a0, "totalSamplesReceived");
        double concealed0 = field(a0, "concealedSamples");
        Await.until(Duration.ofSeconds(seconds * 4L), seconds + " s more audio", () ->
                field(audio(), "totalSamplesReceived") >= total0 + seconds * 48_000.0);
        Map<String, Object> a = audio();
        return (field(a, "concealedSamples") - concealed0) / (field(a, "totalSamplesReceived") - total0);
    }

    private static WhepSessionStats session(WhepRig rig) {
        return rig.whep.sessions().stream().reduce((a, b) -> b).orElseThrow();
    }

    @Test
    void everyAudioPacketGoesOutAsRedAndChromiumDecodesIt() {
        play(direct);
        String answer = (String) chromium.js("return window.vireo.pc.remoteDescription.sdp");
        assertThat(answer).contains("a=rtpmap:" + CHROMIUM_AUDIO_RED + " red/48000/2")
                .contains("a=fmtp:" + CHROMIUM_AUDIO_RED + " 111/111").contains("useinbandfec=1");
        double concealed = concealment(3);
        Map<String, Object> a = audio();
        WhepSessionStats s = session(direct);
        assertThat(s.audioRedPackets()).as("audio packets sent as RED").isGreaterThan(150);
        assertThat(s.audioRedBlocks()).as("earlier packets repeated").isGreaterThan(150);
        // the tone is heard: samples decoded with energy, hardly any concealed on a clean path
        assertThat(field(a, "totalSamplesReceived")).isGreaterThan(48_000 * 3);
        // (the 440 Hz sine of ffmpeg's lavfi source: audioLevel about 0.09, silence 0)
        Await.until(Duration.ofSeconds(10), "audio energy", () -> field(audio(), "totalAudioEnergy") > 0.005
                && field(audio(), "audioLevel") > 0.02);
        // mostly decoded (a loaded machine stalls the browser: 0-7 % concealed on this link)
        assertThat(concealed).as("concealed share without loss").isLessThan(0.5);
        log.info("RED, no loss: {} RED packets ({} redundant blocks), Chromium {} packets, concealed {} %",
                s.audioRedPackets(), s.audioRedBlocks(), field(a, "packetsReceived"),
                String.format("%.2f", concealed * 100));
    }

    @Test
    void redConcealsLessThanPlainOpusUnderTwentyPercentLoss() {
        play(redLossy);
        double withRed = concealment(8);
        WhepSessionStats red = session(redLossy);
        Map<String, Object> redVideo = chromium.inboundRtp("vireo.pc", "video");
        assertThat(red.audioRedPackets()).isPositive();
        assertThat(redRelay.counters(ShapingRelay.Direction.TO_PEER).passed(CHROMIUM_AUDIO_RED))
                .as("RED packets through the lossy link").isGreaterThan(100);

        play(plainLossy);
        double without = concealment(8);
        WhepSessionStats plain = session(plainLossy);
        Map<String, Object> plainVideo = chromium.inboundRtp("vireo.pc", "video");
        assertThat(plain.audioRedPackets()).as("RED off: plain Opus").isZero();
        assertThat(plainRelay.counters(ShapingRelay.Direction.TO_PEER).passed(CHROMIUM_AUDIO_RED)).isZero();
        assertThat(plainRelay.counters(ShapingRelay.Direction.TO_PEER).rtpDropped()).isGreaterThan(50);

        log.info("20 % loss: audio concealed {} % with RED, {} % without; video with RED: {} frames decoded,"
                        + " {} freezes ({} s); without: {} decoded, {} freezes ({} s)",
                String.format("%.1f", withRed * 100), String.format("%.1f", without * 100),
                field(redVideo, "framesDecoded"), field(redVideo, "freezeCount"),
                field(redVideo, "totalFreezesDuration"), field(plainVideo, "framesDecoded"),
                field(plainVideo, "freezeCount"), field(plainVideo, "totalFreezesDuration"));
        assertThat(withRed).as("concealed share with RED vs without (%s)", without).isLessThan(without);
    }

    @Test
    void videoKeepsDecodingAtTenPercentLoss() {
        LossProbe.play(chromium, videoLossy, "/live/av");
        LossProbe.Window w = LossProbe.measure(chromium, () -> session(videoLossy), videoRelay, 15);
        log.info("10 % loss, 15 s: {}", LossProbe.HEADER);
        log.info("10 % loss, 15 s: {}", w.row("10 % random"));
        assertThat(w.dropped()).as("the relay lost packets").isGreaterThan(50);
        assertThat(w.retransmissions()).as("server-side retransmissions").isPositive();
        WhepSessionStats s = session(videoLossy);
        Map<String, Object> v = chromium.inboundRtp("vireo.pc", "video");
        log.info("10 % loss: FEC on {}, {} FEC packets sent; Chromium: {} FEC received, {} discarded, {} NACKs,"
                        + " {} retransmitted packets received", s.fecOn(), s.fecPackets(), field(v, "fecPacketsReceived"),
                field(v, "fecPacketsDiscarded"), field(v, "nackCount"), field(v, "retransmittedPacketsReceived"));

        // decoding goes on; at least a third of the source's frames in the window (30 fps) where the machine
        // keeps up (a loaded one slows Chromium's decoding itself: MachineLoad)
        assertThat(w.framesDecoded()).as("frames decoded in %s s", w.seconds()).isPositive();
        MachineLoad.aboveWhenQuiet("frames decoded per second at 10 % loss", w.framesDecoded() / w.seconds(), 10);
    }

    /**
     * NACK/RTX alone against ULPFEC on top, paired: two tabs play at once through two relays that
     * lose 10 % of the server's RTP (same seed), one from a server with FEC off (the default),
     * one with FEC on (it switches on from the viewer's receiver reports). Measured over the same
     * 15 s, so the machine's load falls on both alike.
     */
    @Test
    @org.junit.jupiter.api.Disabled("a coin toss on a quiet machine (session 10, load 2-4, three paired runs): frames"
            + " decoded with FEC / without 96/103, 85/102, 96/91 %, freezes/min 3.9/20, 7.9/8.0, 7.9/4.0; only the"
            + " longest gap was always shorter with FEC (67/267, 67/233, 33/183 ms). FEC stays off by default; see"
            + " docs/BENCHMARKS.md 'Loss matrix'")
    void videoWithUlpfecDecodesAtLeastAsMuchAsWithoutAtTenPercentLoss() {
        WebDriver driver = chromium.driver();
        String plainTab = driver.getWindowHandle();
        LossProbe.play(chromium, videoLossy, "/live/av");
        String fecTab = driver.switchTo().newWindow(WindowType.TAB).getWindowHandle();
        try {
            LossProbe.play(chromium, fecLossy, "/live/av");
            Await.until(Duration.ofSeconds(30), "FEC on for the lossy viewer", () -> session(fecLossy).fecOn());
            LossProbe.Start fecStart = LossProbe.begin(chromium, () -> session(fecLossy), fecRelay);
            driver.switchTo().window(plainTab);
            LossProbe.Start plainStart = LossProbe.begin(chromium, () -> session(videoLossy), videoRelay);
            Await.until(Duration.ofSeconds(60), "15 s of playback", () ->
                    field(audio(), "totalSamplesReceived") >= plainStart.samples0() + 15 * 48_000.0
                            || System.nanoTime() - plainStart.t0() > 30_000_000_000L);
            LossProbe.Window plain = LossProbe.end(chromium, plainStart);
            Map<String, Object> plainVideo = chromium.inboundRtp("vireo.pc", "video");
            driver.switchTo().window(fecTab);
            LossProbe.Window fec = LossProbe.end(chromium, fecStart);
            Map<String, Object> fecVideo = chromium.inboundRtp("vireo.pc", "video");
            WhepSessionStats p = session(videoLossy);
            WhepSessionStats f = session(fecLossy);
            log.info("10 % loss, paired: {}", LossProbe.HEADER);
            log.info("10 % loss, paired: {}", plain.row("10 % random, NACK/RTX"));
            log.info("10 % loss, paired: {}", fec.row("10 % random, NACK/RTX + ULPFEC"));
            log.info("10 % loss: without FEC Chromium {} NACKs, {} RTX received, {} PLI; server {}",
                    field(plainVideo, "nackCount"), field(plainVideo, "retransmittedPacketsReceived"),
                    field(plainVideo, "pliCount"), p);
            log.info("10 % loss: with FEC Chromium {} FEC received, {} discarded, {} NACKs, {} RTX received, {} PLI;"
                            + " server {}", field(fecVideo, "fecPacketsReceived"), field(fecVideo, "fecPacketsDiscarded"),
                    field(fecVideo, "nackCount"), field(fecVideo, "retransmittedPacketsReceived"),
                    field(fecVideo, "pliCount"), f);

            assertThat(plain.dropped()).as("the relay lost packets").isGreaterThan(50);
            assertThat(fec.dropped()).as("the FEC relay lost packets").isGreaterThan(50);
            assertThat(plain.retransmissions()).as("server-side retransmissions").isPositive();
            assertThat(fec.fecPackets()).as("FEC packets sent in the window").isPositive();
            // Chromium's inbound-rtp has no fecPacketsReceived for ULPFEC in RED (the field is absent: -1)
            // decoding goes on: at least a third of the source's frames in the window (30 fps)
            assertThat(plain.framesDecoded()).as("frames decoded without FEC in %s s", plain.seconds())
                    .isGreaterThan(plain.seconds() * 10);
            // FEC costs no picture: at least as many frames per second as without (5 % for the two
            // windows' edges, read one tab after the other)
            assertThat(fec.framesDecoded() / fec.seconds()).as("frames decoded per s with FEC vs without (%s)",
                    plain.framesDecoded() / plain.seconds())
                    .isGreaterThanOrEqualTo(0.95 * plain.framesDecoded() / plain.seconds());
        } finally {
            driver.switchTo().window(fecTab).close();
            driver.switchTo().window(plainTab);
        }
    }
}
