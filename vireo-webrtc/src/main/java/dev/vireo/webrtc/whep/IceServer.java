package dev.vireo.webrtc.whep;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A STUN or TURN server a WHEP client may use to reach the media port (a viewer behind a
 * firewall that only lets a TURN relay out): advertised in the answer's {@code Link} header with
 * {@code rel="ice-server"} (RFC 9725 §4.6, which WHEP follows) and given to the player page.
 * Vireo itself is ICE-lite and uses neither.
 *
 * @param url        a {@code stun:}, {@code stuns:}, {@code turn:} or {@code turns:} URI (RFC 7064, RFC 7065)
 * @param username   TURN user name, null for STUN
 * @param credential TURN password, null for STUN
 */
public record IceServer(String url, String username, String credential) {

    private static final int MAX_LENGTH = 512;

    public IceServer {
        if (url == null || url.isBlank() || url.length() > MAX_LENGTH || !plain(url)) {
            throw new IllegalArgumentException("ICE server URL must be a stun:/turn: URI without spaces or quotes: " + url);
        }
        String scheme = url.substring(0, Math.max(0, url.indexOf(':'))).toLowerCase(Locale.ROOT);
        boolean turn = scheme.equals("turn") || scheme.equals("turns");
        if (!turn && !scheme.equals("stun") && !scheme.equals("stuns")) {
            throw new IllegalArgumentException("ICE server URL must start with stun:, stuns:, turn: or turns: " + url);
        }
        if (turn != (username != null && credential != null)) {
            throw new IllegalArgumentException(turn ? "a TURN server needs a user name and a credential: " + url
                    : "a STUN server takes no credentials: " + url);
        }
        if (turn && (username.isEmpty() || !plain(username) || !plain(credential)
                || username.length() > MAX_LENGTH || credential.length() > MAX_LENGTH)) {
            throw new IllegalArgumentException("TURN user name and credential must be non-empty, without spaces or quotes");
        }
    }

    /**
     * Parses the configuration value: entries separated by commas or spaces, each a STUN URI or
     * {@code turn-uri|username|credential}, e.g.
     * {@code stun:stun.example.net:3478, turn:turn.example.net:3478?transport=udp|viewer|secret}.
     */
    public static List<IceServer> parseList(String value) {
        List<IceServer> out = new ArrayList<>();
        if (value == null) {
            return out;
        }
        for (String entry : value.trim().split("[,\\s]+")) {
            if (entry.isEmpty()) {
                continue;
            }
            String[] parts = entry.split("\\|", -1);
            if (parts.length == 1) {
                out.add(new IceServer(parts[0], null, null));
            } else if (parts.length == 3) {
                out.add(new IceServer(parts[0], parts[1], parts[2]));
            } else {
                throw new IllegalArgumentException("ICE server entry must be URI or URI|username|credential: " + entry);
            }
        }
        return List.copyOf(out);
    }

    /** One link-value of the {@code Link} header (RFC 8288 §3, attributes of RFC 9725 §4.6). */
    String linkValue() {
        StringBuilder b = new StringBuilder("<").append(url).append(">; rel=\"ice-server\"");
        if (username != null) {
            b.append("; username=\"").append(username).append("\"; credential=\"").append(credential)
                    .append("\"; credential-type=\"password\"");
        }
        return b.toString();
    }

    /** The {@code Link} header value advertising {@code servers}, or null when there are none. */
    public static String linkHeader(List<IceServer> servers) {
        return servers.isEmpty() ? null : String.join(", ", servers.stream().map(IceServer::linkValue).toList());
    }

    /** An RTCIceServer dictionary (W3C WebRTC §4.2.1) as JSON, for the player page. */
    public String json() {
        StringBuilder b = new StringBuilder("{\"urls\":\"").append(url).append('"');
        if (username != null) {
            b.append(",\"username\":\"").append(username).append("\",\"credential\":\"").append(credential).append('"');
        }
        return b.append('}').toString();
    }

    /** No spaces, controls, quotes, backslashes or the delimiters of a Link header or HTML. */
    private static boolean plain(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == ',' || c == ';'
                    || c == '&' || c == '\'') {
                return false;
            }
        }
        return true;
    }
}
