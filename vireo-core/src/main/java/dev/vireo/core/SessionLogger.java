package dev.vireo.core;

import org.slf4j.Logger;

/**
 * The log lines of one protocol connection (an RTMP connection, an SRT socket): every line carries
 * the session id and the stream key twice, as a {@code [id key] } prefix of the message (for
 * plain-text logs) and in the MDC through {@link LogContext}. The stream key may come later (an
 * RTMP connection knows it once it publishes or plays). A protocol's session log extends this with
 * what it records about its connection. Thread-safe.
 */
public class SessionLogger {

    private final Logger log;
    private final String sessionId;
    private final String peer;
    private volatile String streamKey;

    /**
     * @param log the protocol's session logger
     * @param peer the remote address, for the protocol's own lines
     * @param streamKey the stream, or "-" until known
     */
    protected SessionLogger(Logger log, String sessionId, String peer, String streamKey) {
        this.log = log;
        this.sessionId = sessionId;
        this.peer = peer;
        this.streamKey = streamKey;
    }

    public final String sessionId() {
        return sessionId;
    }

    public final String peer() {
        return peer;
    }

    /** The stream the connection publishes or plays, once known. */
    public final void streamKey(String key) {
        this.streamKey = key;
    }

    public final void info(String format, Object... args) {
        if (log.isInfoEnabled()) {
            withMdc(() -> log.info(prefix() + format, args));
        }
    }

    public final void debug(String format, Object... args) {
        if (log.isDebugEnabled()) {
            withMdc(() -> log.debug(prefix() + format, args));
        }
    }

    public final void warn(String format, Object... args) {
        withMdc(() -> log.warn(prefix() + format, args));
    }

    private String prefix() {
        return "[" + sessionId + " " + streamKey + "] ";
    }

    private void withMdc(Runnable r) {
        LogContext.run(streamKey, sessionId, r);
    }
}
