package dev.vireo.webrtc.dtls;

import dev.vireo.webrtc.srtp.SrtpContext;
import dev.vireo.webrtc.srtp.SrtpException;
import dev.vireo.webrtc.srtp.SrtpKeyingMaterial;
import dev.vireo.webrtc.srtp.SrtpProfile;
import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * DTLS-SRTP of one transport (RFC 5764): the {@link DtlsEndpoint} handshake, started at the first
 * valid ICE check, and the SRTP/SRTCP contexts keyed from its exporter (§4.2). We are the DTLS server
 * ({@code a=setup:passive}), so we protect with the server write key and unprotect with the
 * client's. The peer's first authenticated SRTP or SRTCP packet shows it derived the keys too, so it
 * has our final flight: the endpoint is {@linkplain DtlsEndpoint#confirm() confirmed} then.
 *
 * <p>Threading: everything but the handshake on the session's loop; the keys are handed over to the
 * loop by {@link Listener#onKeyed()}.
 */
public final class DtlsSrtp {

    /** What the keying reports, on the loop. */
    public interface Listener {

        /** The handshake completed and SRTP is keyed. */
        void onKeyed();

        /** The handshake failed or timed out, or the peer closed DTLS; may come from the DTLS thread. */
        void onClosed(String reason);
    }

    private final DtlsEndpoint.Context context;
    private final List<CertificateFingerprint> remoteFingerprints;
    private final Duration handshakeTimeout;
    private final Consumer<byte[]> sender;
    private final Executor loop;
    private final Listener listener;
    private final String name;
    private DtlsEndpoint dtls;
    private SrtpContext outbound;
    private SrtpContext inbound;
    private SrtpProfile profile;
    private boolean confirmed;
    private boolean closed;

    /**
     * @param sender sends one DTLS datagram to the peer (from the DTLS thread)
     * @param loop the session's loop, where the keys are installed
     * @param name the session id (thread name, logs)
     */
    public DtlsSrtp(DtlsEndpoint.Context context, List<CertificateFingerprint> remoteFingerprints,
                    Duration handshakeTimeout, Consumer<byte[]> sender, Executor loop, Listener listener, String name) {
        this.context = context;
        this.remoteFingerprints = List.copyOf(remoteFingerprints);
        this.handshakeTimeout = handshakeTimeout;
        this.sender = sender;
        this.loop = loop;
        this.listener = listener;
        this.name = name;
    }

    /** On the loop: starts the handshake unless started already (the first valid ICE check). */
    public void startOnce() {
        if (dtls != null || closed) {
            return;
        }
        dtls = new DtlsEndpoint(context, remoteFingerprints, handshakeTimeout, sender, new DtlsEndpoint.Listener() {
            @Override
            public void onHandshakeComplete(SrtpKeyingMaterial keys) {
                try {
                    loop.execute(() -> install(keys));
                } catch (RejectedExecutionException e) {
                    // The server is stopping; the transport closes without the loop.
                }
            }

            @Override
            public void onClosed(String reason) {
                listener.onClosed(reason);
            }
        }, name);
        dtls.start();
    }

    private void install(SrtpKeyingMaterial keys) {
        if (closed) {
            return;
        }
        outbound = keys.outbound(true);
        inbound = keys.inbound(true);
        profile = keys.profile();
        listener.onKeyed();
    }

    /** Whether the handshake has started (DTLS from the peer is expected). */
    public boolean started() {
        return dtls != null;
    }

    /**
     * On the loop: a DTLS datagram from the peer; the caller keeps ownership.
     *
     * @return false when the handshake's queue dropped it
     */
    public boolean receive(ByteBuf datagram) {
        return dtls.receive(datagram);
    }

    /** Whether SRTP is keyed. */
    public boolean keyed() {
        return outbound != null && !closed;
    }

    /** The negotiated SRTP profile, null before the keys. */
    public SrtpProfile profile() {
        return profile;
    }

    /** RFC 3711 §3.3: protects an RTP packet in place (keyed only). */
    public void protectRtp(ByteBuf packet) throws SrtpException {
        outbound.protectRtp(packet);
    }

    /** As {@link #protectRtp(ByteBuf)} for the packet at {@code buf[start, start+len)}; the protected length. */
    public int protectRtp(ByteBuf buf, int start, int len) throws SrtpException {
        return outbound.protectRtp(buf, start, len);
    }

    /** RFC 3711 §3.4: protects a compound RTCP packet in place (keyed only). */
    public void protectRtcp(ByteBuf packet) throws SrtpException {
        outbound.protectRtcp(packet);
    }

    /**
     * Authenticates and decrypts the peer's SRTP in place.
     *
     * @return false before the keys
     */
    public boolean unprotectRtp(ByteBuf packet) throws SrtpException {
        if (inbound == null) {
            return false;
        }
        inbound.unprotectRtp(packet);
        confirm();
        return true;
    }

    /**
     * Authenticates and decrypts the peer's SRTCP in place.
     *
     * @return false before the keys
     */
    public boolean unprotectRtcp(ByteBuf packet) throws SrtpException {
        if (inbound == null) {
            return false;
        }
        inbound.unprotectRtcp(packet);
        confirm();
        return true;
    }

    private void confirm() {
        if (!confirmed) {
            confirmed = true;
            dtls.confirm(); // the peer derived the keys: it has our final DTLS flight
        }
    }

    /** Ends the handshake or the association (our close_notify); idempotent. */
    public void close() {
        closed = true;
        if (dtls != null) {
            dtls.close();
        }
    }
}
