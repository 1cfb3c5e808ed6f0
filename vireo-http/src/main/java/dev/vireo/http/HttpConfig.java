package dev.vireo.http;

import java.time.Duration;

/**
 * Limits and listening address of the HTTP server.
 *
 * @param bind address to listen on ("0.0.0.0" for every interface)
 * @param port TCP port, 0 for an ephemeral one
 * @param maxInitialLineLength longest request line accepted; longer gets 414 (RFC 9112 §3)
 * @param maxHeaderSize largest header block accepted; larger gets 431 (RFC 6585 §5)
 * @param maxBodySize largest request body accepted; larger gets 413 (RFC 9110 §15.5.14)
 * @param idleTimeout a connection with no traffic for this long is closed, unless a request on it
 *     is still being answered (not applied to streaming responses such as HTTP-FLV, which end with
 *     their stream)
 * @param drainTimeout on close, how long streaming responses get to finish on their own
 */
public record HttpConfig(String bind, int port, int maxInitialLineLength, int maxHeaderSize,
                         int maxBodySize, Duration idleTimeout, Duration drainTimeout) {

    public HttpConfig {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (maxInitialLineLength < 64 || maxHeaderSize < 256 || maxBodySize < 0) {
            throw new IllegalArgumentException("HTTP limits too small");
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idle timeout must be positive");
        }
    }

    public static HttpConfig defaults() {
        return new HttpConfig("0.0.0.0", 8080, 8 * 1024, 16 * 1024, 1024 * 1024,
                Duration.ofSeconds(60), Duration.ofSeconds(2));
    }

    public HttpConfig withBind(String newBind, int newPort) {
        return new HttpConfig(newBind, newPort, maxInitialLineLength, maxHeaderSize, maxBodySize,
                idleTimeout, drainTimeout);
    }

    public HttpConfig withMaxBodySize(int bytes) {
        return new HttpConfig(bind, port, maxInitialLineLength, maxHeaderSize, bytes, idleTimeout, drainTimeout);
    }

    public HttpConfig withIdleTimeout(Duration timeout) {
        return new HttpConfig(bind, port, maxInitialLineLength, maxHeaderSize, maxBodySize, timeout, drainTimeout);
    }
}
