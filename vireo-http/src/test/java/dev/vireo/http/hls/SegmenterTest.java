package dev.vireo.http.hls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.MediaFrame;
import dev.vireo.core.StreamKey;
import dev.vireo.http.routing.Response;
import dev.vireo.media.Codec;
import dev.vireo.media.aac.AudioSpecificConfig;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The cutting rules on a synthetic 30 fps stream with AAC: segments at keyframes past the target,
 * parts within the Part Target, independent parts at keyframes, a discontinuity and a new init
 * segment when the publisher's configuration changes, and the target duration from the GOP.
 */
class SegmenterTest {

    /** A real avcC (ffmpeg, Constrained Baseline 160x120). */
    static final byte[] AVCC = HexFormat.of().parseHex(
            "0142c00affe100176742c00ad9047b0110000003001000000301e0f122648001000568cb83cb20");
    static final byte[] ASC = AudioSpecificConfig.of(2, 3, 2);

    private final EventExecutor loop = new DefaultEventExecutor();
    private final AtomicReference<Segmenter> stopped = new AtomicReference<>();

    @AfterEach
    void close() {
        loop.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
    }

    private Segmenter segmenter(long gopMillis) {
        HlsConfig c = HlsConfig.defaults().withIdleTimeout(Duration.ofMinutes(5));
        return new Segmenter(StreamKey.of("live", "t"), loop, c, gopMillis, stopped::set);
    }

    /** Frames at 30 fps (33/34 ms apart as RTMP ms stamps), a keyframe every {@code gop} frames, AAC in between. */
    private static void feed(Segmenter s, int fromFrame, int frames, int gop, long offsetMs) {
        for (int i = fromFrame; i < fromFrame + frames; i++) {
            long dts = offsetMs + i * 1000L / 30;
            boolean key = i % gop == 0;
            s.onFrame(MediaFrame.media(Codec.H264, dts, 0, key,
                    Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 2, (byte) (key ? 0x65 : 0x41), (byte) i})));
            if (i % 3 == 0) {
                s.onFrame(MediaFrame.media(Codec.AAC, dts, 0, false, Unpooled.wrappedBuffer(new byte[] {0x21, 0x10, 4})));
            }
        }
    }

    private static void configs(Segmenter s, byte[] avcC) {
        s.onFrame(MediaFrame.config(Codec.H264, 0, Unpooled.wrappedBuffer(avcC)));
        s.onFrame(MediaFrame.config(Codec.AAC, 0, Unpooled.wrappedBuffer(ASC)));
    }

    @Test
    void segmentsStartAtKeyframesPastTheTargetAndPartsStayWithinThePartTarget() {
        Segmenter s = segmenter(1000);
        configs(s, AVCC);
        feed(s, 0, 30 * 9, 30, 0);
        Timeline t = s.timeline();
        assertThat(t.targetDuration()).isEqualTo(2);
        assertThat(t.segments()).hasSize(4); // 0-2, 2-4, 4-6, 6-8 s; 8-9 s is open
        for (Segment seg : t.segments()) {
            assertThat(seg.durationMillis()).isBetween(1990L, 2010L);
            assertThat(seg.ts()[0]).as("TS starts with a sync byte").isEqualTo((byte) 0x47);
            assertThat(seg.parts()).hasSize(10);
            assertThat(seg.parts().getFirst().independent()).isTrue();
            long sum = 0;
            for (Part p : seg.parts()) {
                assertThat(p.durationMillis()).isLessThanOrEqualTo(200).isGreaterThanOrEqualTo(170); // §4.4.4.9
                assertThat(new String(p.bytes(), 4, 4)).isEqualTo("moof");
                sum += p.durationMillis();
            }
            assertThat(sum).isEqualTo(seg.durationMillis());
        }
        assertThat(t.segments().get(1).parts().get(5).independent()).as("the keyframe at 3 s").isTrue();
        assertThat(t.current().msn()).isEqualTo(4);
        assertThat(t.inits()).containsOnlyKeys(0);
        assertThat(new String(t.inits().get(0), 4, 4)).isEqualTo("ftyp");
    }

    @Test
    void aNewConfigurationAfterMediaStartsANewSegmentWithADiscontinuityAndANewInit() {
        Segmenter s = segmenter(1000);
        configs(s, AVCC);
        feed(s, 0, 30 * 3, 30, 0); // one complete segment, one open since 2 s
        byte[] other = AVCC.clone();
        other[3] = 0x1e; // another level: a new publisher's encoder
        configs(s, other);
        feed(s, 0, 30 * 5, 30, 3000); // its frames continue the time line (the hub rebases them)
        Timeline t = s.timeline();
        Segment cut = t.segments().get(1);
        assertThat(cut.durationMillis()).as("cut at the new publisher's first keyframe").isEqualTo(1000);
        Segment after = t.segments().get(2);
        assertThat(after.discontinuity()).isTrue();
        assertThat(after.discontinuitySequence()).isEqualTo(1);
        assertThat(after.initId()).isEqualTo(1);
        assertThat(t.segments().get(0).discontinuity()).isFalse();
        assertThat(t.inits()).containsKeys(0, 1);
    }

    @Test
    void theTargetDurationCoversSegmentsMadeOfWholeGops() {
        assertThat(Segmenter.targetDuration(2000, 0)).isEqualTo(2);
        assertThat(Segmenter.targetDuration(2000, 1000)).isEqualTo(2);
        assertThat(Segmenter.targetDuration(2000, 1500)).as("two 1.5 s GOPs").isEqualTo(3);
        assertThat(Segmenter.targetDuration(2000, 4000)).isEqualTo(4);
        assertThat(Segmenter.targetDuration(2000, 2500)).isEqualTo(3);
    }

    @Test
    void parkedRequestsAreAnsweredWhenThePartComesAndWhenTheSegmenterStops() throws Exception {
        Segmenter s = segmenter(1000);
        configs(s, AVCC);
        feed(s, 0, 10, 30, 0);
        Timeline now = s.timeline();
        long msn = now.current().msn();
        int next = now.current().parts().size();
        var waiting = s.waiters.park(t -> t.hasPart(msn, next), t -> Response.of(200), s::timeline,
                60_000, loop, () -> Response.of(503));
        assertThat(waiting).isNotDone();
        feed(s, 10, 10, 30, 0);
        assertThat(waiting.get(5, java.util.concurrent.TimeUnit.SECONDS).status()).isEqualTo(200);
        var never = s.waiters.park(t -> t.hasSegment(99), t -> Response.of(200), s::timeline,
                60_000, loop, () -> Response.of(503));
        loop.submit(() -> s.stop("test")).get();
        assertThat(never.get(5, java.util.concurrent.TimeUnit.SECONDS).status()).isEqualTo(404);
        assertThat(stopped.get()).isSameAs(s);
        assertThat(s.waiters.size()).isZero();
    }

    @Test
    void mp3AudioIsLeftOutAndTheVideoStillSegments() {
        Segmenter s = segmenter(1000);
        s.onFrame(MediaFrame.config(Codec.H264, 0, Unpooled.wrappedBuffer(AVCC)));
        for (int i = 0; i < 100; i++) {
            s.onFrame(MediaFrame.media(Codec.MP3, i * 33L, 0, false, Unpooled.wrappedBuffer(new byte[] {(byte) 0xFF, (byte) 0xFB})));
            s.onFrame(MediaFrame.media(Codec.H264, i * 33L, 0, i % 30 == 0,
                    Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 1, (byte) (i % 30 == 0 ? 0x65 : 0x41)})));
        }
        assertThat(s.timeline().segments()).hasSize(1);
        // one segment 0-2.97 s (keyframes at 0, 0.99, 1.98, 2.97 s), video only in its parts
        assertThat(s.timeline().segments().getFirst().durationMillis()).isEqualTo(2970);
        assertThat(s.timeline().segments().getFirst().parts()).hasSizeGreaterThan(10);
    }

    @Test
    void anAudioOnlyStreamGoesOnSegmentingAfterItsPublisherRestarts() {
        Segmenter s = segmenter(0);
        s.onFrame(MediaFrame.config(Codec.AAC, 0, Unpooled.wrappedBuffer(ASC)));
        aac(s, 0, 150); // 3.2 s of AAC at 48 kHz (21.33 ms frames)
        assertThat(s.timeline().segments()).hasSize(1);
        // the publisher reconnects within the grace: its configuration comes again, then its
        // audio, rebased by the hub to continue the time line
        s.onFrame(MediaFrame.config(Codec.AAC, 3300, Unpooled.wrappedBuffer(AudioSpecificConfig.of(2, 4, 2))));
        aac(s, 155, 300);
        Timeline t = s.timeline();
        assertThat(t.segments()).as("segments after the restart").hasSize(3);
        assertThat(t.current().msn()).isEqualTo(3);
        assertThat(t.segments().get(1).durationMillis()).as("cut at the new publisher's first frame").isBetween(1250L, 1350L);
        Segment after = t.segments().get(2);
        assertThat(after.discontinuity()).isTrue();
        assertThat(after.initId()).isEqualTo(1);
        assertThat(t.segments().getLast().parts()).isNotEmpty();
    }

    private static void aac(Segmenter s, int from, int to) {
        for (int i = from; i < to; i++) {
            s.onFrame(MediaFrame.media(Codec.AAC, i * 64L / 3, 0, false, Unpooled.wrappedBuffer(new byte[] {0x21, 0x10, 4})));
        }
    }

    @Test
    void everyMpegTsSegmentOfAnAudioOnlyStreamStartsWithItsProgramTables() {
        Segmenter s = segmenter(0);
        s.onFrame(MediaFrame.config(Codec.AAC, 0, Unpooled.wrappedBuffer(ASC)));
        aac(s, 0, 600); // 12.8 s
        assertThat(s.timeline().segments()).hasSizeGreaterThan(4);
        for (Segment seg : s.timeline().segments()) {
            // RFC 8216 §3.2: a TS segment starts with a PAT and a PMT (no EXT-X-MAP in classic HLS)
            int pid = ((seg.ts()[1] & 0x1F) << 8) | (seg.ts()[2] & 0xFF);
            assertThat(pid).as("PID of the first packet of segment %d", seg.msn()).isZero();
        }
    }

    @Test
    void everyPartOfAnAudioOnlyStreamIsIndependent() {
        Segmenter s = segmenter(0);
        s.onFrame(MediaFrame.config(Codec.AAC, 0, Unpooled.wrappedBuffer(ASC)));
        aac(s, 0, 200);
        Segment seg = s.timeline().segments().getFirst();
        assertThat(seg.parts()).hasSizeGreaterThan(5);
        // every AAC frame decodes on its own: a player may start at any part (rfc8216bis §4.4.4.9)
        assertThat(seg.parts()).allMatch(Part::independent);
        assertThat(s.timeline().current().parts()).allMatch(Part::independent);
    }

    @Test
    void aSegmenterStartedBeforeTheGopWasKnownListsItsSegmentsWithinTheTargetDuration() {
        // the first viewer came during the stream's first GOP: the hub did not know its length yet
        Segmenter s = segmenter(0);
        configs(s, AVCC);
        feed(s, 0, 30 * 16, 150, 0); // a keyframe every 5 s (encoders' "auto" keyframe intervals)
        Timeline t = s.timeline();
        assertThat(t.segments()).hasSize(3);
        for (Segment seg : t.segments()) {
            // RFC 8216 §4.3.3.1: the EXTINF rounded to the nearest integer MUST be <= the target duration
            assertThat(Math.round(seg.durationMillis() / 1000.0)).as("EXTINF of segment %d", seg.msn())
                    .isLessThanOrEqualTo(t.targetDuration());
        }
        assertThat(t.targetDuration()).isEqualTo(5);
    }

    @Test
    void theTargetDurationIsNotRaisedForSegmentsThatRoundToIt() {
        Segmenter s = segmenter(0);
        s.onFrame(MediaFrame.config(Codec.AAC, 0, Unpooled.wrappedBuffer(ASC)));
        aac(s, 0, 300); // segments of 2005 ms (94 AAC frames): EXTINF 2.005 rounds to 2
        assertThat(s.timeline().segments()).isNotEmpty();
        assertThat(s.timeline().targetDuration()).isEqualTo(2);
    }
}
