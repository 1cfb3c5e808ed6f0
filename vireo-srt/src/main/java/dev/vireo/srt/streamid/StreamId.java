package dev.vireo.srt.streamid;

import java.util.Locale;

/**
 * What an SRT caller asks for in its {@code SRTO_STREAMID}: the domain, the stream and whether it
 * publishes or plays. Parsed from the forms encoders send:
 * <ul>
 *   <li>the SRT Access Control syntax ({@code SRT Access Control Guidelines §"Standard keys"}):
 *       {@code #!::h=push.example.com,r=/live/demo?auth_key=...,m=publish,u=alice} — keys separated by
 *       commas, {@code r} the resource (with its query: {@code auth_key}, {@code vhost}), {@code m}
 *       {@code publish} or {@code request} (the default), {@code u} the user, {@code t} the type
 *       ({@code stream} only); unknown keys are ignored as the guidelines allow;</li>
 *   <li>vMix's variant, the resource in {@code h}: {@code #!::h=live/demo?auth_key=...,m=publish};</li>
 *   <li>the short form {@code live/demo[?query]} (mode request), and {@code publish:live/demo} /
 *       {@code read:live/demo} for the mode.</li>
 * </ul>
 * An empty streamid, a resource that is not {@code app/stream}, an unknown mode or a streamid over
 * {@link #MAX_LENGTH} is refused ({@link StreamIdException}: a reject code and the reason). Pure: no
 * I/O, safe on libsrt's thread.
 *
 * @param host the domain from {@code h=} ("" when none: an IP URL names it by {@code vhost=})
 * @param app the application (all but the last path segment)
 * @param stream the stream name (the last segment)
 * @param query the resource's query without '?', or ""
 * @param mode publish or request
 * @param user the {@code u=} value, or ""
 */
public record StreamId(String host, String app, String stream, String query, Mode mode, String user) {

    /** The longest streamid SRT carries (512 bytes, {@code SRTO_STREAMID}). */
    public static final int MAX_LENGTH = 512;

    /** {@code SRT_REJX_BAD_REQUEST}: syntax error in the streamid. */
    public static final int REJECT_BAD_REQUEST = 1400;
    /** {@code SRT_REJX_BAD_MODE}: {@code m=} is neither publish nor request. */
    public static final int REJECT_BAD_MODE = 1405;
    /** {@code SRT_REJX_NOTSUP_MEDIA}: {@code t=} is not stream. */
    public static final int REJECT_NOTSUP_MEDIA = 1415;

    private static final String ACCESS_CONTROL_PREFIX = "#!::";

    /** {@code m=}: what the caller does. */
    public enum Mode {
        /** The caller sends a stream (ingest). */
        PUBLISH,
        /** The caller receives a stream (playback); SRT's default mode. */
        REQUEST
    }

    /** The signed URI of the stream: {@code /app/stream} (SRT signs no extension). */
    public String uri() {
        return "/" + app + "/" + stream;
    }

    /**
     * Parses a streamid.
     *
     * @throws StreamIdException with the reject code and a reason for the peer and the log
     */
    public static StreamId parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new StreamIdException(REJECT_BAD_REQUEST,
                    "empty streamid: name the stream, e.g. streamid=#!::r=live/demo,m=publish");
        }
        if (text.length() > MAX_LENGTH) {
            throw new StreamIdException(REJECT_BAD_REQUEST, "streamid longer than " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                throw new StreamIdException(REJECT_BAD_REQUEST, "streamid has a control or non-ASCII character at " + i);
            }
        }
        if (text.startsWith(ACCESS_CONTROL_PREFIX)) {
            return accessControl(text.substring(ACCESS_CONTROL_PREFIX.length()));
        }
        Mode mode = Mode.REQUEST;
        String resource = text;
        if (text.startsWith("publish:")) {
            mode = Mode.PUBLISH;
            resource = text.substring("publish:".length());
        } else if (text.startsWith("read:")) {
            resource = text.substring("read:".length());
        }
        return resource("", resource, mode, "");
    }

    /** {@code key=value[,key=value...]} after {@code #!::}. */
    private static StreamId accessControl(String body) {
        String host = "";
        String resource = null;
        String mode = null;
        String user = "";
        for (String pair : body.split(",", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new StreamIdException(REJECT_BAD_REQUEST, "streamid item '" + shorten(pair) + "' is not key=value");
            }
            String key = pair.substring(0, eq).trim();
            String value = pair.substring(eq + 1).trim();
            switch (key) {
                case "h" -> host = value;
                case "r" -> resource = value;
                case "m" -> mode = value;
                case "u" -> user = value;
                case "t" -> {
                    if (!value.equals("stream")) {
                        throw new StreamIdException(REJECT_NOTSUP_MEDIA, "streamid type t=" + shorten(value)
                                + " is not supported (only t=stream)");
                    }
                }
                default -> {
                    // s (session), other standard or custom keys: not used here
                }
            }
        }
        Mode m;
        if (mode == null || mode.equals("request")) {
            m = Mode.REQUEST;
        } else if (mode.equals("publish")) {
            m = Mode.PUBLISH;
        } else {
            throw new StreamIdException(REJECT_BAD_MODE, "streamid mode m=" + shorten(mode)
                    + " is not supported (publish or request)");
        }
        if (resource == null) {
            // vMix puts the resource in h: #!::h=live/demo?auth_key=...
            if (host.indexOf('/') >= 0) {
                return resource("", host, m, user);
            }
            throw new StreamIdException(REJECT_BAD_REQUEST, "streamid has no resource: add r=app/stream");
        }
        return resource(host, resource, m, user);
    }

    /** {@code [/]app/stream[?query]} */
    private static StreamId resource(String host, String resource, Mode mode, String user) {
        String path = resource;
        String query = "";
        int q = resource.indexOf('?');
        if (q >= 0) {
            path = resource.substring(0, q);
            query = resource.substring(q + 1);
        }
        if (path.startsWith("/")) {
            path = path.substring(1);
        }
        int slash = path.lastIndexOf('/');
        if (slash <= 0 || slash == path.length() - 1) {
            throw new StreamIdException(REJECT_BAD_REQUEST, "streamid resource '" + shorten(path)
                    + "' is not app/stream");
        }
        String app = path.substring(0, slash);
        String stream = path.substring(slash + 1);
        for (String segment : app.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new StreamIdException(REJECT_BAD_REQUEST, "streamid resource '" + shorten(path)
                        + "' has an empty or relative path segment");
            }
        }
        if (stream.equals(".") || stream.equals("..") || !validName(app) || !validName(stream)) {
            throw new StreamIdException(REJECT_BAD_REQUEST, "streamid resource '" + shorten(path)
                    + "' has characters a stream name cannot have");
        }
        return new StreamId(hostOnly(host), app, stream, query, mode, user);
    }

    private static boolean validName(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c == '#' || c == '%' || c == '\\' || c == '"' || c == '<' || c == '>' || c == '&'
                    || c == '=' || c == ',' || c == '?') {
                return false;
            }
        }
        return true;
    }

    /** {@code h=host[:port]}: the host, lower case, without the port. */
    private static String hostOnly(String h) {
        String host = h;
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            host = end > 0 ? host.substring(1, end) : host;
        } else if (host.indexOf(':') == host.lastIndexOf(':') && host.indexOf(':') > 0) {
            host = host.substring(0, host.indexOf(':'));
        }
        return host.toLowerCase(Locale.ROOT);
    }

    private static String shorten(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
