package dev.vireo.control.access;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** Reading one parameter of a raw query string ({@code a=1&b=2}) as protocol adapters pass it on. */
public final class QueryString {

    private QueryString() {
    }

    /** The first value of {@code name}, percent-decoded; "" for a bare {@code name}; null when absent or undecodable. */
    public static String first(String query, String name) {
        if (query == null || query.isEmpty()) {
            return null;
        }
        int start = 0;
        while (start <= query.length()) {
            int amp = query.indexOf('&', start);
            int end = amp < 0 ? query.length() : amp;
            int eq = query.indexOf('=', start);
            boolean hasValue = eq >= 0 && eq < end;
            String key = query.substring(start, hasValue ? eq : end);
            if (key.equals(name)) {
                if (!hasValue) {
                    return "";
                }
                try {
                    return URLDecoder.decode(query.substring(eq + 1, end), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
            if (amp < 0) {
                break;
            }
            start = amp + 1;
        }
        return null;
    }
}
