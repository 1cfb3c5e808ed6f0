package dev.vireo.webrtc;

import dev.vireo.webrtc.ice.HostCandidates;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of the WebRTC media transport: one UDP port shared by every session (ICE-lite, all
 * media bundled and RTCP multiplexed).
 *
 * @param bind address the media socket binds to
 * @param port UDP port; 0 for an ephemeral one
 * @param candidates addresses to advertise in answers ({@code host[:port]}); empty to advertise
 *     this host's addresses plus 127.0.0.1
 * @param consentTimeout a session with no ICE Binding request for this long is closed (RFC 7675 §5.1: 30 s)
 * @param handshakeTimeout how long a DTLS handshake may take once started
 * @param sockets UDP sockets sharing the port with SO_REUSEPORT (epoll only); 0 for one per event
 *     loop of the group, up to the number of processors
 * @param transports which candidates answers advertise: UDP, the ICE-TCP passive candidate on the
 *     same port number (RFC 6544, for networks that block UDP), or both
 * @param maxSessions sessions the port takes at once; more are refused (WHEP: 503 with
 *     Retry-After) rather than degrading everyone's playback; {@link Integer#MAX_VALUE} for no cap
 */
public record WebRtcConfig(String bind, int port, List<HostCandidates.Advertised> candidates,
                           Duration consentTimeout, Duration handshakeTimeout, int sockets, IceTransports transports,
                           int maxSessions) {

    /** The candidates answers advertise. */
    public enum IceTransports {
        UDP, TCP, UDP_AND_TCP;

        public boolean udp() {
            return this != TCP;
        }

        public boolean tcp() {
            return this != UDP;
        }
    }

    public WebRtcConfig {
        Objects.requireNonNull(bind, "bind");
        candidates = List.copyOf(candidates);
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (consentTimeout.isNegative() || consentTimeout.isZero() || handshakeTimeout.isNegative()
                || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (sockets < 0) {
            throw new IllegalArgumentException("sockets must not be negative");
        }
        Objects.requireNonNull(transports, "transports");
        if (maxSessions < 1) {
            throw new IllegalArgumentException("maxSessions must be at least 1");
        }
    }

    /**
     * Sessions per processor the default cap allows: about what one core sends at 600 kbit/s
     * (docs/BENCHMARKS.md); set the cap from a measurement of the real machine and bitrate.
     */
    public static final int DEFAULT_SESSIONS_PER_CORE = 1000;

    /**
     * UDP 8000 on all addresses, advertised host addresses, 30 s consent, 10 s handshake,
     * {@link #DEFAULT_SESSIONS_PER_CORE} sessions per processor.
     */
    public static WebRtcConfig defaults() {
        return new WebRtcConfig("0.0.0.0", 8000, List.of(), Duration.ofSeconds(30), Duration.ofSeconds(10), 0,
                IceTransports.UDP_AND_TCP, DEFAULT_SESSIONS_PER_CORE * Runtime.getRuntime().availableProcessors());
    }

    /** The same advertising other transports. */
    public WebRtcConfig withTransports(IceTransports which) {
        return new WebRtcConfig(bind, port, candidates, consentTimeout, handshakeTimeout, sockets, which, maxSessions);
    }

    /** The same with another session cap ({@link Integer#MAX_VALUE} for none). */
    public WebRtcConfig withMaxSessions(int max) {
        return new WebRtcConfig(bind, port, candidates, consentTimeout, handshakeTimeout, sockets, transports, max);
    }

    public WebRtcConfig withBind(String address, int udpPort) {
        return new WebRtcConfig(address, udpPort, candidates, consentTimeout, handshakeTimeout, sockets, transports, maxSessions);
    }

    public WebRtcConfig withCandidates(List<HostCandidates.Advertised> advertised) {
        return new WebRtcConfig(bind, port, advertised, consentTimeout, handshakeTimeout, sockets, transports, maxSessions);
    }

    public WebRtcConfig withConsentTimeout(Duration timeout) {
        return new WebRtcConfig(bind, port, candidates, timeout, handshakeTimeout, sockets, transports, maxSessions);
    }

    public WebRtcConfig withSockets(int count) {
        return new WebRtcConfig(bind, port, candidates, consentTimeout, handshakeTimeout, count, transports, maxSessions);
    }
}
