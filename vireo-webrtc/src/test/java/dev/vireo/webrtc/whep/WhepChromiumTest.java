package dev.vireo.webrtc.whep;

import static dev.vireo.webrtc.testing.Chromium.field;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.Gate;
import dev.vireo.core.HubConfig;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.Publication;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.MachineLoad;
import dev.vireo.core.testing.Peers;
import dev.vireo.media.Codec;
import dev.vireo.webrtc.WebRtcConfig;
import dev.vireo.webrtc.WebRtcServer;
import dev.vireo.webrtc.ice.HostCandidates;
import dev.vireo.webrtc.stun.StunBinding;
import dev.vireo.webrtc.stun.StunMessage;
import dev.vireo.webrtc.testing.Av1Clip;
import dev.vireo.webrtc.testing.Chromium;
import dev.vireo.webrtc.testing.LinkModel;
import dev.vireo.webrtc.testing.ShapingRelay;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultEventExecutor;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WHEP against the real peer: headless Chromium plays through the player page what ffmpeg
 * encodes (640x360 H.264 at 30 fps, no B-frames), with Opus audio on a second stream, and a
 * libaom AV1 clip with Opus on a third, over a direct path and over a path that loses 10% of the
 * server's RTP.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class WhepChromiumTest {

    private static final Logger log = LoggerFactory.getLogger(WhepChromiumTest.class);
    private static final StreamKey VIDEO = StreamKey.of("live", "demo");
    private static final StreamKey AV = StreamKey.of("live", "av");
    private static final StreamKey AV1 = StreamKey.of("live", "av1");

    @TempDir
    static Path dir;

    private EventLoopGroup group;
    private DefaultEventExecutor timer;
    private StreamHub hub;
    private Publication video;
    private Publication av;
    private Publication av1;
    private ScheduledExecutorService av1Clock;
    private FfmpegFlvSource encoder;
    private ScheduledExecutorService audioClock;
    private WhepRig direct;
    private ShapingRelay relay;
    private WhepRig lossy;
    private WhepRig tcpOnly;
    private Chromium chromium;

    @BeforeAll
    void start() throws Exception {
        Peers.ffmpeg();
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        timer = new DefaultEventExecutor();
        hub = new StreamHub(HubConfig.defaults(), timer);
        video = hub.publish(VIDEO, "ffmpeg", reason -> { });
        av = hub.publish(AV, "ffmpeg+opus", reason -> { });

        // Opus on live/av, paced in real time on the video's clock (ffmpeg cannot write Opus in FLV).
        OggOpus opus = OggOpus.tone(dir, 10);
        av.send(MediaFrame.config(Codec.OPUS, 0, Unpooled.wrappedBuffer(opus.head())));
        long[] firstVideo = {-1};
        encoder = FfmpegFlvSource.testPattern(dir, 240, frame -> {
            if (firstVideo[0] < 0) {
                firstVideo[0] = System.nanoTime();
            }
            av.send(frame.retain());
            video.send(frame);
        });
        AtomicInteger next = new AtomicInteger();
        audioClock = Executors.newSingleThreadScheduledExecutor();
        audioClock.scheduleAtFixedRate(() -> {
            if (firstVideo[0] < 0) {
                return;
            }
            int i = next.getAndIncrement();
            byte[] packet = opus.packets().get(i % opus.packets().size());
            av.send(MediaFrame.media(Codec.OPUS, i * 20L, 0, false, Unpooled.wrappedBuffer(packet)));
        }, 20, 20, TimeUnit.MILLISECONDS);

        // AV1 + Opus on live/av1, both paced from one clock: a libaom clip's temporal units, looped.
        Av1Clip clip = av1Clip(dir);
        av1 = hub.publish(AV1, "libaom+opus", reason -> { });
        av1.send(MediaFrame.config(Codec.OPUS, 0, Unpooled.wrappedBuffer(opus.head())));
        av1.send(MediaFrame.config(Codec.AV1, 0, Unpooled.wrappedBuffer(clip.av1c())));
        long[] nextVideo = {0};
        AtomicInteger tick = new AtomicInteger();
        av1Clock = Executors.newSingleThreadScheduledExecutor();
        av1Clock.scheduleAtFixedRate(() -> {
            int i = tick.getAndIncrement();
            long now = i * 20L;
            for (long dts = nextVideo[0] * 1000 / 30; dts <= now; dts = ++nextVideo[0] * 1000 / 30) {
                Av1Clip.TemporalUnit tu = clip.units().get((int) (nextVideo[0] % clip.units().size()));
                av1.send(MediaFrame.media(Codec.AV1, dts, 0, tu.keyframe(), Unpooled.wrappedBuffer(tu.obus())));
            }
            byte[] packet = opus.packets().get(i % opus.packets().size());
            av1.send(MediaFrame.media(Codec.OPUS, now, 0, false, Unpooled.wrappedBuffer(packet)));
        }, 0, 20, TimeUnit.MILLISECONDS);

        direct = new WhepRig(hub, Gate.allowAll(), WebRtcConfig.defaults().withBind("127.0.0.1", 0), group);
        // 10 % of the server's RTP lost on the way to the browser, like a lossy last mile
        relay = new ShapingRelay(LinkModel.Impairment.NONE, LinkModel.Impairment.NONE.withLoss(0.10), 42);
        lossy = new WhepRig(hub, Gate.allowAll(), WebRtcConfig.defaults().withBind("127.0.0.1", 0)
                .withCandidates(List.of(new HostCandidates.Advertised("127.0.0.1", relay.port()))), group);
        relay.target(lossy.rtcPort);
        tcpOnly = new WhepRig(hub, Gate.allowAll(), WebRtcConfig.defaults().withBind("127.0.0.1", 0)
                .withTransports(WebRtcConfig.IceTransports.TCP), group);

        Await.until(Duration.ofSeconds(30), "the encoder's first GOP in the hub",
                () -> hub.find(VIDEO).map(s -> s.stats().gopCacheFrames() > 0).orElse(false));
        chromium = Chromium.start(dir);
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (chromium != null) {
                chromium.close();
            }
        } finally {
            if (audioClock != null) {
                audioClock.shutdownNow();
            }
            if (av1Clock != null) {
                av1Clock.shutdownNow();
                av1.close();
            }
            if (encoder != null) {
                encoder.close();
            }
            if (video != null) {
                video.close();
                av.close();
            }
            for (AutoCloseable c : new AutoCloseable[] {direct, lossy, relay, tcpOnly}) {
                if (c != null) {
                    c.close();
                }
            }
            if (hub != null) {
                hub.close();
            }
            if (group != null) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
                timer.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            }
        }
    }

    private double framesDecoded() {
        return field(chromium.inboundRtp("vireo.pc", "video"), "framesDecoded");
    }

    /** Opens the player and waits for the first decoded frame; returns the page's first-frame time. */
    private double play(WhepRig rig, String path) {
        chromium.open(rig.url("/play" + path));
        Await.until(Duration.ofSeconds(30), "Chromium decodes a frame of " + path, () -> framesDecoded() > 0
                || chromium.number("vireo.error === null ? null : 1") > 0);
        assertThat(chromium.js("return window.vireo.error")).as("player error").isNull();
        return Await.value(Duration.ofSeconds(5), "first frame time",
                () -> chromium.number("vireo.firstFrameMs") >= 0 ? chromium.number("vireo.firstFrameMs") : null);
    }

    /** Waits for {@code frames} more decoded frames; returns the decoding rate in frames per second. */
    private double decodeMore(int frames, Duration within) {
        double from = framesDecoded();
        long t0 = System.nanoTime();
        Await.until(within, frames + " more decoded frames", () -> framesDecoded() >= from + frames);
        double seconds = (System.nanoTime() - t0) / 1e9;
        return (framesDecoded() - from) / seconds;
    }

    @Test
    void chromiumPlays640x360H264FromThePlayerPage() {
        double firstFrameMs = play(direct, "/live/demo");
        long checksAtStart = direct.whep.sessions().getFirst().iceChecks();
        double fps = decodeMore(90, Duration.ofSeconds(20));
        Map<String, Object> v = chromium.inboundRtp("vireo.pc", "video");
        assertThat(field(v, "frameWidth")).isEqualTo(640);
        assertThat(field(v, "frameHeight")).isEqualTo(360);
        assertThat(chromium.inboundCodec("vireo.pc", "video")).isEqualTo("video/H264");
        MachineLoad.aboveWhenQuiet("decoded frames per second", fps, 20); // 90 came; the rate: MachineLoad
        // Chromium's RTCP: transport-wide feedback for the transport-cc extension we write, and
        // receiver reports answering our sender reports (LSR/DLSR give the round-trip time).
        Await.until(Duration.ofSeconds(10), "TWCC feedback and an RTT", () -> {
            WhepSessionStats st = direct.whep.sessions().getFirst();
            return st.twccFeedbacks() > 0 && st.rttMillis() >= 0;
        });
        WhepSessionStats s = direct.whep.sessions().getFirst();
        assertThat(s.connected()).isTrue();
        assertThat(s.framesSent()).isGreaterThan(90);
        // on loopback an RTT is milliseconds (a wrong LSR/DLSR reading gives seconds); a loaded machine's
        // stalls of the RR on its way in are in it too (MachineLoad)
        assertThat(s.rttMillis()).isNotNegative();
        MachineLoad.belowWhenQuiet("RTT from Chromium's receiver reports (ms)", s.rttMillis(), 1000);
        // Consent freshness (RFC 7675): Chromium keeps checking the selected pair while it plays.
        Await.until(Duration.ofSeconds(10), "a consent check", () ->
                direct.whep.sessions().getFirst().iceChecks() > checksAtStart);
        log.info("Chromium: first frame after {} ms (page), connected in {} ms, first frame sent at {} ms,"
                + " decoding {} fps, {} keyframe requests, {} NACKed, RTT {} ms, {} TWCC feedbacks, REMB {} bit/s",
                firstFrameMs, s.connectMillis(), s.firstFrameMillis(), String.format("%.1f", fps),
                s.pliReceived() + s.firReceived(), s.nacksReceived(), s.rttMillis(), s.twccFeedbacks(), s.rembBitrate());
    }

    /** RFC 6544: a network that lets no UDP through; the answer offers only the passive TCP candidate. */
    @Test
    void chromiumPlaysOverIceTcpWhenOnlyTheTcpCandidateIsAdvertised() {
        play(tcpOnly, "/live/demo");
        double fps = decodeMore(60, Duration.ofSeconds(20));
        MachineLoad.aboveWhenQuiet("decoded frames per second over ICE-TCP", fps, 20); // 60 came; the rate: MachineLoad
        assertThat(chromium.selectedCandidateProtocol("vireo.pc")).isEqualTo("tcp");
        WhepSessionStats s = tcpOnly.whep.sessions().getFirst();
        assertThat(s.connected()).isTrue();
        assertThat(tcpOnly.rtc.stats().sessions()).isEqualTo(1);
        log.info("Chromium over ICE-TCP: decoding {} fps, connected in {} ms", String.format("%.1f", fps),
                s.connectMillis());
    }

    @Test
    void opusAudioArrivesAndDecodesAlongsideTheVideo() {
        play(direct, "/live/av");
        Await.until(Duration.ofSeconds(20), "audio packets", () ->
                field(chromium.inboundRtp("vireo.pc", "audio"), "packetsReceived") > 50);
        double before = field(chromium.inboundRtp("vireo.pc", "audio"), "packetsReceived");
        Await.until(Duration.ofSeconds(10), "more audio packets", () ->
                field(chromium.inboundRtp("vireo.pc", "audio"), "packetsReceived") >= before + 100);
        Map<String, Object> a = chromium.inboundRtp("vireo.pc", "audio");
        assertThat(chromium.inboundCodec("vireo.pc", "audio")).isEqualTo("audio/opus");
        assertThat(field(a, "totalSamplesReceived")).isGreaterThan(48_000);
        assertThat(field(a, "concealedSamples")).isLessThan(field(a, "totalSamplesReceived") / 2);
        decodeMore(30, Duration.ofSeconds(10));
    }

    @Test
    void tenPercentLossIsRepairedWithNackRetransmissions() {
        long resentBefore = lossy.whep.retransmissions();
        play(lossy, "/live/demo");
        double fps = decodeMore(150, Duration.ofSeconds(40));
        Map<String, Object> v = chromium.inboundRtp("vireo.pc", "video");
        WhepSessionStats s = lossy.whep.sessions().getFirst();
        assertThat(relay.counters(ShapingRelay.Direction.TO_PEER).rtpDropped()).as("the relay lost packets").isGreaterThan(20);
        assertThat(field(v, "nackCount")).as("Chromium NACKed").isPositive();
        assertThat(s.nacksReceived()).isPositive();
        assertThat(lossy.whep.retransmissions()).as("server-side retransmissions").isGreaterThan(resentBefore);
        assertThat(s.retransmissions()).isPositive();
        log.info("10% loss: relay dropped {} of {} RTP packets; {} NACKed, {} resent, {} PLI/FIR ({} GOP resends),"
                + " {} fps decoded, {} frames dropped by Chromium", relay.counters(ShapingRelay.Direction.TO_PEER).rtpDropped(), relay.counters(ShapingRelay.Direction.TO_PEER).rtpDropped() + relay.counters(ShapingRelay.Direction.TO_PEER).rtpPassed(),
                s.nacksReceived(), s.retransmissions(), s.pliReceived() + s.firReceived(), s.gopResends(),
                String.format("%.1f", fps), field(v, "framesDropped"));
    }

    /** 4 s of 640x360 AV1 at 30 fps from libaom (realtime, keyframe every second), read from IVF. */
    private static Av1Clip av1Clip(Path dir) throws Exception {
        Path ivf = dir.resolve("av1.ivf");
        FfmpegFlvSource.run(dir, "-hide_banner", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
                "testsrc2=size=640x360:rate=30", "-t", "4", "-c:v", "libaom-av1", "-usage", "realtime", "-cpu-used", "8",
                "-lag-in-frames", "0", "-g", "30", "-b:v", "800k", "-f", "ivf", "-y", ivf.toString());
        return Av1Clip.readIvf(Files.readAllBytes(ivf));
    }

    private static WhepSessionStats sessionOf(WhepRig rig, StreamKey key) {
        return rig.whep.sessions().stream().filter(s -> s.stream().equals(key.path())).reduce((a, b) -> b).orElseThrow();
    }

    @Test
    void chromiumPlaysAv1WithOpus() {
        play(direct, "/live/av1");
        double fps = decodeMore(90, Duration.ofSeconds(20));
        Map<String, Object> v = chromium.inboundRtp("vireo.pc", "video");
        assertThat(chromium.inboundCodec("vireo.pc", "video")).isEqualTo("video/AV1");
        assertThat(field(v, "frameWidth")).isEqualTo(640);
        assertThat(field(v, "frameHeight")).isEqualTo(360);
        MachineLoad.aboveWhenQuiet("AV1 decoded frames per second", fps, 20); // 90 came; the rate: MachineLoad
        Await.until(Duration.ofSeconds(10), "audio packets", () ->
                field(chromium.inboundRtp("vireo.pc", "audio"), "packetsReceived") > 100);
        assertThat(chromium.inboundCodec("vireo.pc", "audio")).isEqualTo("audio/opus");
        WhepSessionStats s = sessionOf(direct, AV1);
        log.info("AV1+Opus: {} fps decoded, {} keyframe requests, {} frames dropped", String.format("%.1f", fps),
                s.pliReceived() + s.firReceived(), field(v, "framesDropped"));
    }

    @Test
    void av1UnderTenPercentLossIsRepairedWithNackRetransmissions() {
        play(lossy, "/live/av1");
        long droppedBefore = relay.counters(ShapingRelay.Direction.TO_PEER).rtpDropped();
        double fps = decodeMore(150, Duration.ofSeconds(40));
        Map<String, Object> v = chromium.inboundRtp("vireo.pc", "video");
        WhepSessionStats s = sessionOf(lossy, AV1);
        assertThat(chromium.inboundCodec("vireo.pc", "video")).isEqualTo("video/AV1");
        assertThat(relay.counters(ShapingRelay.Direction.TO_PEER).rtpDropped() - droppedBefore).as("the relay lost packets").isGreaterThan(20);
        assertThat(s.nacksReceived()).isPositive();
        assertThat(s.retransmissions()).isPositive();
        log.info("AV1, 10% loss: {} NACKed, {} resent, {} PLI/FIR ({} GOP resends), {} fps decoded,"
                + " {} frames dropped by Chromium", s.nacksReceived(), s.retransmissions(),
                s.pliReceived() + s.firReceived(), s.gopResends(), String.format("%.1f", fps), field(v, "framesDropped"));
    }

    @Test
    void garbageOnTheMediaPortDoesNotDisturbAPlayingSession() throws Exception {
        play(direct, "/live/demo");
        String answer = (String) chromium.js("return window.vireo.pc.remoteDescription.sdp");
        Matcher m = Pattern.compile("a=ice-ufrag:(\\S+)").matcher(answer);
        assertThat(m.find()).isTrue();
        String ufrag = m.group(1);
        WebRtcServer.Stats before = direct.rtc.stats();
        Random random = new Random(7);
        InetSocketAddress port = new InetSocketAddress(InetAddress.getLoopbackAddress(), direct.rtcPort);
        try (DatagramSocket attacker = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            for (int i = 0; i < 300; i++) {
                byte[] d = switch (i % 6) {
                    // random bytes with a STUN, DTLS, RTP or RTCP first byte
                    case 0 -> randomBytes(random, 0x00, 20 + random.nextInt(80));
                    case 1 -> randomBytes(random, 22, 13 + random.nextInt(200));
                    case 2 -> randomBytes(random, 0x80, 12 + random.nextInt(1200));
                    case 3 -> {
                        byte[] r = randomBytes(random, 0x81, 8 + random.nextInt(60));
                        r[1] = (byte) 201;
                        yield r;
                    }
                    // a well-formed check with the session's ufrag but a wrong password
                    case 4 -> check(random, ufrag + ":evil", "x".repeat(32));
                    // a check for a session that does not exist
                    default -> check(random, "nobody99:evil", "y".repeat(32));
                };
                attacker.send(new DatagramPacket(d, d.length, port));
            }
        }
        Await.until(Duration.ofSeconds(5), "the garbage is counted", () -> {
            WebRtcServer.Stats s = direct.rtc.stats();
            return s.unknownSource() - before.unknownSource() >= 200 && s.badChecks() - before.badChecks() >= 50;
        });
        decodeMore(60, Duration.ofSeconds(15));
        assertThat(direct.whep.sessions()).singleElement().satisfies(s -> {
            assertThat(s.connected()).isTrue();
            assertThat(s.endReason()).isNull();
        });
    }

    @Test
    void deletingTheWhepResourceEndsTheSession() {
        play(direct, "/live/demo");
        assertThat(direct.whep.sessions()).hasSize(1);
        Object status = chromium.jsAsync("const done = arguments[arguments.length - 1];"
                + "fetch(window.vireo.resource, {method: 'DELETE'}).then(r => done(r.status)).catch(e => done(String(e)));");
        assertThat(status).isEqualTo(200L);
        Await.until(Duration.ofSeconds(5), "the server ends the session", () -> direct.whep.sessions().isEmpty());
        // The DTLS close_notify tells the browser at once (no wait for its consent timeout).
        Await.until(Duration.ofSeconds(10), "Chromium sees the connection end", () -> !"connected".equals(
                chromium.js("return window.vireo.pc.connectionState")));
    }

    private static byte[] randomBytes(Random random, int first, int length) {
        byte[] b = new byte[length];
        random.nextBytes(b);
        b[0] = (byte) first;
        return b;
    }

    private static byte[] check(Random random, String username, String password) {
        byte[] tid = new byte[StunMessage.TRANSACTION_ID_SIZE];
        random.nextBytes(tid);
        int colon = username.indexOf(':');
        var buf = StunBinding.request(ByteBufAllocator.DEFAULT, tid, username.substring(0, colon),
                username.substring(colon + 1), password, 1, random.nextLong(), true);
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }
}
