package dev.vireo.server;

import dev.vireo.http.hls.HlsConfig;
import dev.vireo.record.RecordRules;
import dev.vireo.srt.SrtConfig;
import dev.vireo.webrtc.WebRtcConfig.IceTransports;
import dev.vireo.cluster.registry.RegistryConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

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
 * @param hls HLS/LL-HLS segment and part targets and the segment token lifetime
 * @param protection settings that hold back abuse (webhook targets, hook timeouts, default vhost, skew)
 * @param recording which streams are recorded and when files rotate
 * @param html5Eager start a stream's browser variant when it is published, not at its first WebRTC viewer
 * @param srt the SRT listener: port (0 for an ephemeral one), latency, default passphrase
 * @param cluster the control store's URL and the cluster registry (none: embedded store, one node)
 * @param relay the node-to-node relay: listener port and shared secret (issue 19)
 * @param loss how WebRTC playback handles packet loss: RED for Opus (issue 18)
 * @param store the control store's secrets: the key file they are encrypted with (issue 17)
 */
public record Config(String bind, int httpPort, int rtmpPort, Path dataDir, String logLevel,
                     Duration reconnectGrace, Duration slowViewerMaxLag, Duration httpIdleTimeout,
                     int httpMaxBodySize, String publicHost, int rtcPort, String rtcCandidates, int httpsPort,
                     String rtcIceServers, int rtcMaxSessions, IceTransports rtcTransports, HlsConfig hls,
                     Protection protection, RecordRules recording,
                     boolean html5Eager, SrtConfig srt, ClusterConfig cluster, RelayConfig relay, LossConfig loss,
                     StoreConfig store) {

    /**
     * The control store's secrets at rest (issue 17).
     *
     * @param keyFile the store key ({@code store.key-file}); null for {@code data-dir/store.key}
     */
    public record StoreConfig(Path keyFile) {

        public static StoreConfig defaults() {
            return new StoreConfig(null);
        }
    }

    /**
     * How WebRTC playback handles packet loss (issue 18).
     *
     * @param red RFC 2198 redundancy for Opus to viewers that offer {@code red/48000/2} ({@code rtc.red})
     */
    public record LossConfig(boolean red) {

        public static LossConfig defaults() {
            return new LossConfig(true);
        }
    }

    /**
     * The control store and the cluster (issue 19). Without {@code redisUrl} the node runs alone,
     * exactly as a single server.
     *
     * @param storeUrl JDBC URL of the control store ({@code store.url}); "" for the embedded H2 file.
     *     A secret when it carries a password: never logged
     * @param redisUrl the cluster registry ({@code cluster.redis}, redis:// or rediss://); "" alone. A secret too
     * @param nodeId this node's name in the cluster ({@code node.id}); "" for the host name
     * @param role origin, edge or both ({@code node.role})
     * @param region the node's region ({@code node.region}), "" when unset
     * @param internalAddress {@code host[:port]} other nodes pull from ({@code node.internal-address});
     *     "" for the public host
     * @param leaseTtl a node's lease without renewal ({@code cluster.lease-ttl})
     * @param claimTtl a stream claim without renewal ({@code cluster.claim-ttl})
     * @param renewInterval how often leases and claims are renewed ({@code cluster.renew-interval})
     */
    public record ClusterConfig(String storeUrl, String redisUrl, String nodeId, RegistryConfig.Role role,
                                String region, String internalAddress, Duration leaseTtl, Duration claimTtl,
                                Duration renewInterval) {

        /** Embedded store, no cluster. */
        public static ClusterConfig none() {
            return new ClusterConfig("", "", "", RegistryConfig.Role.BOTH, "", "", RegistryConfig.DEFAULT_LEASE_TTL,
                    RegistryConfig.DEFAULT_CLAIM_TTL, RegistryConfig.DEFAULT_RENEW_INTERVAL);
        }

        public boolean clustered() {
            return !redisUrl.isEmpty();
        }

        /** The same with another control store ("" for the embedded one). */
        public ClusterConfig withStore(String url) {
            return new ClusterConfig(url, redisUrl, nodeId, role, region, internalAddress, leaseTtl, claimTtl,
                    renewInterval);
        }

        /** The same in a cluster: Redis, this node's id, role and region. */
        public ClusterConfig withNode(String redis, String id, RegistryConfig.Role nodeRole, String nodeRegion) {
            return new ClusterConfig(storeUrl, redis, id, nodeRole, nodeRegion, internalAddress, leaseTtl, claimTtl,
                    renewInterval);
        }

        public ClusterConfig withTtls(Duration lease, Duration claim, Duration renew) {
            return new ClusterConfig(storeUrl, redisUrl, nodeId, role, region, internalAddress, lease, claim, renew);
        }

        @Override
        public String toString() {
            // Neither URL: both may carry a password.
            return "ClusterConfig[store=" + (storeUrl.isEmpty() ? "embedded" : "jdbc") + ", cluster="
                    + (clustered() ? "redis" : "off") + ", node=" + nodeId + ", role=" + role.wire() + ", region="
                    + region + ", internalAddress=" + internalAddress + "]";
        }
    }

    /** The same with another store and cluster settings. */
    public Config withCluster(ClusterConfig settings) {
        return with(b -> b.cluster = settings);
    }

    /**
     * The node-to-node relay (edges pull streams from origins).
     *
     * @param port the relay listener ({@code cluster.port}); 0 for an ephemeral one
     * @param secret the shared {@code cluster.secret}; "" turns the relay off. Never logged:
     *     {@link #toString()} hides it
     */
    public record RelayConfig(int port, String secret) {

        public static RelayConfig off() {
            return new RelayConfig(9935, "");
        }

        /** Whether this node serves and pulls streams over the relay. */
        public boolean on() {
            return !secret.isEmpty();
        }

        @Override
        public String toString() {
            return "RelayConfig[port=" + port + ", secret=" + (secret.isEmpty() ? "(none)" : "(hidden)") + "]";
        }
    }

    /**
     * Settings that hold back abuse (issue 17).
     *
     * @param webhookAllow targets tenants' webhooks may reach although loopback, private,
     *     link-local or this server's own: CIDRs or host:port, comma-separated; "" for none
     * @param webhookAuthTimeout how long the on-publish authorization hook has to answer
     * @param webhookAuthFailOpen whether a publisher stays when that hook did not answer (default: kicked)
     * @param defaultVhost whether the zero-config default vhost is served once domains exist
     * @param signingFutureSkew how far in the future a Type A timestamp may be; null for one validity
     *     period of the domain
     * @param rtcJoinsPerAddress WebRTC offers one source address may make a second (bursts of twice
     *     that) and its sessions connecting at once
     */
    public record Protection(String webhookAllow, Duration webhookAuthTimeout, boolean webhookAuthFailOpen,
                             boolean defaultVhost, Duration signingFutureSkew, int rtcJoinsPerAddress) {

        public static Protection defaults() {
            return new Protection("", Duration.ofSeconds(5), false, true, null, 10);
        }

        public Protection withWebhookAllow(String allow) {
            return new Protection(allow, webhookAuthTimeout, webhookAuthFailOpen, defaultVhost, signingFutureSkew,
                    rtcJoinsPerAddress);
        }

        public Protection withWebhookAuth(Duration timeout, boolean failOpen) {
            return new Protection(webhookAllow, timeout, failOpen, defaultVhost, signingFutureSkew, rtcJoinsPerAddress);
        }

        public Protection withDefaultVhost(boolean on) {
            return new Protection(webhookAllow, webhookAuthTimeout, webhookAuthFailOpen, on, signingFutureSkew,
                    rtcJoinsPerAddress);
        }
    }

    /** The same with other HLS settings. */
    public Config withHls(HlsConfig settings) {
        return with(b -> b.hls = settings);
    }

    /** The same with other recording rules. */
    public Config withRecord(RecordRules rules) {
        return with(b -> b.recording = rules);
    }

    /** The same with other abuse settings. */
    public Config withProtection(Protection p) {
        return with(b -> b.protection = p);
    }

    /**
     * A configuration for embedding and tests, every other setting at its default: the WebRTC
     * media, HTTPS and SRT ports ephemeral, the candidates detected, UDP and ICE-TCP, no STUN/TURN,
     * the default session cap, HLS and abuse settings, nothing recorded, browser variants started
     * at publish, embedded store on a single node, no relay, RED on. A new component gets its
     * default here (and its setting in {@link ConfigLoader}).
     */
    public Config(String bind, int httpPort, int rtmpPort, Path dataDir, String logLevel, Duration reconnectGrace,
                  Duration slowViewerMaxLag, Duration httpIdleTimeout, int httpMaxBodySize, String publicHost) {
        this(bind, httpPort, rtmpPort, dataDir, logLevel, reconnectGrace, slowViewerMaxLag, httpIdleTimeout,
                httpMaxBodySize, publicHost, 0, "", 0, "", 0, IceTransports.UDP_AND_TCP, HlsConfig.defaults(),
                Protection.defaults(), RecordRules.none(), true, SrtConfig.defaults().withBind(bind, 0),
                ClusterConfig.none(), RelayConfig.off(), LossConfig.defaults(), StoreConfig.defaults());
    }

    public Config withPorts(int http, int rtmp) {
        return with(b -> { b.httpPort = http; b.rtmpPort = rtmp; });
    }

    public Config withDataDir(Path dir) {
        return with(b -> b.dataDir = dir);
    }

    public Config withSlowViewerMaxLag(Duration lag) {
        return with(b -> b.slowViewerMaxLag = lag);
    }

    public Config withReconnectGrace(Duration grace) {
        return with(b -> b.reconnectGrace = grace);
    }

    /** The same with another WebRTC media port (0 for an ephemeral one). */
    public Config withRtcPort(int port) {
        return with(b -> b.rtcPort = port);
    }

    /** The same with other WebRTC candidates to advertise ({@code host[:port],...}). */
    public Config withRtcCandidates(String candidates) {
        return with(b -> b.rtcCandidates = candidates);
    }

    /** The same with other STUN/TURN servers to advertise ("" for none). */
    public Config withRtcIceServers(String servers) {
        return with(b -> b.rtcIceServers = servers);
    }

    /** The same with another WebRTC session cap (0 for the default, {@link Integer#MAX_VALUE} for none). */
    public Config withRtcMaxSessions(int max) {
        return with(b -> b.rtcMaxSessions = max);
    }

    /** The same advertising other WebRTC transports. */
    public Config withRtcTransports(IceTransports transports) {
        return with(b -> b.rtcTransports = transports);
    }

    /** The same with another HTTPS port (0 for an ephemeral one). */
    public Config withHttpsPort(int port) {
        return with(b -> b.httpsPort = port);
    }

    /** The same starting (or not) browser variants at publish time. */
    public Config withHtml5Eager(boolean eager) {
        return with(b -> b.html5Eager = eager);
    }

    /** The same with other SRT listener settings. */
    public Config withSrt(SrtConfig settings) {
        return with(b -> b.srt = settings);
    }

    /** The same with other relay settings (issue 19). */
    public Config withRelay(RelayConfig settings) {
        return with(b -> b.relay = settings);
    }

    /** The same with other loss settings (issue 18). */
    public Config withLoss(LossConfig settings) {
        return with(b -> b.loss = settings);
    }

    /** The same with other store settings (issue 17). */
    public Config withStore(StoreConfig settings) {
        return with(b -> b.store = settings);
    }

    /** One component changed, every other kept: what each wither below builds on. */
    private Config with(Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return b.build();
    }

    /**
     * Every component of a configuration, mutable, for {@link #with}: a new component is added here
     * (field, copy, build), in the record header, in the embedding constructor (its default) and in
     * {@link ConfigLoader}; no wither changes.
     */
    private static final class Builder {
        private String bind;
        private int httpPort;
        private int rtmpPort;
        private Path dataDir;
        private String logLevel;
        private Duration reconnectGrace;
        private Duration slowViewerMaxLag;
        private Duration httpIdleTimeout;
        private int httpMaxBodySize;
        private String publicHost;
        private int rtcPort;
        private String rtcCandidates;
        private int httpsPort;
        private String rtcIceServers;
        private int rtcMaxSessions;
        private IceTransports rtcTransports;
        private HlsConfig hls;
        private Protection protection;
        private RecordRules recording;
        private boolean html5Eager;
        private SrtConfig srt;
        private ClusterConfig cluster;
        private RelayConfig relay;
        private LossConfig loss;
        private StoreConfig store;

        Builder(Config c) {
            bind = c.bind;
            httpPort = c.httpPort;
            rtmpPort = c.rtmpPort;
            dataDir = c.dataDir;
            logLevel = c.logLevel;
            reconnectGrace = c.reconnectGrace;
            slowViewerMaxLag = c.slowViewerMaxLag;
            httpIdleTimeout = c.httpIdleTimeout;
            httpMaxBodySize = c.httpMaxBodySize;
            publicHost = c.publicHost;
            rtcPort = c.rtcPort;
            rtcCandidates = c.rtcCandidates;
            httpsPort = c.httpsPort;
            rtcIceServers = c.rtcIceServers;
            rtcMaxSessions = c.rtcMaxSessions;
            rtcTransports = c.rtcTransports;
            hls = c.hls;
            protection = c.protection;
            recording = c.recording;
            html5Eager = c.html5Eager;
            srt = c.srt;
            cluster = c.cluster;
            relay = c.relay;
            loss = c.loss;
            store = c.store;
        }

        Config build() {
            return new Config(bind, httpPort, rtmpPort, dataDir, logLevel, reconnectGrace, slowViewerMaxLag,
                    httpIdleTimeout, httpMaxBodySize, publicHost, rtcPort, rtcCandidates, httpsPort, rtcIceServers,
                    rtcMaxSessions, rtcTransports, hls, protection, recording, html5Eager, srt, cluster, relay, loss,
                    store);
        }
    }
}
