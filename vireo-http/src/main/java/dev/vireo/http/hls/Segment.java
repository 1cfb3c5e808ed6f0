package dev.vireo.http.hls;

import java.util.List;

/**
 * A complete media segment, in both formats: the MPEG-TS bytes of classic HLS and the fMP4 parts
 * of LL-HLS (the fMP4 segment is its parts back to back). Immutable, shared by every viewer.
 *
 * @param msn Media Sequence Number (RFC 8216 §3)
 * @param durationMillis media duration (EXTINF)
 * @param programDateTime wallclock of its first sample, epoch milliseconds
 * @param discontinuity an EXT-X-DISCONTINUITY precedes it (the publisher restarted or changed codec)
 * @param discontinuitySequence its Discontinuity Sequence Number (RFC 8216 §4.3.3.3)
 * @param initId the fMP4 initialization segment it needs (EXT-X-MAP)
 * @param parts its LL-HLS parts
 * @param ts its MPEG-TS bytes, or null when the codecs cannot go in TS (AV1)
 */
record Segment(long msn, long durationMillis, long programDateTime, boolean discontinuity, long discontinuitySequence,
               int initId, List<Part> parts, byte[] ts) {

    /** The fMP4 segment: its parts' fragments in order. */
    byte[][] fmp4() {
        byte[][] chunks = new byte[parts.size()][];
        for (int i = 0; i < chunks.length; i++) {
            chunks[i] = parts.get(i).bytes();
        }
        return chunks;
    }
}
