package dev.vireo.http.hls;

import java.util.List;
import java.util.Locale;

/**
 * A multivariant (master) playlist: one {@code EXT-X-STREAM-INF} per rendition, so a player
 * chooses by bandwidth and switches as its throughput changes (RFC 8216 §4.3.4.2). Pure.
 */
final class MasterPlaylist {

    /**
     * One rendition.
     *
     * @param uri the media playlist, relative to the master playlist
     * @param bandwidth peak bits per second (§4.3.4.2: BANDWIDTH, required)
     * @param width 0 when unknown (RESOLUTION is then left out)
     * @param fps 0 when unknown
     * @param codecs the RFC 6381 codecs of every track, comma-separated; null when unknown
     */
    record Variant(String uri, long bandwidth, int width, int height, double fps, String codecs) {
    }

    private MasterPlaylist() {
    }

    static String write(List<Variant> variants) {
        StringBuilder b = new StringBuilder(256);
        b.append("#EXTM3U\n");
        // §4.3.1.2: version 6 like the fMP4 media playlists it points to
        b.append("#EXT-X-VERSION:6\n");
        // §4.3.5.1: every media playlist starts at a keyframe (segments are cut there)
        b.append("#EXT-X-INDEPENDENT-SEGMENTS\n");
        for (Variant v : variants) {
            b.append("#EXT-X-STREAM-INF:BANDWIDTH=").append(Math.max(1, v.bandwidth()));
            if (v.codecs() != null && !v.codecs().isEmpty()) {
                b.append(",CODECS=\"").append(v.codecs()).append('"');
            }
            if (v.width() > 0 && v.height() > 0) {
                b.append(",RESOLUTION=").append(v.width()).append('x').append(v.height());
            }
            if (v.fps() > 0) {
                // §4.3.4.2: FRAME-RATE, a decimal-floating-point rounded to three decimal places
                b.append(",FRAME-RATE=").append(String.format(Locale.ROOT, "%.3f", v.fps()));
            }
            b.append('\n').append(v.uri()).append('\n');
        }
        return b.toString();
    }
}
