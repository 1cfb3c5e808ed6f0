package dev.vireo.webrtc.dtls;

import dev.vireo.webrtc.srtp.SrtpKeyingMaterial;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DTLS server of one WebRTC session (RFC 5764, RFC 8842): runs BouncyCastle's blocking
 * handshake on its own virtual thread, fed by {@link #receive} from the event loop, and reports
 * the negotiated SRTP keys. After the handshake the thread stays to answer the peer's
 * retransmitted final flight (RFC 6347 §4.2.4) until the peer shows it has the keys too (its first
 * authenticated SRTCP packet, {@link #confirm()}) or {@link #CONFIRM_WAIT_MILLIS} pass, then ends:
 * a parked thread per viewer costs memory and wake-ups for nothing. From then on the rare DTLS
 * datagram (a late retransmission, the peer's close_notify, which ends the session at once
 * instead of after the consent timeout) is handled on the caller's thread by {@link #receive},
 * and {@link #close()} still sends our close_notify.
 */
public final class DtlsEndpoint implements AutoCloseable {

    /** What the endpoint reports; called on the endpoint's own thread. */
    public interface Listener {

        /** The handshake completed and the peer's certificate matched the offer. */
        void onHandshakeComplete(SrtpKeyingMaterial keys);

        /** The handshake failed or timed out, or the peer closed DTLS; not called after {@link #close()}. */
        void onClosed(String reason);
    }

    /** Every DTLS datagram in and out with its records (debug): where a slow handshake waits. */
    private static final Logger recordLog = LoggerFactory.getLogger(DtlsEndpoint.class.getName() + ".records");

    /** Datagrams waiting for the handshake thread; more are dropped (the peer retransmits). */
    private static final int QUEUE_CAPACITY = 64;
    /** How long the thread outlives the handshake without the peer's confirmation. */
    static final int CONFIRM_WAIT_MILLIS = 10_000;
    /** A receive on the caller's thread waits at most this long (the datagram is already queued). */
    private static final int INLINE_RECEIVE_MILLIS = 1;

    private final Context context;
    private final List<CertificateFingerprint> peerFingerprints;
    private final Duration handshakeTimeout;
    private final Listener listener;
    private final String name;
    private final QueueDatagramTransport transport;
    private volatile boolean closed;
    private volatile boolean confirmed;
    /** The association once the thread has ended: used by the caller's thread only. */
    private volatile DTLSTransport established;
    private volatile DtlsSrtpServer establishedServer;
    private Thread thread;

    /**
     * The parts shared by every endpoint of a server: its certificate and the crypto provider.
     */
    public static final class Context {

        private final DtlsCertificate certificate;
        private final BcTlsCrypto crypto;

        public Context(DtlsCertificate certificate, SecureRandom random) {
            this.certificate = certificate;
            this.crypto = new BcTlsCrypto(random);
        }

        public DtlsCertificate certificate() {
            return certificate;
        }
    }

    /**
     * @param peerFingerprints the {@code a=fingerprint} values of the offer; the peer's certificate
     *     must match one
     * @param sender sends one datagram to the peer (any thread)
     * @param name for the thread name and logs (the session id)
     */
    public DtlsEndpoint(Context context, List<CertificateFingerprint> peerFingerprints, Duration handshakeTimeout,
                        Consumer<byte[]> sender, Listener listener, String name) {
        if (peerFingerprints.isEmpty()) {
            throw new IllegalArgumentException("the offer has no certificate fingerprint");
        }
        this.context = context;
        this.peerFingerprints = List.copyOf(peerFingerprints);
        this.handshakeTimeout = handshakeTimeout;
        this.listener = listener;
        this.name = name;
        this.transport = new QueueDatagramTransport(QUEUE_CAPACITY, !recordLog.isDebugEnabled() ? sender
                : datagram -> {
                    recordLog.debug("{} out {}", name, records(datagram, 0, datagram.length));
                    sender.accept(datagram);
                });
    }

    /** Starts the handshake thread; it waits for the peer's ClientHello. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        thread = Thread.ofVirtual().name("dtls-" + name).start(this::run);
    }

    /**
     * From the event loop: a DTLS datagram from the peer (RFC 7983 first byte 20..63). Copies it;
     * the caller keeps ownership of {@code datagram}.
     *
     * @return false when it was dropped (queue full, too large, or closed)
     */
    public boolean receive(ByteBuf datagram) {
        if (recordLog.isDebugEnabled()) {
            byte[] bytes = ByteBufUtil.getBytes(datagram);
            recordLog.debug("{} in {}", name, records(bytes, 0, bytes.length));
        }
        if (!transport.offer(ByteBufUtil.getBytes(datagram))) {
            return false;
        }
        DTLSTransport dtls = established;
        if (dtls != null && !closed) {
            receiveInline(dtls);
        }
        return true;
    }

    /** After the thread ended: lets BouncyCastle process the queued datagram here. */
    private void receiveInline(DTLSTransport dtls) {
        DtlsSrtpServer server = establishedServer;
        try {
            dtls.receive(new byte[QueueDatagramTransport.RECEIVE_LIMIT], 0, QueueDatagramTransport.RECEIVE_LIMIT,
                    INLINE_RECEIVE_MILLIS);
        } catch (IOException | RuntimeException e) {
            report(server.peerClosed() ? "the peer closed DTLS" : "DTLS failed: " + describe(e));
            return;
        }
        if (server.peerClosed()) {
            report("the peer closed DTLS");
        }
    }

    /**
     * The peer has the keys (it sent authenticated SRTCP): our final flight arrived, so the
     * handshake thread may end. Any thread.
     */
    public void confirm() {
        confirmed = true;
    }

    private void run() {
        DtlsSrtpServer server = new DtlsSrtpServer(context.crypto, context.certificate, peerFingerprints,
                (int) Math.min(Integer.MAX_VALUE, handshakeTimeout.toMillis()));
        DTLSServerProtocol protocol = new DTLSServerProtocol();
        // ICE has already proven the peer can receive at its address (RFC 8445 §7.2.5), so the
        // cookie exchange (RFC 6347 §4.2.1) would only cost a round trip.
        protocol.setVerifyRequests(false);
        DTLSTransport dtls;
        try {
            dtls = protocol.accept(server, transport);
        } catch (IOException | RuntimeException e) {
            report("DTLS handshake failed: " + describe(e));
            transport.close();
            return;
        }
        boolean handedOff = false;
        try {
            SrtpKeyingMaterial keys = server.keys();
            if (keys == null) {
                report("DTLS handshake completed without SRTP keys");
                return;
            }
            if (closed) {
                return;
            }
            listener.onHandshakeComplete(keys);
            byte[] buf = new byte[QueueDatagramTransport.RECEIVE_LIMIT];
            long deadline = System.nanoTime() + CONFIRM_WAIT_MILLIS * 1_000_000L;
            long left;
            while (!closed && !server.peerClosed() && !confirmed
                    && (left = (deadline - System.nanoTime()) / 1_000_000) > 0) {
                // No application data is expected (no data channel); receiving keeps the engine
                // answering retransmissions and tells us about close_notify.
                dtls.receive(buf, 0, buf.length, (int) Math.min(left, 500));
            }
            if (server.peerClosed()) {
                report("the peer closed DTLS");
            } else if (!closed) {
                establishedServer = server;
                established = dtls; // hand-off: from here on the caller's thread uses it
                // close() either sees the hand-off and closes the association, or ran before it
                handedOff = !closed;
                if (!handedOff) {
                    established = null;
                }
            }
        } catch (IOException | RuntimeException e) {
            report(server.peerClosed() ? "the peer closed DTLS" : "DTLS failed: " + describe(e));
        } finally {
            if (!handedOff) {
                if (!server.peerClosed()) {
                    closeQuietly(dtls);
                }
                transport.close();
            }
        }
    }

    /**
     * The records of a datagram for the debug log: content type, epoch, length and, for a
     * plaintext handshake record, the message type (RFC 6347 §4.1, §4.2.2).
     */
    static String records(byte[] d, int offset, int end) {
        StringBuilder sb = new StringBuilder();
        int p = offset;
        while (p + 13 <= end) {
            int type = d[p] & 0xFF;
            int epoch = (d[p + 3] & 0xFF) << 8 | d[p + 4] & 0xFF;
            int length = (d[p + 11] & 0xFF) << 8 | d[p + 12] & 0xFF;
            sb.append(type == 20 ? "ccs" : type == 21 ? "alert" : type == 22 ? "handshake" : type == 23 ? "data"
                    : "type" + type).append("/e").append(epoch);
            if (type == 22 && epoch == 0 && p + 13 < end) {
                sb.append("/hs").append(d[p + 13] & 0xFF);
            }
            sb.append(' ').append(length).append("B ");
            p += 13 + length;
        }
        return sb.append("at ").append(System.currentTimeMillis()).toString();
    }

    private void report(String reason) {
        if (!closed) {
            closed = true;
            transport.closeInbound();
            listener.onClosed(reason);
        }
    }

    private static String describe(Throwable e) {
        if (e instanceof TlsFatalAlert alert) {
            // BC's message is "<alert>(<code>); <detail>" when there is a detail.
            return alert.getMessage() != null ? alert.getMessage()
                    : org.bouncycastle.tls.AlertDescription.getText(alert.getAlertDescription());
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    private static void closeQuietly(DTLSTransport dtls) {
        try {
            // Sends close_notify (RFC 5246 §7.2.1) while the transport still can.
            dtls.close();
        } catch (IOException | RuntimeException e) {
            // The session is going away either way.
        }
    }

    /** Whether the thread has ended and left the established association to the callers. */
    boolean handedOff() {
        return established != null;
    }

    /** Whether the handshake thread has stopped or {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Stops the endpoint: a running handshake aborts; an established association sends its
     * close_notify. No listener call follows. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        transport.closeInbound();
        DTLSTransport dtls = established;
        if (dtls != null) {
            established = null;
            closeQuietly(dtls);
            transport.close();
        }
    }
}
