package dev.vireo.rtmp;

import io.netty.channel.Channel;
import dev.vireo.core.LogContext;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logging for one RTMP connection: every line carries the session id and, once known, the stream
 * key, both in the message and as MDC keys {@code sessionId} / {@code streamKey}. Also records the
 * first reason the connection is closed for, so the close is logged exactly once.
 */
final class SessionLog {

    private static final Logger log = LoggerFactory.getLogger("dev.vireo.rtmp.session");

    private final String sessionId;
    private final String peer;
    private volatile String streamKey = "-";
    private final AtomicBoolean closeLogged = new AtomicBoolean();
    private volatile String closeReason;

    private final LongAdder peerFaults;

    SessionLog(String sessionId, String peer) {
        this(sessionId, peer, new LongAdder());
    }

    /** @param peerFaults counts connections closed for the peer's fault (malformed input, protocol errors) */
    SessionLog(String sessionId, String peer, LongAdder peerFaults) {
        this.sessionId = sessionId;
        this.peer = peer;
        this.peerFaults = peerFaults;
    }

    String sessionId() {
        return sessionId;
    }

    String peer() {
        return peer;
    }

    void streamKey(String key) {
        this.streamKey = key;
    }

    /** Why the connection was closed, or null while it is open. */
    String closeReason() {
        return closeReason;
    }

    void info(String format, Object... args) {
        if (log.isInfoEnabled()) {
            withMdc(() -> log.info(prefix() + format, args));
        }
    }

    void debug(String format, Object... args) {
        if (log.isDebugEnabled()) {
            withMdc(() -> log.debug(prefix() + format, args));
        }
    }

    void warn(String format, Object... args) {
        withMdc(() -> log.warn(prefix() + format, args));
    }

    /** Logs {@code reason} (first call only) and closes the channel. */
    void close(Channel ch, String reason, boolean peerFault) {
        if (closeLogged.compareAndSet(false, true)) {
            closeReason = reason;
            if (peerFault) {
                peerFaults.increment();
                warn("closing connection from {}: {}", peer, reason);
            } else {
                info("closing connection from {}: {}", peer, reason);
            }
        }
        ch.close();
    }

    /** The peer went away: logs it once unless a close reason was already logged. */
    void peerClosed(String detail) {
        if (closeLogged.compareAndSet(false, true)) {
            closeReason = detail;
            info("connection from {} closed: {}", peer, detail);
        }
    }

    private String prefix() {
        return "[" + sessionId + " " + streamKey + "] ";
    }

    private void withMdc(Runnable r) {
        LogContext.run(streamKey, sessionId, r);
    }
}
