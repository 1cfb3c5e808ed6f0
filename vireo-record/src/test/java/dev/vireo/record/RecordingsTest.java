package dev.vireo.record;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.HubConfig;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.Publication;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.media.Codec;
import dev.vireo.media.aac.AudioSpecificConfig;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.DefaultEventExecutor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recording through a real hub with frames published by the test: a file per stream that matches,
 * one fragment per GOP, the same file across a reconnect within the grace period, a new file on a
 * codec change and on rotation.
 */
class RecordingsTest {

    static final byte[] AVCC = HexFormat.of().parseHex(
            "0142c00affe100176742c00ad9047b0110000003001000000301e0f122648001000568cb83cb20");
    static final byte[] ASC = AudioSpecificConfig.of(2, 3, 2);
    static final StreamKey KEY = StreamKey.of("live", "demo");

    @TempDir
    Path dir;

    private final DefaultEventExecutor timer = new DefaultEventExecutor();
    private final StreamHub hub = new StreamHub(HubConfig.defaults().withReconnectGrace(Duration.ofSeconds(10)), timer);
    private Recordings recordings;
    private final List<RecordingDone> done = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        hub.close();
        if (recordings != null) {
            recordings.close();
        }
        timer.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    private void start(String patterns, Duration rotate) {
        recordings = new Recordings(hub, dir, RecordRules.parse(patterns, rotate));
        recordings.onFileDone(done::add);
        recordings.start();
    }

    private static Publication publish(StreamHub hub, String session, byte[] avcC) throws Exception {
        Publication p = hub.publish(KEY, session, r -> { });
        p.send(MediaFrame.config(Codec.H264, 0, Unpooled.wrappedBuffer(avcC)));
        p.send(MediaFrame.config(Codec.AAC, 0, Unpooled.wrappedBuffer(ASC)));
        return p;
    }

    private static void frames(Publication p, int from, int to) {
        for (int i = from; i < to; i++) {
            long dts = i * 1000L / 30;
            boolean key = i % 30 == 0;
            p.send(MediaFrame.media(Codec.H264, dts, 0, key,
                    Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 2, (byte) (key ? 0x65 : 0x41), (byte) i})));
            p.send(MediaFrame.media(Codec.AAC, dts, 0, false, Unpooled.wrappedBuffer(new byte[] {0x21, 0x10, 4})));
        }
    }

    private List<Path> files() {
        Path d = dir.resolve(KEY.vhost()).resolve("live").resolve("demo");
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.sorted().toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Top-level box types of a file. */
    private static List<String> boxes(Path file) {
        byte[] b;
        try {
            b = Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i + 8 <= b.length; ) {
            int size = ((b[i] & 0xFF) << 24) | ((b[i + 1] & 0xFF) << 16) | ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
            assertThat(size).isGreaterThanOrEqualTo(8);
            assertThat(i + size).as("a box cut short").isLessThanOrEqualTo(b.length);
            out.add(new String(b, i + 4, 4, StandardCharsets.ISO_8859_1));
            i += size;
        }
        return out;
    }

    @Test
    void aMatchingStreamIsRecordedOneFragmentPerGopAcrossAReconnect() throws Exception {
        start("live/*", Duration.ofHours(1));
        Publication p = publish(hub, "pub-1", AVCC);
        frames(p, 0, 95); // keyframes at 0, 1, 2, 3 s: three complete GOPs
        Await.until(Duration.ofSeconds(10), "three fragments written", () -> {
            List<Path> f = files();
            return f.size() == 1 && boxes(f.getFirst()).stream().filter("moof"::equals).count() == 3;
        });
        assertThat(boxes(files().getFirst()).subList(0, 2)).containsExactly("ftyp", "moov");
        p.close();
        Publication again = publish(hub, "pub-2", AVCC); // same configuration, within the grace
        frames(again, 0, 65);
        Await.until(Duration.ofSeconds(10), "the same file continues", () -> {
            List<Path> f = files();
            return f.size() == 1 && boxes(f.getFirst()).stream().filter("moof"::equals).count() >= 5;
        });
        assertThat(recordings.bytesWritten()).isEqualTo(Files.size(files().getFirst()));
        hub.kick(KEY, "test");
        Await.until(Duration.ofSeconds(10), "the file is done", () -> done.size() == 1);
        assertThat(done.getFirst().file()).isEqualTo(files().getFirst());
        assertThat(done.getFirst().durationMillis()).isBetween(4900L, 5300L);
        assertThat(recordings.recording()).isZero();
    }

    @Test
    void aCodecChangeAndTheRotationStartNewFiles() throws Exception {
        start("live/demo", Duration.ofSeconds(2));
        Publication p = publish(hub, "pub-1", AVCC);
        frames(p, 0, 100); // rotation at the first keyframe ≥ 2 s: 0-2 s, 2-3.3 s (open)
        Await.until(Duration.ofSeconds(10), "rotated once", () -> files().size() == 2);
        byte[] other = AVCC.clone();
        other[3] = 0x1e;
        p.send(MediaFrame.config(Codec.H264, 0, Unpooled.wrappedBuffer(other)));
        frames(p, 100, 130);
        Await.until(Duration.ofSeconds(10), "a new file after the codec change", () -> files().size() == 3);
        assertThat(done).extracting(RecordingDone::reason).containsExactly("rotation", "codec configuration changed");
    }

    @Test
    void otherStreamsAreNotRecorded() throws Exception {
        start("news/*", Duration.ofHours(1));
        Publication p = publish(hub, "pub-1", AVCC);
        frames(p, 0, 40);
        assertThat(recordings.recording()).isZero();
        assertThat(files()).isEmpty();
    }
}
