package dev.vireo.http.routing;

import java.util.Locale;

/** Parsing of the Host header (RFC 9110 §7.2): {@code host [ ":" port ]}, IPv6 in brackets. */
final class HostHeader {

    private HostHeader() {
    }

    /** The host part without port, lower case; "" when absent or empty. */
    static String hostOf(String hostHeader) {
        if (hostHeader == null) {
            return "";
        }
        String h = hostHeader.trim();
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h.toLowerCase(Locale.ROOT) : h.substring(1, end).toLowerCase(Locale.ROOT);
        }
        int colon = h.indexOf(':');
        if (colon >= 0 && h.indexOf(':', colon + 1) < 0) {
            h = h.substring(0, colon);
        }
        return h.toLowerCase(Locale.ROOT);
    }
}
