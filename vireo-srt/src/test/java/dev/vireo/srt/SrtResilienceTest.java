package dev.vireo.srt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.vireo.core.Gate;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import dev.vireo.srt.lib.SrtCaller;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Passphrases with srt-live-transmit, and loss recovered by libsrt on a lossy relay. */
class SrtResilienceTest {

    @TempDir
    Path dir;

    private static final String PASS = "vireo-test-passphrase";

    @Test
    void srtLiveTransmitPublishesAndPullsWithThePassphraseAndAWrongOneIsRefused() throws Exception {
        try (SrtFixture f = new SrtFixture(Gate.allowAll(), SrtConfig.defaults().withPassphrase(PASS))) {
            // ffmpeg's MPEG-TS reaches srt-live-transmit through a pipe (its stdin), not a UDP port: a port
            // picked, closed and handed to srt-live-transmit could be taken by another process meanwhile.
            try (Proc slt = Proc.startReading(dir, "slt-publish", Peers.require("srt-live-transmit"), "-q",
                         "file://con", f.url("#!::r=live/enc,m=publish", "&passphrase=" + PASS));
                 Proc enc = Proc.startFeeding(dir, "ffmpeg-pipe", slt, Peers.ffmpeg(), "-hide_banner", "-v", "warning",
                         "-re", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine",
                         "-t", "20", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p",
                         "-c:a", "aac", "-f", "mpegts", "pipe:1")) {
                Await.until(Duration.ofSeconds(15), () -> "srt-live-transmit publishing: " + slt.output(),
                        () -> f.isLive("live", "enc"));
                Path ts = dir.resolve("pulled.ts");
                try (Proc pull = Proc.start(dir, "slt-pull", ts, Peers.require("srt-live-transmit"), "-q",
                        f.url("#!::r=live/enc,m=request", "&passphrase=" + PASS), "file://con")) {
                    Await.until(Duration.ofSeconds(15), () -> "pulled bytes; " + pull.output(),
                            () -> ts.toFile().length() > 150_000);
                }
                Proc.Result p = Proc.run(dir, 20, Peers.ffprobe(), "-v", "error", "-show_entries",
                        "stream=codec_name", "-of", "csv=p=0", ts.toString());
                assertThat(p.exitCode()).as(p.output()).isZero();
                assertThat(p.output()).contains("h264").contains("aac");
                // libsrt refuses a wrong passphrase itself: SRT_REJ_BADSECRET (10), and says so in our log
                InetSocketAddress srt = new InetSocketAddress("127.0.0.1", f.port);
                ListAppender<ILoggingEvent> log = new ListAppender<>();
                log.start();
                Logger loop = (Logger) LoggerFactory.getLogger(SrtLoop.class);
                loop.addAppender(log);
                try {
                    assertThatThrownBy(() -> SrtCaller.connect(srt, "#!::r=live/enc,m=request", "wrong-passphrase-1", 120)
                            .close()).isInstanceOfSatisfying(SrtCaller.Rejected.class, e -> assertThat(e.code()).isEqualTo(10));
                    Await.until(Duration.ofSeconds(5), () -> "a libsrt log line about the refused handshake: " + lines(log),
                            () -> lines(log).stream().anyMatch(l -> l.startsWith("libsrt: ") && l.contains("BADSECRET")));
                    assertThat(lines(log)).noneMatch(l -> l.contains("wrong-passphrase-1") || l.contains(PASS));
                } finally {
                    loop.detachAppender(log);
                }
                // and none at all: SRT_REJ_UNSECURE (11)
                assertThatThrownBy(() -> SrtCaller.connect(srt, "#!::r=live/enc,m=request", "", 120).close())
                        .isInstanceOfSatisfying(SrtCaller.Rejected.class, e -> assertThat(e.code()).isEqualTo(11));
                assertThat(f.isLive("live", "enc")).as("the publisher is unaffected").isTrue();
            }
        }
    }

    @Test
    void tenPercentLossWithLatency200IsRecoveredWithoutGaps() throws Exception {
        try (SrtFixture f = new SrtFixture(Gate.allowAll(), SrtConfig.defaults().withLatency(200))) {
            try (LossyRelay r = new LossyRelay(f.port, 0.10);
                 Proc pub = Proc.start(dir, "ffmpeg-lossy", null, Peers.ffmpeg(), "-hide_banner", "-v", "warning", "-re",
                         "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine",
                         "-t", "8", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p",
                         "-c:a", "aac", "-f", "mpegts",
                         "srt://127.0.0.1:" + r.port() + "?latency=200000&streamid=#!::r=live/lossy,m=publish")) {
                Await.until(Duration.ofSeconds(15), () -> "publishing through the relay: " + pub.output(),
                        () -> f.isLive("live", "lossy"));
                SrtFixture.Counting v = f.watch("live", "lossy");
                SrtSessionView[] last = new SrtSessionView[1];
                Await.until(Duration.ofSeconds(20), () -> "ffmpeg done: " + pub.output(), () -> {
                    f.server.sessions().forEach(s -> last[0] = s);
                    return !pub.process.isAlive();
                });
                // libsrt's numbers for the publisher's connection, sampled each second while it ran
                assertThat(last[0]).isNotNull();
                assertThat(last[0].stats().retransmittedReceived()).as("retransmitted packets received").isPositive();
                assertThat(last[0].stats().receiveLoss()).as("losses libsrt saw").isPositive();
                assertThat(last[0].stats().receiveDropped()).as("packets never recovered").isZero();
                // the listener-wide counters (metrics) include them
                assertThat(f.server.packetsRetransmitted()).as("retransmissions counted for metrics")
                        .isGreaterThanOrEqualTo(last[0].stats().retransmittedReceived());
                assertThat(f.server.packetsLost()).as("losses counted for metrics").isPositive();
                assertThat(last[0].mpegTsProblems()).as("continuity counter gaps or damage in the MPEG-TS").isZero();
                assertThat(r.dropped.get()).as("packets the relay dropped").isGreaterThan(20);
                List<Long> dts = v.videoDts;
                assertThat(dts.size()).isGreaterThan(100);
                for (int i = 1; i < dts.size(); i++) {
                    assertThat(dts.get(i) - dts.get(i - 1)).as("video frame %d follows the previous by 40 ms", i)
                            .isBetween(39L, 41L);
                }
            }
        }
    }

    private static List<String> lines(ListAppender<ILoggingEvent> log) {
        synchronized (log) {
            return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }
}
