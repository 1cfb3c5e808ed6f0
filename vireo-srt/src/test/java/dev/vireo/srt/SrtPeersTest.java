package dev.vireo.srt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import dev.vireo.media.Codec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ffmpeg and srt-live-transmit as the real SRT peers: publish, pull back, probe. */
class SrtPeersTest {

    @TempDir
    Path dir;

    /** ffmpeg's libsrt caller publishing H.264 + AAC in MPEG-TS (as OBS does). */
    static Proc ffmpegPublish(Path dir, String url, int seconds) throws Exception {
        return Proc.start(dir, "ffmpeg-publish", null, Peers.ffmpeg(), "-hide_banner", "-v", "warning", "-re",
                "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", String.valueOf(seconds),
                "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-b:a", "64k", "-f", "mpegts", url);
    }

    @Test
    void ffmpegPublishesH264AndAacIntoTheHub() throws Exception {
        try (SrtFixture f = new SrtFixture();
             Proc pub = ffmpegPublish(dir, f.url("#!::r=live/srt1,m=publish", ""), 8)) {
            Await.until(Duration.ofSeconds(15), () -> "ffmpeg publishing over SRT: " + pub.output(),
                    () -> f.isLive("live", "srt1"));
            SrtFixture.Counting v = f.watch("live", "srt1");
            Await.until(Duration.ofSeconds(15), () -> "frames at the hub viewer: " + v.video + " video, " + v.audio
                    + " audio; " + pub.output(), () -> v.video.get() >= 50 && v.audio.get() >= 50 && v.keyframes.get() >= 2);
            assertThat(v.configs).contains(Codec.H264, Codec.AAC);
            assertThat(v.videoDts).isSorted();
            assertThat(f.server.sessions()).singleElement().satisfies(s -> {
                assertThat(s.role()).isEqualTo("publish");
                assertThat(s.key().path()).isEqualTo("/live/srt1");
            });
        }
    }

    @Test
    void srtLiveTransmitPullsTheStreamBackAsMpegTs() throws Exception {
        try (SrtFixture f = new SrtFixture();
             Proc pub = ffmpegPublish(dir, f.url("#!::r=live/srt2,m=publish", ""), 20)) {
            Await.until(Duration.ofSeconds(15), () -> "ffmpeg publishing over SRT: " + pub.output(),
                    () -> f.isLive("live", "srt2"));
            Path ts = dir.resolve("pulled.ts");
            try (Proc pull = Proc.start(dir, "slt-pull", ts, Peers.require("srt-live-transmit"), "-q",
                    f.url("#!::r=live/srt2,m=request", ""), "file://con")) {
                Await.until(Duration.ofSeconds(15), () -> "pulled bytes; " + pull.output(),
                        () -> ts.toFile().length() > 200_000);
            }
            Proc.Result probe = Proc.run(dir, 20, Peers.ffprobe(), "-v", "error", "-show_entries",
                    "stream=codec_name,width,height", "-of", "csv=p=0", ts.toString());
            assertThat(probe.exitCode()).as(probe.output()).isZero();
            assertThat(probe.output()).contains("h264,320,240").contains("aac");
            // decodes from the first byte: it starts on the GOP cache's keyframe
            Proc.Result decode = Proc.run(dir, 30, Peers.ffmpeg(), "-v", "error", "-i", ts.toString(), "-f", "null", "-");
            assertThat(decode.exitCode()).as(decode.output()).isZero();
            assertThat(decode.output()).doesNotContain("non-existing PPS").doesNotContain("no frame");
            assertThat(Files.size(ts)).isGreaterThan(200_000);
        }
    }

    @Test
    void aPlayerGetsTheNewCodecOfAPublisherThatCameBackWithAnother() throws Exception {
        try (SrtFixture f = new SrtFixture()) {
            Path ts = dir.resolve("switched.ts");
            try (Proc h264 = ffmpegPublish(dir, f.url("#!::r=live/srt3,m=publish", ""), 4)) {
                Await.until(Duration.ofSeconds(15), () -> "ffmpeg publishing over SRT: " + h264.output(),
                        () -> f.isLive("live", "srt3"));
                try (Proc pull = Proc.start(dir, "slt-pull", ts, Peers.require("srt-live-transmit"), "-q",
                        f.url("#!::r=live/srt3,m=request", ""), "file://con")) {
                    Await.until(Duration.ofSeconds(15), () -> "pulled H.264; " + pull.output(),
                            () -> codecs(ts).contains(Codec.H264));
                    // the encoder comes back within the reconnect grace, now with H.265 (OBS switched to HEVC)
                    Await.until(Duration.ofSeconds(15), () -> "first publisher gone; " + h264.output(),
                            () -> !f.isLive("live", "srt3"));
                    try (Proc h265 = Proc.start(dir, "ffmpeg-publish-hevc", null, Peers.ffmpeg(), "-hide_banner", "-v",
                            "warning", "-re", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i",
                            "sine=frequency=440:sample_rate=48000", "-t", "8", "-c:v", "libx265", "-preset", "ultrafast",
                            "-x265-params", "keyint=25:log-level=error", "-pix_fmt", "yuv420p", "-c:a", "aac", "-f",
                            "mpegts", f.url("#!::r=live/srt3,m=publish", ""))) {
                        Await.until(Duration.ofSeconds(20), () -> "pulled H.265: " + codecs(ts) + "; " + h265.output()
                                + pull.output(), () -> codecs(ts).contains(Codec.H265));
                    }
                }
            }
            java.util.List<Codec> after = codecs(ts);
            assertThat(after.subList(after.indexOf(Codec.H265), after.size())).doesNotContain(Codec.H264).contains(Codec.AAC);
        }
    }

    /** The codecs of the media samples in a TS file, in order. */
    private static java.util.List<Codec> codecs(Path ts) {
        java.util.List<Codec> got = new java.util.ArrayList<>();
        byte[] bytes;
        try {
            bytes = Files.exists(ts) ? Files.readAllBytes(ts) : new byte[0];
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try (dev.vireo.media.ts.TsDemuxer d = new dev.vireo.media.ts.TsDemuxer(s -> {
            if (!s.config()) {
                got.add(s.codec());
            }
            s.release();
        })) {
            d.feed(io.netty.buffer.Unpooled.wrappedBuffer(bytes));
        }
        return got;
    }
}
