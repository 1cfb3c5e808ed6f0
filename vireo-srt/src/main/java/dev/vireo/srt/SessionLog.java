package dev.vireo.srt;

import dev.vireo.core.SessionLogger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logging for one SRT session: every line carries the session id and the stream key, in the
 * message and as MDC keys {@code sessionId} / {@code streamKey} (core's {@link SessionLogger}, as
 * RTMP's sessions do), on the logger {@code dev.vireo.srt.session}.
 */
final class SessionLog extends SessionLogger {

    private static final Logger log = LoggerFactory.getLogger("dev.vireo.srt.session");

    SessionLog(String sessionId, String streamKey, String peer) {
        super(log, sessionId, peer, streamKey);
    }
}
