package dev.vireo.http.hls;

import java.util.List;
import java.util.Map;

/**
 * What a segmenter has at one instant, immutable: what the playlists are made of and what segment,
 * part and init requests are answered from. A new one replaces the old at every part.
 *
 * @param targetDuration EXT-X-TARGETDURATION in seconds; never changes for a segmenter (§6.2.1)
 * @param partTargetMillis the LL-HLS Part Target Duration
 * @param segments complete segments, oldest first, kept for download (a few more than listed)
 * @param listed how many of the newest segments the playlists list
 * @param current the segment being made, or null before the first one starts
 * @param inits fMP4 initialization segments by id
 * @param ended the stream is over: no segment will follow
 */
record Timeline(int targetDuration, long partTargetMillis, List<Segment> segments, int listed, Open current,
                Map<Integer, byte[]> inits, boolean ended) {

    /**
     * The segment in progress: its parts so far and the tags that will apply to it.
     */
    record Open(long msn, long programDateTime, boolean discontinuity, long discontinuitySequence, int initId,
                List<Part> parts) {
    }

    static Timeline empty(int targetDuration, long partTargetMillis, int listed) {
        return new Timeline(targetDuration, partTargetMillis, List.of(), listed, null, Map.of(), false);
    }

    /** The listed complete segments (the newest {@link #listed}). */
    List<Segment> playlistSegments() {
        return segments.size() <= listed ? segments : segments.subList(segments.size() - listed, segments.size());
    }

    Segment segment(long msn) {
        if (segments.isEmpty()) {
            return null;
        }
        long first = segments.getFirst().msn();
        if (msn < first || msn > segments.getLast().msn()) {
            return null;
        }
        return segments.get((int) (msn - first));
    }

    /** A part of a complete or of the open segment, or null. */
    Part part(long msn, int index) {
        List<Part> parts = null;
        if (current != null && current.msn() == msn) {
            parts = current.parts();
        } else {
            Segment s = segment(msn);
            if (s != null) {
                parts = s.parts();
            }
        }
        return parts == null || index < 0 || index >= parts.size() ? null : parts.get(index);
    }

    /** Msn of the last complete segment, -1 before any. */
    long lastCompleteMsn() {
        return segments.isEmpty() ? -1 : segments.getLast().msn();
    }

    /**
     * Whether the playlist holds segment {@code msn} (§6.2.5.2: "a Media Segment with a Media
     * Sequence Number of M or later").
     */
    boolean hasSegment(long msn) {
        return lastCompleteMsn() >= msn;
    }

    /**
     * Whether the playlist holds part {@code index} of segment {@code msn} or anything later; a
     * part index past the last part of a complete segment means part 0 of the next one (§6.2.5.2).
     */
    boolean hasPart(long msn, int index) {
        if (current != null) {
            if (msn < current.msn()) {
                Segment s = segment(msn);
                return s == null || index < s.parts().size() || hasPart(msn + 1, 0);
            }
            if (msn == current.msn()) {
                return index < current.parts().size();
            }
            return false;
        }
        return hasSegment(msn);
    }

    /** Whether a playlist can be given: it lists at least one complete segment. */
    boolean hasContent() {
        return !segments.isEmpty();
    }
}
