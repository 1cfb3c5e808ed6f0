package dev.vireo.server;

import static dev.vireo.webrtc.testing.Chromium.field;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.Stream;
import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import dev.vireo.media.Codec;
import dev.vireo.media.flv.FlvPacketKind;
import dev.vireo.media.flv.FlvReader;
import dev.vireo.media.flv.FlvTag;
import dev.vireo.media.flv.FlvVideoPacket;
import dev.vireo.media.hevc.HevcDecoderConfigurationRecord;
import dev.vireo.webrtc.testing.Chromium;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * H.265 and Opus contributed over SRT in MPEG-TS (issue 14), with real peers on both ends:
 * ffmpeg encodes libx265 / libopus into MPEG-TS over SRT; ffprobe reads the HEVC stream back over
 * classic HLS (TS, stream_type 0x24), LL-HLS (fMP4 hvc1) and an SRT pull ({@code m=request}, with
 * AAC), and
 * ffmpeg's HEVC decoder decodes the bitstream carried in the enhanced-FLV ({@code hvc1} FourCC)
 * tags of HTTP-FLV (Debian's ffprobe 5.1 does not read enhanced FLV itself); headless Chromium
 * plays the Opus stream over WHEP (Opus passed through: audio energy in getStats), and FLV viewers
 * of it get the {@code @aac} variant (ffprobe: aac).
 */
@Timeout(180)
class VireoServerSrtCodecsTest {

    @TempDir
    Path dir;

    private VireoServer server;
    private Process ffmpeg;
    private Chromium chromium;

    private VireoServer.BoundPorts start() {
        Config c = TestConfigs.loopback(dir.resolve("data"));
        server = new VireoServer(c);
        VireoServer.BoundPorts ports = server.start();
        if (ports.srt() < 0) {
            String message = "libsrt 1.5 is not installed (./test installs libsrt1.5-openssl)";
            if (Boolean.getBoolean("vireo.requirePeers")) {
                throw new AssertionError(message);
            }
            org.junit.jupiter.api.Assumptions.assumeTrue(false, message);
        }
        return ports;
    }

    /** ffmpeg pushing 60 s of test pattern + tone in MPEG-TS over SRT with the given codec options. */
    private Process publish(String url, List<String> codecs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-v", "warning", "-re",
                "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                "-t", "60"));
        cmd.addAll(codecs);
        cmd.addAll(List.of("-f", "mpegts", url));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("ffmpeg.log").toFile()).start();
    }



    private void awaitLive(String stream) {
        StreamKey key = new StreamKey(StreamKey.DEFAULT_VHOST, "live", stream);
        Await.until(Duration.ofSeconds(30), () -> "ffmpeg publishing live/" + stream + " over SRT: " + ffmpegLog(),
                () -> server.hub().find(key).map(Stream::isLive).orElse(false));
    }

    private String ffmpegLog() {
        try {
            return Files.readString(dir.resolve("ffmpeg.log"));
        } catch (Exception e) {
            return e.toString();
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (chromium != null) {
            chromium.close();
        }
        if (ffmpeg != null) {
            ffmpeg.destroy();
            ffmpeg.waitFor(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void hevcPublishedOverSrtIsReadBackOverHlsLlHlsSrtAndEnhancedFlv() throws Exception {
        VireoServer.BoundPorts ports = start();
        ffmpeg = publish("srt://127.0.0.1:" + ports.srt() + "?streamid=#!::r=live/hevc1,m=publish",
                List.of("-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "bframes=0:keyint=25:log-level=error",
                        "-pix_fmt", "yuv420p", "-c:a", "aac"));
        awaitLive("hevc1");
        String http = "http://127.0.0.1:" + ports.http();

        // classic HLS (TS segments) and LL-HLS (fMP4): ffprobe sees HEVC 320x240 + AAC
        for (String playlist : List.of("/live/hevc1.m3u8", "/live/hevc1/llhls.m3u8")) {
            String[] out = {""};
            Await.until(Duration.ofSeconds(30), () -> "ffprobe " + playlist + ": " + out[0], () -> {
                VireoServerSrtTest.Proc p;
                try {
                    p = probe(http + playlist);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                out[0] = p.output();
                return p.exit() == 0 && p.output().contains("hevc,320,240");
            });
            // Not asserted here: AAC in the playlists. From MPEG-TS the audio config arrives with the
            // first ADTS frame, often after the first video keyframe, so the segmenter starts
            // video-only and adds audio at a discontinuity, which ffprobe of the playlist may not
            // show (known, reported); the SRT pull and HTTP-FLV below carry AAC from the start.
        }

        // an SRT pull (m=request) with srt-live-transmit: ffprobe reads HEVC from the TS it wrote
        Path ts = dir.resolve("pulled.ts");
        Process pull = new ProcessBuilder(Peers.require("srt-live-transmit"), "-q",
                "srt://127.0.0.1:" + ports.srt() + "?streamid=#!::r=live/hevc1,m=request", "file://con")
                .redirectOutput(ts.toFile()).redirectError(dir.resolve("slt.log").toFile()).start();
        try {
            Await.until(Duration.ofSeconds(20), "srt-live-transmit pulling live/hevc1", () -> ts.toFile().length() > 100_000);
        } finally {
            pull.destroy();
            pull.waitFor(5, TimeUnit.SECONDS);
        }
        VireoServerSrtTest.Proc pulled = probe(ts.toString());
        assertThat(pulled.output()).as("ffprobe of the pulled TS").contains("hevc,320,240").contains("aac");

        // HTTP-FLV: enhanced RTMP video tags (FourCC hvc1); the bitstream they carry decodes in ffmpeg
        Path annexB = dir.resolve("from-flv.hevc");
        int[] counts = flvHevcToAnnexB(http + "/live/hevc1.flv", annexB, 50);
        assertThat(counts[0]).as("HEVC SequenceStart tags").isGreaterThanOrEqualTo(1);
        assertThat(counts[1]).as("HEVC coded-frame tags").isGreaterThanOrEqualTo(50);
        assertThat(counts[2]).as("AAC tags").isPositive();
        VireoServerSrtTest.Proc decoded = VireoServerSrtTest.Proc.run(dir, 60, Peers.ffprobe(), "-v", "error",
                "-f", "hevc", "-count_frames", "-show_entries", "stream=codec_name,width,height,nb_read_frames",
                "-of", "csv=p=0", annexB.toString());
        assertThat(decoded.exit()).as(decoded.output()).isZero();
        String[] f = decoded.output().strip().split(",");
        assertThat(f[0] + "," + f[1] + "," + f[2]).as(decoded.output()).isEqualTo("hevc,320,240");
        assertThat(Integer.parseInt(f[3])).as("frames ffmpeg decoded from the FLV's HEVC").isGreaterThanOrEqualTo(49);
    }

    @Test
    void opusPublishedOverSrtPlaysInChromiumOverWhepAndAsAacOverFlv() throws Exception {
        VireoServer.BoundPorts ports = start();
        ffmpeg = publish("srt://127.0.0.1:" + ports.srt() + "?streamid=#!::r=live/opus1,m=publish",
                List.of("-c:v", "libx264", "-preset", "ultrafast", "-profile:v", "baseline", "-bf", "0", "-g", "25",
                        "-pix_fmt", "yuv420p", "-c:a", "libopus", "-b:a", "64k"));
        awaitLive("opus1");
        String http = "http://127.0.0.1:" + ports.http();
        StreamKey key = new StreamKey(StreamKey.DEFAULT_VHOST, "live", "opus1");
        Await.until(Duration.ofSeconds(10), "the stream's audio config (OpusHead from the TS demuxer)",
                () -> server.hub().find(key).map(Stream::audioCodec).orElse(null) == Codec.OPUS);

        // FLV cannot carry Opus for ffprobe: FLV viewers get the @aac variant
        VireoServerSrtTest.Proc flv = probe(http + "/live/opus1.flv");
        assertThat(flv.exit()).as(flv.output()).isZero();
        assertThat(flv.output()).contains("h264,320,240").contains("aac");

        // WHEP: Opus goes to the browser as it came (no variant), and Chromium decodes sound
        chromium = Chromium.start(dir);
        chromium.open(http + "/play/live/opus1?via=whep");
        Await.until(Duration.ofSeconds(40), "the player plays over WHEP", () -> "playing".equals(
                chromium.js("return window.vireo && window.vireo.state")) && "whep".equals(chromium.js("return window.vireo.protocol")));
        assertThat(server.whep().sessions()).singleElement()
                .satisfies(s -> assertThat(s.stream()).isEqualTo("/live/opus1"));
        // the player starts muted; unmuted (--autoplay-policy=no-user-gesture-required) the Opus
        // track is played out and its energy grows (the 440 Hz sine: audioLevel ~0.09, silence 0)
        Object played = chromium.jsAsync("const done = arguments[arguments.length - 1];"
                + "const v = document.getElementById('video'); v.muted = false;"
                + "v.play().then(() => done(!v.muted && !v.paused)).catch(e => done(String(e)));");
        assertThat(played).isEqualTo(true);
        double[] energy = {0};
        Object[] stats = {null};
        Await.until(Duration.ofSeconds(20), () -> "Chromium decodes video and Opus with energy: " + stats[0], () -> {
            Map<String, Object> a = chromium.inboundRtp("window.vireo.pc", "audio");
            stats[0] = a;
            energy[0] = field(a, "totalAudioEnergy");
            return field(chromium.inboundRtp("window.vireo.pc", "video"), "framesDecoded") > 25
                    && field(a, "totalSamplesReceived") > 48_000 && energy[0] > 0.005 && field(a, "audioLevel") > 0.02;
        });
        assertThat(chromium.inboundCodec("window.vireo.pc", "audio")).isEqualToIgnoringCase("audio/opus");
        assertThat(chromium.consoleErrors()).isEmpty();
    }

    private VireoServerSrtTest.Proc probe(String url) throws Exception {
        return VireoServerSrtTest.Proc.run(dir, 40, Peers.ffprobe(), "-v", "error", "-rw_timeout", "15000000",
                "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", url);
    }

    /**
     * Reads HTTP-FLV until {@code frames} HEVC coded-frame tags arrived, checks each video tag is
     * enhanced RTMP HEVC, and writes its parameter sets and NAL units as an Annex B stream.
     *
     * @return {sequence starts, coded-frame tags, audio tags}
     */
    private static int[] flvHevcToAnnexB(String url, Path out, int frames) throws Exception {
        int[] counts = new int[3];
        ByteArrayOutputStream annexB = new ByteArrayOutputStream();
        FlvReader reader = new FlvReader();
        ByteBuf acc = Unpooled.buffer();
        int lengthSize = 4;
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(r.statusCode()).isEqualTo(200);
            try (InputStream in = r.body()) {
                byte[] chunk = new byte[16384];
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (counts[1] < frames && System.nanoTime() < deadline) {
                    int n = in.read(chunk);
                    if (n < 0) {
                        break;
                    }
                    acc.writeBytes(chunk, 0, n);
                    FlvTag tag;
                    while ((tag = reader.next(acc)) != null) {
                        try {
                            if (tag.type() == FlvTag.AUDIO) {
                                counts[2]++;
                            } else if (tag.type() == FlvTag.VIDEO) {
                                FlvVideoPacket v = FlvVideoPacket.parse(tag.body());
                                assertThat(v.codec()).isEqualTo(Codec.H265);
                                assertThat(v.enhanced()).as("enhanced RTMP signalling (FourCC hvc1)").isTrue();
                                ByteBuf p = v.payload();
                                if (v.kind() == FlvPacketKind.CONFIG) {
                                    counts[0]++;
                                    HevcDecoderConfigurationRecord rec = HevcDecoderConfigurationRecord.parse(p.duplicate());
                                    lengthSize = rec.lengthSize();
                                    for (HevcDecoderConfigurationRecord.NalArray a : rec.arrays()) {
                                        for (byte[] nal : a.nalUnits()) {
                                            annexB.write(new byte[] {0, 0, 0, 1});
                                            annexB.write(nal);
                                        }
                                    }
                                } else if (v.kind() == FlvPacketKind.CODED && counts[0] > 0) {
                                    counts[1]++;
                                    int i = p.readerIndex();
                                    while (i + lengthSize <= p.writerIndex()) {
                                        int len = 0;
                                        for (int b = 0; b < lengthSize; b++) {
                                            len = (len << 8) | p.getUnsignedByte(i + b);
                                        }
                                        i += lengthSize;
                                        assertThat(i + len).as("NAL length within the tag").isLessThanOrEqualTo(p.writerIndex());
                                        byte[] nal = new byte[len];
                                        p.getBytes(i, nal);
                                        annexB.write(new byte[] {0, 0, 0, 1});
                                        annexB.write(nal);
                                        i += len;
                                    }
                                }
                            }
                        } finally {
                            tag.release();
                        }
                    }
                    if (acc.refCnt() == 1) {
                        acc.discardReadBytes();
                    }
                }
            }
        } finally {
            acc.release();
        }
        Files.write(out, annexB.toByteArray());
        return counts;
    }
}
