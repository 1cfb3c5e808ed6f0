package dev.vireo.http.routing;

/**
 * Splits a request-target (RFC 9112 §3.2) into path and query. Accepts origin-form
 * ({@code /p?q}) and absolute-form ({@code http://host/p?q}, which a server MUST accept).
 */
record RequestTarget(String path, String rawQuery) {

    static RequestTarget parse(String uri) {
        String u = uri;
        if (!u.startsWith("/")) {
            int scheme = u.indexOf("://");
            if (scheme <= 0) {
                throw new IllegalArgumentException("request target is not a path");
            }
            int slash = u.indexOf('/', scheme + 3);
            int q = u.indexOf('?', scheme + 3);
            if (slash < 0 || (q >= 0 && q < slash)) {
                u = "/" + (q >= 0 ? u.substring(q) : "");
            } else {
                u = u.substring(slash);
            }
        }
        int hash = u.indexOf('#');
        if (hash >= 0) {
            u = u.substring(0, hash);
        }
        int q = u.indexOf('?');
        return q < 0 ? new RequestTarget(u, "") : new RequestTarget(u.substring(0, q), u.substring(q + 1));
    }

    /** The path alone, for logs (the query may carry auth_key and must not be logged). */
    static String pathOf(String uri) {
        try {
            return parse(uri).path();
        } catch (IllegalArgumentException e) {
            return "<invalid target>";
        }
    }
}
