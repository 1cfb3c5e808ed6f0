package dev.vireo.webrtc.signaling;

import dev.vireo.core.LogContext;
import dev.vireo.core.StreamKey;
import dev.vireo.webrtc.RtcTransport;
import dev.vireo.webrtc.rtcp.RtcpException;
import io.netty.buffer.ByteBuf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a WebRTC-over-HTTP session (a WHEP viewer, a WHIP publisher) does the same way whichever
 * protocol it speaks: its id and stream, the transport it runs on once its offer was answered,
 * and its lifecycle — connected once ICE and DTLS are done (nothing after the end), ended once
 * (the first reason wins and stays for its stats), RTCP from the peer with a malformed compound
 * logged and ignored, and its logs in the session's MDC ({@link LogContext}: stream key, session
 * id). The protocol's session says what it does at each step ({@link #connected}, {@link #rtcp},
 * {@link #ended}).
 *
 * <p>Threads: the transport's events come on its event loop; {@link #close} and the getters may
 * be called from any thread ({@code transport} and {@code closed} are volatile, {@code connected}
 * is the loop's).
 */
public abstract class RtcSession implements SessionResources.Resource {

    private final Logger log = LoggerFactory.getLogger(getClass());
    private final String id;
    private final StreamKey key;
    private volatile RtcTransport transport;
    private volatile boolean closed;
    private volatile String endReason;
    private boolean connected;

    protected RtcSession(String id, StreamKey key) {
        this.id = id;
        this.key = key;
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final StreamKey key() {
        return key;
    }

    @Override
    public final RtcTransport transport() {
        return transport;
    }

    /** From the signaling thread, when the offer was answered: the transport this session runs on. */
    protected final void transport(RtcTransport t) {
        this.transport = t;
    }

    /** Whether the session ended. */
    public final boolean isClosed() {
        return closed;
    }

    /** On the loop: whether ICE and DTLS completed (and the session did not end before). */
    protected final boolean isConnected() {
        return connected;
    }

    /** Why the session ended, null while it runs. */
    protected final String endReason() {
        return endReason;
    }

    @Override
    public final void onConnected() {
        if (closed) {
            return;
        }
        connected = true;
        connected(System.nanoTime());
    }

    /** ICE and DTLS are done and the session has not ended: media may flow (on the loop). */
    protected abstract void connected(long now);

    @Override
    public final void onRtcp(ByteBuf compound) {
        try {
            rtcp(compound, System.nanoTime());
        } catch (RtcpException e) {
            inContext(() -> log.debug("ignoring malformed RTCP: {}", e.getMessage()));
        }
    }

    /** A compound RTCP packet from the peer (on the loop); a malformed one throws. */
    protected abstract void rtcp(ByteBuf compound, long now);

    @Override
    public final void onClosed(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        endReason = reason;
        ended(reason);
    }

    /** Once, when the transport closed: the protocol's session lets go of what it holds. */
    protected abstract void ended(String reason);

    /** Runs a log statement with the session's stream key and id in the MDC. */
    protected final void inContext(Runnable logStatement) {
        LogContext.run(key, id, logStatement);
    }
}
