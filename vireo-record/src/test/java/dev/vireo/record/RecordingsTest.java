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

    private void start(java.util.function.Function<StreamKey, java.util.Optional<RecordPolicy>> policies) {
        recordings = new Recordings(hub, dir, policies, java.time.Clock.systemUTC());
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

    @Test
    void flvRecordingsHoldTheHeaderTheSequenceHeadersAndEveryGopFromTimeZero() throws Exception {
        start(k -> java.util.Optional.of(new RecordPolicy(RecordFormat.FLV, Duration.ofHours(1), Duration.ZERO, 0)));
        Publication p = publish(hub, "pub-1", AVCC);
        frames(p, 30, 125); // starts at 1 s: the file's time stamps still start at 0
        Await.until(Duration.ofSeconds(10), "three GOPs written", () -> {
            List<Path> f = files();
            return f.size() == 1 && tags(f.getFirst()).stream().filter(t -> t.type() == 9).count() == 1 + 90;
        });
        Path file = files().getFirst();
        assertThat(file.getFileName().toString()).matches("\\d{8}-\\d{6}-\\d{3}\\.flv");
        List<dev.vireo.media.flv.FlvTag> tags = tags(file);
        assertThat(tags.get(0).type()).isEqualTo(9); // AVC sequence header
        assertThat(tags.get(0).body().getByte(1)).isZero();
        assertThat(tags.get(1).type()).isEqualTo(8); // AAC sequence header
        assertThat(tags.get(1).body().getByte(1)).isZero();
        assertThat(tags.get(2).timestamp()).isZero();
        assertThat(tags.getLast().timestamp()).isBetween(2900L, 3000L);
        long previous = 0;
        for (dev.vireo.media.flv.FlvTag t : tags) {
            assertThat(t.timestamp()).isGreaterThanOrEqualTo(previous);
            previous = t.timestamp();
        }
        tags.forEach(dev.vireo.media.flv.FlvTag::release);
        hub.kick(KEY, "test");
        Await.until(Duration.ofSeconds(10), "the file is done", () -> done.size() == 1);
        assertThat(done.getFirst().file()).isEqualTo(file);
    }

    @Test
    void aRuleChangeStartsAndStopsTheRecordingOfALiveStream() throws Exception {
        java.util.concurrent.atomic.AtomicReference<RecordPolicy> rule = new java.util.concurrent.atomic.AtomicReference<>();
        start(k -> java.util.Optional.ofNullable(rule.get()));
        Publication p = publish(hub, "pub-1", AVCC);
        frames(p, 0, 40);
        assertThat(recordings.recording()).isZero();
        rule.set(RecordPolicy.keepAll(Duration.ofHours(1)));
        recordings.reconsider();
        Await.until(Duration.ofSeconds(10), "recording", () -> recordings.recording() == 1);
        frames(p, 40, 100);
        Await.until(Duration.ofSeconds(10), "a file with a fragment", () -> files().size() == 1
                && boxes(files().getFirst()).contains("moof"));
        rule.set(null);
        recordings.reconsider();
        Await.until(Duration.ofSeconds(10), "stopped, the file done", () -> recordings.recording() == 0 && done.size() == 1);
        assertThat(done.getFirst().reason()).isEqualTo("recording stopped");
        frames(p, 100, 160);
        assertThat(files()).hasSize(1);
    }

    @Test
    void retentionDeletesOldFilesAndTheOldestBeyondTheSizeButNeverTheOpenOne() throws Exception {
        java.util.concurrent.atomic.AtomicReference<RecordPolicy> rule = new java.util.concurrent.atomic.AtomicReference<>(
                RecordPolicy.keepAll(Duration.ofHours(1)));
        start(k -> java.util.Optional.of(rule.get()));
        Path d = dir.resolve(KEY.vhost()).resolve("live").resolve("demo");
        Files.createDirectories(d);
        java.time.Instant now = java.time.Instant.now();
        Path old = Files.write(d.resolve("20200101-000000-000.mp4"), new byte[100]);
        Files.setLastModifiedTime(old, java.nio.file.attribute.FileTime.from(now.minus(Duration.ofDays(3))));
        Path mid = Files.write(d.resolve("20200102-000000-000.mp4"), new byte[300]);
        Files.setLastModifiedTime(mid, java.nio.file.attribute.FileTime.from(now.minus(Duration.ofHours(5))));
        Path young = Files.write(d.resolve("20200103-000000-000.flv"), new byte[300]);
        Path other = Files.write(d.resolve("notes.txt"), new byte[10]);
        Publication p = publish(hub, "pub-1", AVCC);
        frames(p, 0, 40);
        Await.until(Duration.ofSeconds(10), "the live file", () -> files().size() == 5);
        recordings.enforceRetentionNow();
        assertThat(files()).hasSize(5); // no limits: nothing deleted
        rule.set(new RecordPolicy(RecordFormat.FMP4, Duration.ofHours(1), Duration.ofDays(1), 500));
        recordings.enforceRetentionNow();
        // old: older than a day; mid: the oldest while 600 > 500; young and the open file stay
        assertThat(old).doesNotExist();
        assertThat(mid).doesNotExist();
        assertThat(young).exists();
        assertThat(other).exists();
        assertThat(files()).hasSize(3);
        assertThat(recordings.filesDeleted()).isEqualTo(2);
        assertThat(recordings.files().list(v -> true, null, null, 10)).extracting(RecordingFiles.Entry::recording)
                .containsExactly(true, false);
    }

    @Test
    void aStreamWhoseNamesCannotBeFileNamesIsNotRecorded() throws Exception {
        start(k -> java.util.Optional.of(RecordPolicy.keepAll(Duration.ofHours(1))));
        StreamKey bad = StreamKey.of("..", "x");
        Publication p = hub.publish(bad, "pub-1", r -> { });
        p.send(MediaFrame.config(Codec.H264, 0, Unpooled.wrappedBuffer(AVCC)));
        assertThat(recordings.recording()).isZero();
        try (Stream<Path> s = Files.walk(dir)) {
            assertThat(s.filter(Files::isRegularFile).toList()).isEmpty();
        }
    }

    private static List<dev.vireo.media.flv.FlvTag> tags(Path file) {
        try {
            io.netty.buffer.ByteBuf b = Unpooled.wrappedBuffer(Files.readAllBytes(file));
            dev.vireo.media.flv.FlvReader r = new dev.vireo.media.flv.FlvReader();
            List<dev.vireo.media.flv.FlvTag> out = new java.util.ArrayList<>();
            for (dev.vireo.media.flv.FlvTag t = r.next(b); t != null; t = r.next(b)) {
                out.add(t);
            }
            assertThat(b.readableBytes()).as("a tag cut short").isZero();
            return out;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
