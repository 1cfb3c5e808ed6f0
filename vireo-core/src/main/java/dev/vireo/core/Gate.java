package dev.vireo.core;

/**
 * Access decisions for every protocol: which stream a request refers to (domain → vhost mapping,
 * streaming domain → ingest domain) and whether it may publish or play (URL signing, forbidden
 * streams, concurrency limits). Protocol adapters build an {@link AccessRequest} from their wire
 * format and never decide access themselves. May be called on an event loop: must not block.
 */
@FunctionalInterface
public interface Gate {

    /** What the client wants to do. */
    enum Action {
        PUBLISH,
        PLAY
    }

    /**
     * One request for access.
     *
     * @param action publish or play
     * @param protocol "rtmp", "http-flv", "hls", "whip", "whep", "srt", ...
     * @param host the domain the client addressed (tcUrl host, Host header, SRT h=), without port;
     *     may be an IP address or empty
     * @param app application name
     * @param stream stream name without query string and without extension
     * @param extension ".flv", ".m3u8" or "" — part of the signed URI for HTTP
     * @param query the raw query string without '?', or "" (carries auth_key, vhost, ...)
     * @param clientAddress the peer's address, for logs and hooks
     */
    record AccessRequest(Action action, String protocol, String host, String app, String stream,
                         String extension, String query, String clientAddress) {
    }

    /** The verdict. */
    sealed interface Verdict permits Allow, Deny {
    }

    /** Access granted to {@code key}. */
    record Allow(StreamKey key) implements Verdict {
    }

    /**
     * Access refused. {@code reason} is the text for the peer and the log (for HTTP also the
     * {@code X-Tengine-Error} header when {@code httpStatus} is 403); {@code retryAfterSeconds}, when
     * positive, when the client may try again (HTTP {@code Retry-After}, with 429).
     */
    record Deny(int httpStatus, String reason, long retryAfterSeconds) implements Verdict {

        public Deny(int httpStatus, String reason) {
            this(httpStatus, reason, 0);
        }
    }

    Verdict admit(AccessRequest request);

    /** The zero-config gate: every request is allowed on the default vhost. */
    static Gate allowAll() {
        return r -> new Allow(new StreamKey(StreamKey.DEFAULT_VHOST, r.app(), r.stream()));
    }
}
