package dev.vireo.control.diagnose;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * An ingest or play URL as Vireo reads it (DESIGN.md "URLs"): {@code rtmp://host/app/stream},
 * {@code srt://host:port?streamid=#!::h=host,r=/app/stream?auth_key=...,m=publish},
 * {@code artc://host/app/stream}, {@code http(s)://host/app/stream/whip|whep},
 * {@code http(s)://host/app/stream.flv|.m3u8} and the player page {@code /play/app/stream}.
 * Pure parsing; no lookups.
 *
 * @param action "publish", "play", or null when the URL alone does not say (RTMP, artc)
 * @param extension what the signed URI ends with (".flv", ".m3u8") or null
 * @param query the query that carries auth_key (for SRT: the one inside {@code r=})
 */
public record StreamUrl(String protocol, String action, String host, String app, String stream, String extension,
                        String query) {

    /** Longest URL looked at. */
    static final int MAX_LENGTH = 4096;

    /** The signed URI of this request: {@code /app/stream} plus the extension. */
    public String signedUri() {
        return "/" + app + "/" + stream + (extension == null ? "" : extension);
    }

    /**
     * @throws IllegalArgumentException with a message a user can act on when the URL is not one
     */
    public static StreamUrl parse(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("the URL is empty");
        }
        String u = url.trim();
        if (u.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("the URL is longer than " + MAX_LENGTH + " characters");
        }
        int colon = u.indexOf("://");
        if (colon <= 0) {
            throw new IllegalArgumentException("the URL has no scheme (rtmp://, srt://, artc://, http(s)://)");
        }
        String scheme = u.substring(0, colon).toLowerCase(Locale.ROOT);
        return switch (scheme) {
            case "rtmp", "rtmps" -> path("rtmp", null, u, null);
            case "artc" -> path("artc", null, u, null);
            case "srt" -> srt(u);
            case "http", "https" -> http(u);
            default -> throw new IllegalArgumentException("unknown scheme " + scheme
                    + "://: Vireo takes rtmp, srt, artc, http and https URLs");
        };
    }

    private static StreamUrl http(String u) {
        URI uri = uri(u);
        String[] p = segments(uri);
        if (p.length == 3 && p[0].equals("play")) {
            return new StreamUrl("whep", "play", host(uri), p[1], p[2], null, uri.getRawQuery());
        }
        if (p.length == 3 && (p[2].equals("whip") || p[2].equals("whep"))) {
            return new StreamUrl(p[2], p[2].equals("whip") ? "publish" : "play", host(uri), p[0], p[1], null,
                    uri.getRawQuery());
        }
        if (p.length == 2 && p[1].endsWith(".flv")) {
            return new StreamUrl("flv", "play", host(uri), p[0], strip(p[1], ".flv"), ".flv", uri.getRawQuery());
        }
        if (p.length == 2 && p[1].endsWith(".m3u8")) {
            return new StreamUrl("hls", "play", host(uri), p[0], strip(p[1], ".m3u8"), ".m3u8", uri.getRawQuery());
        }
        if (p.length == 3 && p[2].endsWith(".m3u8")) {
            return new StreamUrl("hls", "play", host(uri), p[0], p[1], ".m3u8", uri.getRawQuery());
        }
        throw new IllegalArgumentException("an HTTP URL of Vireo is /{app}/{stream}.flv, /{app}/{stream}.m3u8,"
                + " /{app}/{stream}/whep, /{app}/{stream}/whip or /play/{app}/{stream}; this one is " + uri.getRawPath());
    }

    private static StreamUrl path(String protocol, String action, String u, String query) {
        URI uri = uri(u);
        String[] p = segments(uri);
        if (p.length != 2) {
            throw new IllegalArgumentException("the path must be /{app}/{stream}; this one has " + p.length
                    + " segment(s)" + (p.length == 1 ? " (OBS: the server is rtmp://host/{app}, the stream key {stream}?auth_key=...)" : ""));
        }
        return new StreamUrl(protocol, action, host(uri), p[0], p[1], null, query == null ? uri.getRawQuery() : query);
    }

    /** SRT access control streamid: {@code #!::h=host,r=/app/stream?auth_key=...,m=publish}. */
    private static StreamUrl srt(String u) {
        URI uri = uri(u.replace("#", "%23"));
        String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
        String streamId = null;
        for (String pair : query.split("&")) {
            if (pair.startsWith("streamid=")) {
                streamId = java.net.URLDecoder.decode(pair.substring(9), java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        if (streamId == null || !streamId.startsWith("#!::")) {
            throw new IllegalArgumentException("an SRT URL needs streamid=#!::h={domain},r=/{app}/{stream}?auth_key=...,m=publish");
        }
        String host = host(uri);
        String resource = null;
        String mode = null;
        for (String kv : streamId.substring(4).split(",")) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String k = kv.substring(0, eq);
            String v = kv.substring(eq + 1);
            switch (k) {
                case "h" -> host = v.toLowerCase(Locale.ROOT);
                case "r" -> resource = v;
                case "m" -> mode = v;
                default -> { }
            }
        }
        if (resource == null) {
            throw new IllegalArgumentException("the SRT streamid has no r=/{app}/{stream}");
        }
        int q = resource.indexOf('?');
        String path = q < 0 ? resource : resource.substring(0, q);
        StreamUrl r = path("srt", "request".equals(mode) ? "play" : "publish", "srt://" + host + path,
                q < 0 ? null : resource.substring(q + 1));
        return r;
    }

    private static URI uri(String u) {
        try {
            return new URI(u);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("the URL is not valid: " + e.getReason());
        }
    }

    private static String host(URI uri) {
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("the URL has no host");
        }
        return uri.getHost().toLowerCase(Locale.ROOT);
    }

    private static String[] segments(URI uri) {
        String path = uri.getPath() == null ? "" : uri.getPath();
        return java.util.Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toArray(String[]::new);
    }

    private static String strip(String s, String suffix) {
        return s.substring(0, s.length() - suffix.length());
    }
}
