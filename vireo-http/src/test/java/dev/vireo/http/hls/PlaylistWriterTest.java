package dev.vireo.http.hls;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Playlists against the rules of RFC 8216 and draft-pantos-hls-rfc8216bis (sections cited). */
class PlaylistWriterTest {

    static final SegmentUris URIS = new SegmentUris() {
        public String init(int initId) {
            return "init" + initId + ".mp4?t=x";
        }

        public String segment(long msn) {
            return "s" + msn + ".m4s?t=x";
        }

        public String part(long msn, int index) {
            return "p" + msn + "_" + index + ".m4s?t=x";
        }
    };

    static final long T0 = 1_800_000_000_000L;

    /** {@code n} complete 2 s segments of ten 200 ms parts from msn {@code first}; one discontinuity at {@code disc}. */
    static List<Segment> segments(long first, int n, long disc) {
        List<Segment> out = new ArrayList<>();
        long dsn = 0;
        for (long m = first; m < first + n; m++) {
            boolean d = m == disc;
            if (d) {
                dsn++;
            }
            List<Part> parts = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                parts.add(new Part(i, 200, i == 0, new byte[] {1}));
            }
            out.add(new Segment(m, 2000, T0 + m * 2000, d, dsn, d ? 1 : 0, parts, new byte[] {0x47}));
        }
        return out;
    }

    static Timeline timeline(List<Segment> segments, int openParts) {
        long next = segments.isEmpty() ? 0 : segments.getLast().msn() + 1;
        long dsn = segments.isEmpty() ? 0 : segments.getLast().discontinuitySequence();
        int init = segments.isEmpty() ? 0 : segments.getLast().initId();
        List<Part> parts = new ArrayList<>();
        for (int i = 0; i < openParts; i++) {
            parts.add(new Part(i, 200, i == 0, new byte[] {1}));
        }
        return new Timeline(2, 200, segments, 10, new Timeline.Open(next, T0 + next * 2000, false, dsn, init, parts),
                Map.of(0, new byte[0]), false);
    }

    @Test
    void classicPlaylistHasTheRfc8216HeaderAndOneEntryPerSegment() {
        String p = PlaylistWriter.classic(timeline(segments(0, 3, -1), 0), URIS);
        assertThat(p).startsWith("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n");
        assertThat(p).doesNotContain("#EXT-X-DISCONTINUITY-SEQUENCE", "#EXT-X-PART", "#EXT-X-ENDLIST");
        // §4.3.2.1 EXTINF then the URI line, §4.3.2.6 date-time on every segment
        assertThat(p).contains("#EXT-X-PROGRAM-DATE-TIME:2027-01-15T08:00:00.000Z\n#EXTINF:2.000,\ns0.m4s?t=x\n");
        assertThat(p.lines().filter(l -> l.startsWith("#EXTINF:"))).hasSize(3);
    }

    @Test
    void theWindowSlidesWithTheMediaSequenceAndKeepsDiscontinuityNumbers() {
        // 14 segments kept, 10 listed (§6.2.2: sequence numbers grow by one per removed segment)
        List<Segment> s = segments(100, 14, 102);
        String p = PlaylistWriter.classic(timeline(s, 0), URIS);
        assertThat(p).contains("#EXT-X-MEDIA-SEQUENCE:104\n");
        // the discontinuity at 102 left the playlist: §6.2.2 the sequence counts it (§4.3.3.3)
        assertThat(p).contains("#EXT-X-DISCONTINUITY-SEQUENCE:1\n").doesNotContain("#EXT-X-DISCONTINUITY\n");
        List<Segment> listedWithDisc = segments(100, 10, 105);
        String q = PlaylistWriter.classic(timeline(listedWithDisc, 0), URIS);
        assertThat(q).doesNotContain("#EXT-X-DISCONTINUITY-SEQUENCE").contains("#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME");
        // a segment whose own tag is listed first: the header counts the tags before it only
        assertThat(PlaylistWriter.firstDiscontinuitySequence(listedWithDisc.get(5))).isZero();
    }

    @Test
    void lowLatencyPlaylistHasServerControlPartsAndAPreloadHint() {
        String p = PlaylistWriter.lowLatency(timeline(segments(0, 6, -1), 3), URIS, false);
        assertThat(p).contains("#EXT-X-VERSION:6\n"); // §8: EXT-X-MAP needs 6
        // §4.4.3.8: CAN-SKIP-UNTIL ≥ 6 target durations, PART-HOLD-BACK ≥ 2 (3 recommended) part targets
        assertThat(p).contains("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL=12.000,PART-HOLD-BACK=0.600\n");
        assertThat(p).contains("#EXT-X-PART-INF:PART-TARGET=0.200\n");
        assertThat(p).contains("#EXT-X-MAP:URI=\"init0.mp4?t=x\"\n");
        // §6.2.2: parts only for the last three target durations (the last three segments and the open one)
        assertThat(p).doesNotContain("p2_0.m4s").contains("#EXT-X-PART:DURATION=0.200,URI=\"p3_0.m4s?t=x\",INDEPENDENT=YES\n");
        assertThat(p).contains("#EXT-X-PART:DURATION=0.200,URI=\"p5_9.m4s?t=x\"\n#EXTINF:2.000,\ns5.m4s?t=x\n");
        // the open segment: its parts, then the hint for the part being made (§4.4.5.3)
        assertThat(p).endsWith("URI=\"p6_2.m4s?t=x\"\n#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"p6_3.m4s?t=x\"\n");
        for (String line : p.lines().filter(l -> l.startsWith("#EXT-X-PART:")).toList()) {
            // §4.4.4.9: no part longer than the Part Target
            assertThat(Double.parseDouble(line.replaceAll(".*DURATION=([0-9.]+).*", "$1"))).isLessThanOrEqualTo(0.2);
        }
    }

    @Test
    void aDeltaUpdateSkipsSegmentsOlderThanTheSkipBoundary() {
        // 10 listed segments of 2 s (20 s); CAN-SKIP-UNTIL 12 s: segments ending more than 12 s before
        // the end are skipped (§6.2.5.1): s0..s3 end 18, 16, 14, 12.000 s before it -> 3 skipped
        List<Segment> s = segments(0, 10, -1);
        assertThat(PlaylistWriter.skippable(s, 12_000)).isEqualTo(3);
        String p = PlaylistWriter.lowLatency(timeline(s, 1), URIS, true);
        assertThat(p).contains("#EXT-X-VERSION:9\n"); // §8: EXT-X-SKIP needs 9
        assertThat(p).contains("#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-SKIP:SKIPPED-SEGMENTS=3\n");
        assertThat(p).doesNotContain("s2.m4s").contains("s3.m4s");
        // the first segment after the skip still gets the map (it applies to it)
        assertThat(p.indexOf("#EXT-X-MAP")).isLessThan(p.indexOf("s3.m4s"));
        // nothing old enough: no skip tag and version 6
        String short_ = PlaylistWriter.lowLatency(timeline(segments(0, 4, -1), 1), URIS, true);
        assertThat(short_).contains("#EXT-X-VERSION:6").doesNotContain("EXT-X-SKIP");
    }

    @Test
    void aNewInitSegmentGetsItsOwnMapAfterTheDiscontinuity() {
        String p = PlaylistWriter.lowLatency(timeline(segments(0, 4, 2), 1), URIS, false);
        int disc = p.indexOf("#EXT-X-DISCONTINUITY\n");
        assertThat(disc).isPositive();
        assertThat(p.indexOf("#EXT-X-MAP:URI=\"init1.mp4")).isGreaterThan(p.indexOf("s1.m4s")).isLessThan(disc);
    }

    @Test
    void anEndedStreamGetsEndlistAndNoHint() {
        Timeline t = timeline(segments(0, 3, -1), 2);
        Timeline ended = new Timeline(t.targetDuration(), t.partTargetMillis(), t.segments(), 10, t.current(),
                t.inits(), true);
        assertThat(PlaylistWriter.lowLatency(ended, URIS, true)).endsWith("#EXT-X-ENDLIST\n")
                .doesNotContain("PRELOAD-HINT", "EXT-X-SKIP");
        assertThat(PlaylistWriter.classic(ended, URIS)).endsWith("#EXT-X-ENDLIST\n");
    }

    @Test
    void durationsAreDecimalSecondsWithMilliseconds() {
        assertThat(PlaylistWriter.seconds(2033)).isEqualTo("2.033");
        assertThat(PlaylistWriter.seconds(200)).isEqualTo("0.200");
        assertThat(PlaylistWriter.seconds(12_000)).isEqualTo("12.000");
    }
}
