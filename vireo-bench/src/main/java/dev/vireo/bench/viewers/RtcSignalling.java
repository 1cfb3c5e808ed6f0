package dev.vireo.bench.viewers;

import dev.vireo.bench.FreePort;
import dev.vireo.webrtc.dtls.CertificateFingerprint;
import dev.vireo.webrtc.ice.IceCredentials;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * How one WebRTC bench viewer ({@link WhepViewer}) gets the server's half of its session: WHEP
 * (the viewer offers, {@link WhepSignalling}) or the Janus API (the server offers,
 * {@link JanusApi}). What follows signalling (ICE checks, the DTLS-SRTP handshake, counting
 * RTP) is the same for every server.
 */
interface RtcSignalling {

    /**
     * What the viewer needs from the server after signalling.
     *
     * @param credentials the server's ICE ufrag and password
     * @param fingerprint the server certificate's fingerprint
     * @param address     the server's host candidate the viewer sends its checks to
     * @param videoPt     the H.264 payload type, -1 when there is no video
     * @param audioPt     the Opus payload type, -1 when there is no audio
     */
    record Peer(IceCredentials credentials, CertificateFingerprint fingerprint, InetSocketAddress address,
                int videoPt, int audioPt) {
    }

    /**
     * The address the viewer's UDP socket binds to: 127.0.0.1, or the host address a server uses
     * for its candidates when it never uses loopback (Janus, {@code JanusProcess.hostAddress()}).
     */
    default String bindAddress() {
        return FreePort.LOOPBACK;
    }

    /**
     * Whether the server sends connectivity checks of its own that must succeed before it takes
     * DTLS (Janus's libnice does, even in ICE-lite mode; an ICE-lite server per RFC 8445 §2.5
     * does not).
     */
    default boolean serverChecks() {
        return false;
    }

    /**
     * Negotiates the session.
     *
     * @param local       the viewer's ICE credentials
     * @param fingerprint the viewer certificate's fingerprint
     * @param candidate   the viewer's UDP socket (its host candidate, when the protocol sends one)
     * @return completes with the server's side, exceptionally with a readable reason
     */
    CompletableFuture<Peer> connect(IceCredentials local, CertificateFingerprint fingerprint, InetSocketAddress candidate);

    /**
     * Ends the session on the server (WHEP DELETE, Janus detach); blocking, called from a bounded
     * pool. Does nothing when {@link #connect} never got as far as creating one.
     *
     * @return false when the server could not be told
     */
    boolean end();
}
