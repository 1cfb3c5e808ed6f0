package dev.vireo.http.hls;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * Writes Media Playlists (RFC 8216; LL-HLS per draft-pantos-hls-rfc8216bis, "HLS 2nd edition")
 * from a {@link Timeline}. Pure: no I/O, no clock; the URIs come from {@link SegmentUris}.
 *
 * <ul>
 *   <li>{@link #classic}: MPEG-TS segments, version 3 (decimal EXTINF, RFC 8216 §7).</li>
 *   <li>{@link #lowLatency}: fMP4 segments with EXT-X-MAP (version 6), EXT-X-PART-INF,
 *       EXT-X-SERVER-CONTROL, the parts of the last segments and of the open one, and a preload
 *       hint for the next part; with {@code skip}, a Playlist Delta Update (EXT-X-SKIP, version 9).</li>
 * </ul>
 */
final class PlaylistWriter {

    /** §4.4.3.8: CAN-SKIP-UNTIL is at least six Target Durations. */
    static final int SKIP_UNTIL_TARGET_DURATIONS = 6;
    /** §4.4.3.8: PART-HOLD-BACK is at least twice the Part Target, three times recommended. */
    static final int PART_HOLD_BACK_PARTS = 3;
    /** §6.2.2: EXT-X-PART tags are removed once more than three Target Durations from the end. */
    static final int PART_LISTING_TARGET_DURATIONS = 3;

    private static final DateTimeFormatter PDT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
            .withZone(ZoneOffset.UTC);

    private PlaylistWriter() {
    }

    /** The classic HLS playlist: complete TS segments only. */
    static String classic(Timeline t, SegmentUris uris) {
        StringBuilder b = new StringBuilder(1024);
        List<Segment> segments = t.playlistSegments();
        b.append("#EXTM3U\n");
        b.append("#EXT-X-VERSION:3\n");                                           // RFC 8216 §4.3.1.2, §7
        b.append("#EXT-X-TARGETDURATION:").append(t.targetDuration()).append('\n'); // §4.3.3.1
        header(b, segments.isEmpty() ? 0 : segments.getFirst().msn(),
                segments.isEmpty() ? 0 : firstDiscontinuitySequence(segments.getFirst()));
        for (Segment s : segments) {
            segmentTags(b, s.discontinuity(), s.programDateTime());
            b.append("#EXTINF:").append(seconds(s.durationMillis())).append(",\n");  // §4.3.2.1
            b.append(uris.segment(s.msn())).append('\n');
        }
        if (t.ended()) {
            b.append("#EXT-X-ENDLIST\n");                                          // §4.3.3.4
        }
        return b.toString();
    }

    /**
     * The LL-HLS playlist.
     *
     * @param skip a Playlist Delta Update (§6.2.5.1): segments further than CAN-SKIP-UNTIL from the
     *     end are replaced by one EXT-X-SKIP tag
     */
    static String lowLatency(Timeline t, SegmentUris uris, boolean skip) {
        StringBuilder b = new StringBuilder(4096);
        List<Segment> segments = t.playlistSegments();
        long skipUntilMillis = SKIP_UNTIL_TARGET_DURATIONS * t.targetDuration() * 1000L;
        int skipped = skip && !t.ended() ? skippable(segments, skipUntilMillis) : 0;
        b.append("#EXTM3U\n");
        // §8: EXT-X-MAP in a Media Playlist needs version 6; EXT-X-SKIP needs version 9.
        b.append("#EXT-X-VERSION:").append(skipped > 0 ? 9 : 6).append('\n');
        b.append("#EXT-X-TARGETDURATION:").append(t.targetDuration()).append('\n');
        // §4.4.3.8: blocking reload, delta updates, and how far behind the live edge to play
        b.append("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL=")
                .append(seconds(skipUntilMillis))
                .append(",PART-HOLD-BACK=").append(seconds(PART_HOLD_BACK_PARTS * t.partTargetMillis())).append('\n');
        b.append("#EXT-X-PART-INF:PART-TARGET=").append(seconds(t.partTargetMillis())).append('\n'); // §4.4.3.7
        long firstMsn = !segments.isEmpty() ? segments.getFirst().msn() : t.current() != null ? t.current().msn() : 0;
        long firstDsn = !segments.isEmpty() ? firstDiscontinuitySequence(segments.getFirst())
                : t.current() != null ? t.current().discontinuitySequence() - (t.current().discontinuity() ? 1 : 0) : 0;
        header(b, firstMsn, firstDsn);
        if (skipped > 0) {
            b.append("#EXT-X-SKIP:SKIPPED-SEGMENTS=").append(skipped).append('\n'); // §4.4.5.2
        }
        // Parts are listed for the segments within three Target Durations of the end (§6.2.2).
        long partsFrom = listingStart(segments, t.current(), PART_LISTING_TARGET_DURATIONS * t.targetDuration() * 1000L);
        int map = -1;
        for (int i = skipped; i < segments.size(); i++) {
            Segment s = segments.get(i);
            map = mapTag(b, uris, map, s.initId());
            segmentTags(b, s.discontinuity(), s.programDateTime());
            if (s.msn() >= partsFrom) {
                parts(b, uris, s.msn(), s.parts());
            }
            b.append("#EXTINF:").append(seconds(s.durationMillis())).append(",\n");
            b.append(uris.segment(s.msn())).append('\n');
        }
        Timeline.Open open = t.current();
        if (open != null && !t.ended()) {
            mapTag(b, uris, map, open.initId());
            segmentTags(b, open.discontinuity(), open.programDateTime());
            parts(b, uris, open.msn(), open.parts());
            // §4.4.5.3: the part being made; a request for it is held until it is complete
            b.append("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"").append(uris.part(open.msn(), open.parts().size()))
                    .append("\"\n");
        }
        if (t.ended()) {
            b.append("#EXT-X-ENDLIST\n");
        }
        return b.toString();
    }

    private static void header(StringBuilder b, long msn, long dsn) {
        b.append("#EXT-X-MEDIA-SEQUENCE:").append(msn).append('\n');                 // RFC 8216 §4.3.3.2
        if (dsn > 0) {
            b.append("#EXT-X-DISCONTINUITY-SEQUENCE:").append(dsn).append('\n');     // §4.3.3.3
        }
    }

    /**
     * The EXT-X-DISCONTINUITY-SEQUENCE value when {@code first} is the first segment listed: a
     * segment's number counts the discontinuity tags before it, its own included (§4.3.3.3).
     */
    static long firstDiscontinuitySequence(Segment first) {
        return first.discontinuitySequence() - (first.discontinuity() ? 1 : 0);
    }

    private static void segmentTags(StringBuilder b, boolean discontinuity, long programDateTime) {
        if (discontinuity) {
            b.append("#EXT-X-DISCONTINUITY\n");                                        // §4.3.2.3
        }
        // §4.3.2.6; on every segment, so a delta update or a shifted window keeps the mapping
        b.append("#EXT-X-PROGRAM-DATE-TIME:").append(PDT.format(Instant.ofEpochMilli(programDateTime))).append('\n');
    }

    /** EXT-X-MAP (§4.3.2.5) before the first segment and wherever the initialization changes. */
    private static int mapTag(StringBuilder b, SegmentUris uris, int current, int initId) {
        if (initId != current) {
            b.append("#EXT-X-MAP:URI=\"").append(uris.init(initId)).append("\"\n");
        }
        return initId;
    }

    private static void parts(StringBuilder b, SegmentUris uris, long msn, List<Part> parts) {
        for (Part p : parts) {
            // rfc8216bis §4.4.4.9
            b.append("#EXT-X-PART:DURATION=").append(seconds(p.durationMillis())).append(",URI=\"")
                    .append(uris.part(msn, p.index())).append('"');
            if (p.independent()) {
                b.append(",INDEPENDENT=YES");
            }
            b.append('\n');
        }
    }

    /** The msn from which parts are listed: segments ending within {@code millis} of the end. */
    private static long listingStart(List<Segment> segments, Timeline.Open open, long millis) {
        long from = open != null ? open.msn() : segments.isEmpty() ? 0 : segments.getLast().msn() + 1;
        long total = 0;
        for (int i = segments.size() - 1; i >= 0; i--) {
            total += segments.get(i).durationMillis();
            if (total > millis) {
                break;
            }
            from = segments.get(i).msn();
        }
        return from;
    }

    /**
     * How many of the oldest segments a delta update skips: those that end more than the Skip
     * Boundary before the end of the last segment (§6.2.5.1, §4.4.3.8).
     */
    static int skippable(List<Segment> segments, long skipUntilMillis) {
        long remaining = 0;
        for (Segment s : segments) {
            remaining += s.durationMillis();
        }
        int n = 0;
        for (Segment s : segments) {
            remaining -= s.durationMillis(); // now: from the end of s to the end of the playlist
            if (remaining <= skipUntilMillis) {
                break;
            }
            n++;
        }
        return n;
    }

    /** Seconds with millisecond precision, as decimal-floating-point (RFC 8216 §4.2). */
    static String seconds(long millis) {
        return String.format(Locale.ROOT, "%d.%03d", millis / 1000, millis % 1000);
    }
}
