package dev.vireo.server;

import dev.vireo.srt.SrtConfig;
import dev.vireo.webrtc.WebRtcConfig.IceTransports;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything the server is configured with; built by {@link ConfigLoader} from embedded defaults,
 * an optional YAML file, environment variables and command line flags.
 *
 * @param bind address every listener binds to
 * @param httpPort HTTP port (HTTP-FLV, API, metrics); 0 for an ephemeral port
 * @param rtmpPort RTMP port; 0 for an ephemeral port
 * @param dataDir where the server keeps its files (store, recordings, keys)
 * @param logLevel root log level: trace, debug, info, warn, error or off
 * @param reconnectGrace how long viewers wait for a publisher that dropped to come back
 * @param slowViewerMaxLag how long a viewer may be unable to take data before it is dropped
 * @param httpIdleTimeout idle HTTP connections (not streaming ones) are closed after this
 * @param httpMaxBodySize largest HTTP request body accepted, in bytes
 * @param publicHost host name printed in the URLs to push to and play from; "" to guess
 * @param rtcPort UDP port of WebRTC media (all sessions); 0 for an ephemeral port
 * @param rtcCandidates comma-separated {@code host[:port]} addresses to advertise to browsers; ""
 *     to advertise this host's addresses and 127.0.0.1
 * @param httpsPort HTTPS port (same routes; per-domain certificates chosen by SNI); 0 for an
 *     ephemeral port
 * @param rtcIceServers STUN/TURN servers advertised to WHEP clients and the player page
 *     ({@code uri} or {@code turn-uri|user|password}, comma-separated); "" for none
 * @param rtcMaxSessions WebRTC sessions taken at once; 0 for the default (per processor),
 *     {@link Integer#MAX_VALUE} for no cap
 * @param rtcTransports the candidates answers advertise: UDP, ICE-TCP (RFC 6544) or both
 * @param srt the SRT listener: port (0 for an ephemeral one), latency, default passphrase
 */
public record Config(String bind, int httpPort, int rtmpPort, Path dataDir, String logLevel,
                     Duration reconnectGrace, Duration slowViewerMaxLag, Duration httpIdleTimeout,
                     int httpMaxBodySize, String publicHost, int rtcPort, String rtcCandidates, int httpsPort,
                     String rtcIceServers, int rtcMaxSessions, IceTransports rtcTransports, SrtConfig srt) {

    /** A configuration without an HTTPS port (embedding, tests): HTTPS listens on an ephemeral port. */
    public Config(String bind, int httpPort, int rtmpPort, Path dataDir, String logLevel, Duration reconnectGrace,
                  Duration slowViewerMaxLag, Duration httpIdleTimeout, int httpMaxBodySize, String publicHost,
                  int rtcPort, String rtcCandidates) {
        this(bind, httpPort, rtmpPort, dataDir, logLevel, reconnectGrace, slowViewerMaxLag, httpIdleTimeout,
                httpMaxBodySize, publicHost, rtcPort, rtcCandidates, 0, "", 0, IceTransports.UDP_AND_TCP, SrtConfig.defaults().withBind(bind, 0));
    }

    /**
     * A configuration without WebRTC settings (embedding, tests): the media port is ephemeral and
     * the candidates are detected.
     */
    public Config(String bind, int httpPort, int rtmpPort, Path dataDir, String logLevel, Duration reconnectGrace,
                  Duration slowViewerMaxLag, Duration httpIdleTimeout, int httpMaxBodySize, String publicHost) {
        this(bind, httpPort, rtmpPort, dataDir, logLevel, reconnectGrace, slowViewerMaxLag, httpIdleTimeout,
                httpMaxBodySize, publicHost, 0, "", 0, "", 0, IceTransports.UDP_AND_TCP, SrtConfig.defaults().withBind(bind, 0));
    }

    public Config withPorts(int http, int rtmp) {
        return new Config(bind, http, rtmp, dataDir, logLevel, reconnectGrace, slowViewerMaxLag,
                httpIdleTimeout, httpMaxBodySize, publicHost, rtcPort, rtcCandidates, httpsPort, rtcIceServers, rtcMaxSessions,
                rtcTransports, srt);
    }

    public Config withDataDir(Path dir) {
        return new Config(bind, httpPort, rtmpPort, dir, logLevel, reconnectGrace, slowViewerMaxLag,
                httpIdleTimeout, httpMaxBodySize, publicHost, rtcPort, rtcCandidates, httpsPort, rtcIceServers, rtcMaxSessions,
                rtcTransports, srt);
    }

    public Config withSlowViewerMaxLag(Duration lag) {
        return new Config(bind, httpPort, rtmpPort, dataDir, logLevel, reconnectGrace, lag,
                httpIdleTimeout, httpMaxBodySize, publicHost, rtcPort, rtcCandidates, httpsPort, rtcIceServers, rtcMaxSessions,
                rtcTransports, srt);
    }

    public Config withReconnectGrace(Duration grace) {
        return new Config(bind, httpPort, rtmpPort, dataDir, logLevel, grace, slowViewerMaxLag,
                httpIdleTimeout, httpMaxBodySize, publicHost, rtcPort, rtcCandidates, httpsPort, rtcIceServers, rtcMaxSessions,
                rtcTransports, srt);
    }

    /** The same with another WebRTC media port (0 for an ephemeral one). */
    public Config withRtcPort(int port) {
        return new Config(bind, httpPort, rtmpPort, dataDir, logLevel, reconnectGrace, slowViewerMaxLag,
                httpIdleTimeout, httpMaxBodySize, publicHost, port, rtcCandidates, httpsPort, rtcIceServers, rtcMaxSessions,
                rtcTransports, srt);
    }

    /** The same with other WebRTC candidates to advertise ({@code host[:port],...}). */
    public Config withRtcCandidates(String candidates) {
        return new Config(bind, httpPort, rtmpPort, dataDir, logLevel, reconnectGrace, slowViewerMaxLag,
                httpIdleTimeout, httpMaxBodySize, publicHost, rtcPort, candidates, httpsPort, rtcIceServers, rtcMaxSessions,
                rtcTransports, srt);
    }

    /** The same with other STUN/TURN servers to advertise ("" for none). */
    public Config withRtcIceServers(String servers) {
        return new Config(bind, httpPort, rtmpPort, dataDir, logLevel, reconnectGrace, slowViewerMaxLag,
                httpIdleTimeout, httpMaxBodySize, publicHost, rtcPort, rtcCandidates, httpsPort, servers,
                rtcMaxSessions, rtcTransports, srt);
    }

    /** The same with another WebRTC session cap (0 for the default, {@link Integer#MAX_VALUE} for none). */
    public Config withRtcMaxSessions(int max) {
        return new Config(bind, httpPort, rtmpPort, dataDir, logLevel, reconnectGrace, slowViewerMaxLag,
                httpIdleTimeout, httpMaxBodySize, publicHost, rtcPort, rtcCandidates, httpsPort, rtcIceServers, max,
                rtcTransports, srt);
    }

    /** The same advertising other WebRTC transports. */
    public Config withRtcTransports(IceTransports transports) {
        return new Config(bind, httpPort, rtmpPort, dataDir, logLevel, reconnectGrace, slowViewerMaxLag,
                httpIdleTimeout, httpMaxBodySize, publicHost, rtcPort, rtcCandidates, httpsPort, rtcIceServers,
                rtcMaxSessions, transports, srt);
    }

    /** The same with another HTTPS port (0 for an ephemeral one). */
    public Config withHttpsPort(int port) {
        return new Config(bind, httpPort, rtmpPort, dataDir, logLevel, reconnectGrace, slowViewerMaxLag,
                httpIdleTimeout, httpMaxBodySize, publicHost, rtcPort, rtcCandidates, port, rtcIceServers, rtcMaxSessions,
                rtcTransports, srt);
    }

    /** The same with other SRT settings. */
    public Config withSrt(SrtConfig s) {
        return new Config(bind, httpPort, rtmpPort, dataDir, logLevel, reconnectGrace, slowViewerMaxLag,
                httpIdleTimeout, httpMaxBodySize, publicHost, rtcPort, rtcCandidates, httpsPort, rtcIceServers,
                rtcMaxSessions, rtcTransports, s);
    }
}
