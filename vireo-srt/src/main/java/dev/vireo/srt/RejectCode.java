package dev.vireo.srt;

import dev.vireo.core.Gate;

/**
 * The SRT reject codes Vireo answers a handshake with ({@code SRT_REJX_*}, srt/access_control.h: the
 * HTTP status + 1000), and how a {@link Gate.Deny} maps to one. The caller's libsrt reports the
 * code ({@code srt_getrejectreason}); the reason text only reaches the server's log.
 */
final class RejectCode {

    static final int BAD_REQUEST = 1400;
    static final int UNAUTHORIZED = 1401;
    static final int OVERLOAD = 1402;
    static final int FORBIDDEN = 1403;
    static final int NOT_FOUND = 1404;
    static final int CONFLICT = 1409;
    static final int INTERNAL_ERROR = 1500;

    private RejectCode() {
    }

    /**
     * A gate refusal as a code: a signing failure ({@code denied by req auth: ...}, the text HTTP sends
     * in {@code X-Tengine-Error}) is 1401; an unknown domain 1404; anything else (forbidden stream,
     * domain limit, wrong domain type, offline domain) 1403.
     */
    static int of(Gate.Deny deny) {
        String r = deny.reason();
        if (r.startsWith("denied by req auth")) {
            return UNAUTHORIZED;
        }
        if (r.startsWith("domain ") && r.endsWith(" is not configured on this server")) {
            return NOT_FOUND;
        }
        if (deny.httpStatus() == 404) {
            return NOT_FOUND;
        }
        if (deny.httpStatus() == 401) {
            return UNAUTHORIZED;
        }
        return FORBIDDEN;
    }
}
