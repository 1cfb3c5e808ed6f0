package dev.vireo.http.hls;

import dev.vireo.core.Gate;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.StreamStats;
import dev.vireo.http.routing.Reply;
import dev.vireo.http.routing.RequestContext;
import dev.vireo.http.routing.Response;
import dev.vireo.media.mp4.CodecString;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * {@code GET /{app}/{stream}/master.m3u8}: the multivariant playlist of a live stream — the source
 * and its domain's transcoding templates ({@code {stream}_{id}}), each an LL-HLS (fMP4) media
 * playlist with BANDWIDTH, RESOLUTION, CODECS and FRAME-RATE, so hls.js and Safari switch by
 * throughput. Listing starts nothing: a rendition's transcode starts when a player first asks for
 * its playlist (the hub's on-demand sources). Admitted by the {@link Gate} like the other
 * playlists (Type A over {@code /{app}/{stream}/master.m3u8}); the variant URLs carry the query
 * of the request with an {@code auth_key} re-signed for each variant's own URI, expiring with the
 * master's.
 */
final class MasterEndpoint {

    /** BANDWIDTH is a peak (RFC 8216 §4.3.4.2): the measured or nominal average plus headroom. */
    static final double PEAK_FACTOR = 1.25;
    static final long MIN_BANDWIDTH = 64_000;

    private final StreamHub hub;
    private final Gate gate;
    private volatile Renditions renditions = Renditions.NONE;

    MasterEndpoint(StreamHub hub, Gate gate) {
        this.hub = hub;
        this.gate = gate;
    }

    void renditions(Renditions r) {
        renditions = r;
    }

    Reply get(RequestContext rq) {
        String app = rq.param("app");
        String name = rq.param("stream");
        Gate.AccessRequest request = new Gate.AccessRequest(Gate.Action.PLAY, HlsPlayback.PROTOCOL, rq.host(), app, name,
                "/master.m3u8", rq.rawQuery(), rq.clientAddress());
        StreamKey key;
        switch (gate.admit(request)) {
            case Gate.Deny deny -> {
                return Response.denied(deny);
            }
            case Gate.Allow allow -> key = allow.key();
        }
        Optional<Stream> found = hub.find(key);
        if (found.isEmpty() || !found.get().isLive()) {
            return Response.error(404, "StreamNotFound", "stream " + key.path() + " is not live");
        }
        Stream source = found.get();
        StreamStats stats = source.stats();
        Renditions r = renditions;
        List<MasterPlaylist.Variant> variants = new ArrayList<>();
        String sourceCodecs = codecs(source);
        variants.add(new MasterPlaylist.Variant("llhls.m3u8" + query(r, request, app, name), bandwidth(stats.bitrateKbps()),
                stats.width(), stats.height(), stats.fps(), sourceCodecs));
        for (Renditions.Rendition t : r.of(key)) {
            String variant = name + "_" + t.id();
            Optional<Stream> running = hub.find(new StreamKey(key.vhost(), key.app(), variant)).filter(Stream::isLive);
            int[] size = size(t, stats);
            String codecs = running.map(MasterEndpoint::codecs).orElse(null);
            if (codecs == null) {
                codecs = nominalCodecs(t, size[1]);
            }
            variants.add(new MasterPlaylist.Variant("../" + HlsPlayback.pathSegment(variant) + "/llhls.m3u8"
                    + query(r, request, app, variant),
                    bandwidth(t.videoKbps() + t.audioKbps()), size[0], size[1], t.fps() > 0 ? t.fps() : stats.fps(),
                    codecs));
        }
        return Response.text(200, HlsPlayback.PLAYLIST_TYPE, MasterPlaylist.write(variants))
                .header(HttpHeaderNames.CACHE_CONTROL, "no-cache");
    }

    /** The variant's query: the request's own parameters but its signature, then the variant's signature. */
    private static String query(Renditions r, Gate.AccessRequest admitted, String app, String stream) {
        StringJoiner q = new StringJoiner("&");
        String raw = admitted.query() == null ? "" : admitted.query();
        for (String pair : raw.split("&")) {
            String name = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
            if (!pair.isEmpty() && !name.equals("auth_key") && !name.equals(HlsPlayback.TOKEN) && !name.startsWith("_HLS_")) {
                q.add(pair);
            }
        }
        r.resign(admitted, "/" + app + "/" + stream + "/llhls.m3u8").ifPresent(k -> q.add("auth_key=" + k));
        return q.length() == 0 ? "" : "?" + q;
    }

    private static long bandwidth(double kbps) {
        return Math.max(MIN_BANDWIDTH, Math.round(kbps * 1000 * PEAK_FACTOR));
    }

    /** The codecs of a live stream's tracks, from its sequence headers; null when unknown. */
    static String codecs(Stream s) {
        StringJoiner j = new StringJoiner(",");
        for (boolean video : new boolean[] {true, false}) {
            MediaFrame config = video ? s.videoConfig() : s.audioConfig(); // retained for us
            if (config == null) {
                continue;
            }
            try {
                String c = CodecString.of(config.codec(), config.payload());
                if (c == null) {
                    return null;
                }
                j.add(c);
            } finally {
                config.release();
            }
        }
        return j.length() == 0 ? null : j.toString();
    }

    /**
     * The codecs a template's encoder produces before it has run: libx264 without a profile
     * gives High, at the level its size needs (3.1 up to 720p, 4.0 above); libx265 Main.
     */
    static String nominalCodecs(Renditions.Rendition t, int height) {
        String video = "h265".equals(t.videoCodec()) ? "hvc1.1.6.L" + (height > 720 ? 120 : 93) + ".B0"
                : height > 720 ? "avc1.640028" : "avc1.64001f";
        String audio = "opus".equals(t.audioCodec()) ? "opus" : "mp4a.40.2";
        return video + "," + audio;
    }

    /** A template's picture size for this source: a given height scales by height, the width follows (even). */
    static int[] size(Renditions.Rendition t, StreamStats source) {
        int w = t.width();
        int h = t.height();
        if (source.width() > 0 && source.height() > 0) {
            if (h > 0 && w == 0) {
                w = even((double) source.width() * h / source.height());
            } else if (w > 0 && h == 0) {
                h = even((double) source.height() * w / source.width());
            } else if (w > 0 && h > 0) {
                w = even((double) source.width() * h / source.height());
            }
        }
        return new int[] {w, h};
    }

    private static int even(double v) {
        int i = (int) Math.round(v);
        return i + (i & 1);
    }
}
