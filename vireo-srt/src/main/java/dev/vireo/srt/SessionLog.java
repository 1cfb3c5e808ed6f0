package dev.vireo.srt;

import dev.vireo.core.LogContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logging for one SRT session: every line carries the session id and the stream key, in the
 * message and as MDC keys {@code sessionId} / {@code streamKey} (as RTMP's sessions do).
 */
final class SessionLog {

    private static final Logger log = LoggerFactory.getLogger("dev.vireo.srt.session");

    private final String sessionId;
    private final String streamKey;
    private final String peer;

    SessionLog(String sessionId, String streamKey, String peer) {
        this.sessionId = sessionId;
        this.streamKey = streamKey;
        this.peer = peer;
    }

    String sessionId() {
        return sessionId;
    }

    String peer() {
        return peer;
    }

    void info(String format, Object... args) {
        if (log.isInfoEnabled()) {
            withMdc(() -> log.info(prefix() + format, args));
        }
    }

    void warn(String format, Object... args) {
        withMdc(() -> log.warn(prefix() + format, args));
    }

    void debug(String format, Object... args) {
        if (log.isDebugEnabled()) {
            withMdc(() -> log.debug(prefix() + format, args));
        }
    }

    private String prefix() {
        return "[" + sessionId + " " + streamKey + "] ";
    }

    private void withMdc(Runnable r) {
        LogContext.run(streamKey, sessionId, r);
    }
}
