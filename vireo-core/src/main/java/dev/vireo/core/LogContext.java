package dev.vireo.core;

import org.slf4j.MDC;

/**
 * The one way a session logs with its stream key and session id in the MDC ({@code streamKey},
 * {@code sessionId}): every adapter's session (RTMP, HTTP-FLV, WebRTC, transcode jobs) runs its
 * log statements through {@link #run}, so every line about a session carries both.
 */
public final class LogContext {

    public static final String STREAM_KEY = "streamKey";
    public static final String SESSION_ID = "sessionId";

    private LogContext() {
    }

    /** Runs a log statement with {@code streamKey} and {@code sessionId} in the MDC, then removes them. */
    public static void run(Object streamKey, String sessionId, Runnable logStatement) {
        MDC.put(STREAM_KEY, String.valueOf(streamKey));
        MDC.put(SESSION_ID, sessionId);
        try {
            logStatement.run();
        } finally {
            MDC.remove(STREAM_KEY);
            MDC.remove(SESSION_ID);
        }
    }
}
