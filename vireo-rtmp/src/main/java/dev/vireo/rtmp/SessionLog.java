package dev.vireo.rtmp;

import dev.vireo.core.SessionLogger;
import io.netty.channel.Channel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logging for one RTMP connection: every line carries the session id and, once known, the stream
 * key, both in the message and as MDC keys {@code sessionId} / {@code streamKey} (core's
 * {@link SessionLogger}). Also records the first reason the connection is closed for, so the close
 * is logged exactly once.
 */
final class SessionLog extends SessionLogger {

    private static final Logger log = LoggerFactory.getLogger("dev.vireo.rtmp.session");

    private final AtomicBoolean closeLogged = new AtomicBoolean();
    private volatile String closeReason;

    private final LongAdder peerFaults;

    SessionLog(String sessionId, String peer) {
        this(sessionId, peer, new LongAdder());
    }

    /** @param peerFaults counts connections closed for the peer's fault (malformed input, protocol errors) */
    SessionLog(String sessionId, String peer, LongAdder peerFaults) {
        super(log, sessionId, peer, "-");
        this.peerFaults = peerFaults;
    }

    /** Why the connection was closed, or null while it is open. */
    String closeReason() {
        return closeReason;
    }

    /** Logs {@code reason} (first call only) and closes the channel. */
    void close(Channel ch, String reason, boolean peerFault) {
        if (closeLogged.compareAndSet(false, true)) {
            closeReason = reason;
            if (peerFault) {
                peerFaults.increment();
                warn("closing connection from {}: {}", peer(), reason);
            } else {
                info("closing connection from {}: {}", peer(), reason);
            }
        }
        ch.close();
    }

    /** The peer went away: logs it once unless a close reason was already logged. */
    void peerClosed(String detail) {
        if (closeLogged.compareAndSet(false, true)) {
            closeReason = detail;
            info("connection from {} closed: {}", peer(), detail);
        }
    }
}
