package dev.vireo.server;

import java.util.function.Function;

/**
 * One configuration setting and its three names: the key in the YAML file (dots are nesting),
 * the environment variable and the command line flag, with the embedded default.
 */
enum Setting {
    BIND("bind", "VIREO_BIND", "--bind", "ADDRESS", "0.0.0.0",
            "address every listener binds to", ConfigValues::host),
    HTTP_PORT("http.port", "VIREO_HTTP_PORT", "--http-port", "PORT", "8080",
            "HTTP port: HTTP-FLV, REST API, metrics (0 = any free port)", ConfigValues::port),
    HTTPS_PORT("https.port", "VIREO_HTTPS_PORT", "--https-port", "PORT", "8443",
            "HTTPS port, same routes as HTTP; each domain's uploaded certificate is chosen by SNI"
                    + " (0 = any free port)", ConfigValues::port),
    RTMP_PORT("rtmp.port", "VIREO_RTMP_PORT", "--rtmp-port", "PORT", "1935",
            "RTMP port (0 = any free port)", ConfigValues::port),
    DATA_DIR("data-dir", "VIREO_DATA_DIR", "--data-dir", "DIR", "./data",
            "directory for the server's files", ConfigValues::path),
    LOG_LEVEL("log-level", "VIREO_LOG_LEVEL", "--log-level", "LEVEL", "info",
            "trace, debug, info, warn, error or off", ConfigValues::logLevel),
    RECONNECT_GRACE("hub.reconnect-grace", "VIREO_RECONNECT_GRACE", "--reconnect-grace", "DURATION", "10s",
            "how long viewers wait for a publisher that dropped to come back", ConfigValues::duration),
    SLOW_VIEWER_MAX_LAG("hub.slow-viewer-max-lag", "VIREO_SLOW_VIEWER_MAX_LAG", "--slow-viewer-max-lag", "DURATION", "10s",
            "how long a viewer may be unable to take data before it is dropped", ConfigValues::positiveDuration),
    HTTP_IDLE_TIMEOUT("http.idle-timeout", "VIREO_HTTP_IDLE_TIMEOUT", "--http-idle-timeout", "DURATION", "60s",
            "idle HTTP connections (not streaming ones) are closed after this", ConfigValues::positiveDuration),
    HTTP_MAX_BODY_SIZE("http.max-body-size", "VIREO_HTTP_MAX_BODY_SIZE", "--http-max-body-size", "SIZE", "1MiB",
            "largest HTTP request body accepted", ConfigValues::size),
    PUBLIC_HOST("public-host", "VIREO_PUBLIC_HOST", "--public-host", "HOST", "",
            "host name printed in the push/play URLs (default: this machine's address)", ConfigValues::optionalHost),
    RTC_PORT("rtc.port", "VIREO_RTC_PORT", "--rtc-port", "PORT", "8000",
            "UDP port for WebRTC media, shared by every session (0 = any free port)", ConfigValues::port),
    RTC_CANDIDATES("rtc.candidates", "VIREO_RTC_CANDIDATES", "--rtc-candidates", "HOSTS", "",
            "addresses browsers reach the WebRTC port at, comma-separated host[:port] (default: this host's"
                    + " addresses and 127.0.0.1)", ConfigValues::candidates),
    RTC_ICE_SERVERS("rtc.ice-servers", "VIREO_RTC_ICE_SERVERS", "--rtc-ice-servers", "URIS", "",
            "STUN/TURN servers WHEP answers and the player page advertise, comma-separated stun:host:port or"
                    + " turn:host:port?transport=udp|user|password (default: none)", ConfigValues::iceServers),
    RTC_MAX_SESSIONS("rtc.max-sessions", "VIREO_RTC_MAX_SESSIONS", "--rtc-max-sessions", "N", "auto",
            "WebRTC sessions taken at once, more get 503 + Retry-After (auto: 1000 per processor; 0: no cap)",
            ConfigValues::maxSessions),
    RTC_JOINS_PER_ADDRESS("rtc.joins-per-address", "VIREO_RTC_JOINS_PER_ADDRESS", "--rtc-joins-per-address", "N",
            "10", "WebRTC offers one source address may make a second (bursts of 2 N) and its sessions connecting at"
                    + " once; raise it for audiences behind one NAT", ConfigValues::joinsPerAddress),
    RTC_TRANSPORTS("rtc.transports", "VIREO_RTC_TRANSPORTS", "--rtc-transports", "LIST", "udp,tcp",
            "what WebRTC answers advertise: udp, tcp (ICE-TCP on the same port number, for networks that"
                    + " block UDP) or both", ConfigValues::iceTransports),
    RTC_RED("rtc.red", "VIREO_RTC_RED", "--rtc-red", "on|off", "on",
            "WHEP audio as RFC 2198 RED (each Opus packet repeats the previous one) to browsers that offer it",
            ConfigValues::onOff),
    HLS_SEGMENT_DURATION("hls.segment-duration", "VIREO_HLS_SEGMENT_DURATION", "--hls-segment-duration", "DURATION",
            "2s", "HLS/LL-HLS segment target; segments are cut at keyframes, so a longer GOP makes longer ones",
            ConfigValues::positiveDuration),
    HLS_PART_DURATION("hls.part-duration", "VIREO_HLS_PART_DURATION", "--hls-part-duration", "DURATION", "200ms",
            "LL-HLS part target (EXT-X-PART-INF PART-TARGET)", ConfigValues::positiveDuration),
    HLS_TOKEN_TTL("hls.token-ttl", "VIREO_HLS_TOKEN_TTL", "--hls-token-ttl", "DURATION", "60s",
            "lifetime of the session token on the segment URLs of a playlist", ConfigValues::positiveDuration),
    WEBHOOK_ALLOW("webhooks.allow", "VIREO_WEBHOOK_ALLOW", "--webhook-allow", "LIST", "",
            "loopback/private/link-local targets webhooks may still reach: CIDRs or host:port, comma-separated"
                    + " (default: none)", ConfigValues::webhookAllow),
    WEBHOOK_AUTH_TIMEOUT("webhooks.auth-timeout", "VIREO_WEBHOOK_AUTH_TIMEOUT", "--webhook-auth-timeout", "DURATION",
            "5s", "how long the on-publish authorization hook has to answer", ConfigValues::positiveDuration),
    WEBHOOK_AUTH_FAILURE("webhooks.auth-failure", "VIREO_WEBHOOK_AUTH_FAILURE", "--webhook-auth-failure", "deny|allow",
            "deny", "what a publisher gets when the authorization hook does not answer in time or fails",
            ConfigValues::failOpen),
    DEFAULT_VHOST("default-vhost", "VIREO_DEFAULT_VHOST", "--default-vhost", "on|off", "on",
            "serve the zero-config default vhost (anything not naming a configured domain) also once domains"
                    + " exist; off: only configured domains", ConfigValues::onOff),
    SIGNING_MAX_FUTURE_SKEW("signing.max-future-skew", "VIREO_SIGNING_MAX_FUTURE_SKEW", "--signing-max-future-skew",
            "DURATION", "validity", "how far in the future a Type A timestamp may be (validity: one validity period"
                    + " of the domain)", ConfigValues::futureSkew),
    RECORD_STREAMS("record.streams", "VIREO_RECORD_STREAMS", "--record-streams", "PATTERNS", "",
            "streams recorded to fMP4 under data-dir/recordings, comma-separated app/stream with * for any"
                    + " (e.g. live/*; default: none)", ConfigValues::recordPatterns),
    RECORD_ROTATE("record.rotate", "VIREO_RECORD_ROTATE", "--record-rotate", "DURATION", "1h",
            "a recording starts a new file at the first keyframe after this", ConfigValues::positiveDuration),
    TRANSCODE_HTML5_EAGER("transcode.html5-eager", "VIREO_TRANSCODE_HTML5_EAGER", "--transcode-html5-eager", "BOOL",
            "true", "start the browser variant (AAC→Opus, no B-frames) when such a stream is published, so the"
                    + " first WebRTC viewer does not wait for ffmpeg", ConfigValues::onOff),
    SRT_PORT("srt.port", "VIREO_SRT_PORT", "--srt-port", "PORT", "10080",
            "UDP port for SRT ingest and playback (0 = any free port)", ConfigValues::port),
    SRT_LATENCY("srt.latency", "VIREO_SRT_LATENCY", "--srt-latency", "DURATION", "120ms",
            "SRT latency (TSBPD) offered to callers; the larger of both sides wins", ConfigValues::latencyMillis),
    SRT_PASSPHRASE("srt.passphrase", "VIREO_SRT_PASSPHRASE", "--srt-passphrase", "TEXT", "",
            "SRT passphrase of every stream, 10-79 characters (empty = no encryption)", ConfigValues::srtPassphrase),
    STORE_URL("store.url", "VIREO_STORE_URL", "--store-url", "JDBC-URL", "",
            "control store, shared by a cluster's nodes: jdbc:postgresql://host:5432/db?user=...&password=... (empty ="
                    + " the embedded H2 file under data-dir; never logged)", ConfigValues::storeUrl),
    STORE_KEY_FILE("store.key-file", "VIREO_STORE_KEY_FILE", "--store-key-file", "FILE", "",
            "key the store's secrets are encrypted with (AES-256-GCM), 32 bytes, created 0600 when missing; the same file"
                    + " on every node of a cluster (empty = data-dir/store.key)", ConfigValues::optionalPath),
    CLUSTER_REDIS("cluster.redis", "VIREO_CLUSTER_REDIS", "--cluster-redis", "URL", "",
            "Redis of the cluster registry, redis://[user:password@]host:port[/db] or rediss://... (empty = a single"
                    + " node; never logged)", ConfigValues::redisUrl),
    NODE_ID("node.id", "VIREO_NODE_ID", "--node-id", "NAME", "",
            "this node's name in the cluster, A-Z a-z 0-9 . _ - (default: the host name)", ConfigValues::nodeName),
    NODE_ROLE("node.role", "VIREO_NODE_ROLE", "--node-role", "ROLE", "both",
            "origin (takes publishers), edge (serves viewers only) or both", ConfigValues::nodeRole),
    NODE_REGION("node.region", "VIREO_NODE_REGION", "--node-region", "NAME", "",
            "this node's region; edges prefer origins of their region (default: none)", ConfigValues::nodeName),
    NODE_INTERNAL_ADDRESS("node.internal-address", "VIREO_NODE_INTERNAL_ADDRESS", "--node-internal-address",
            "HOST[:PORT]", "", "address other nodes pull from; the port advertised is the relay's (cluster.port) once it"
                    + " listens (default: public-host)", ConfigValues::internalAddress),
    CLUSTER_LEASE_TTL("cluster.lease-ttl", "VIREO_CLUSTER_LEASE_TTL", "--cluster-lease-ttl", "DURATION", "10s",
            "a node's lease in the registry lives this long without renewal; its streams are free after",
            ConfigValues::positiveDuration),
    CLUSTER_CLAIM_TTL("cluster.claim-ttl", "VIREO_CLUSTER_CLAIM_TTL", "--cluster-claim-ttl", "DURATION", "10s",
            "a stream's ownership claim lives this long without renewal", ConfigValues::positiveDuration),
    CLUSTER_RENEW_INTERVAL("cluster.renew-interval", "VIREO_CLUSTER_RENEW_INTERVAL", "--cluster-renew-interval",
            "DURATION", "3s", "how often leases and claims are renewed and the registry re-read (below both TTLs)",
            ConfigValues::positiveDuration),
    CLUSTER_PORT("cluster.port", "VIREO_CLUSTER_PORT", "--cluster-port", "PORT", "9935",
            "node-to-node relay listener edges pull streams from, on when cluster.secret is set (0 = any free"
                    + " port, advertised as bound)", ConfigValues::port),
    CLUSTER_SECRET("cluster.secret", "VIREO_CLUSTER_SECRET", "--cluster-secret", "TEXT", "",
            "secret shared by the cluster's nodes, authenticates node-to-node pulls (HMAC-SHA256), at least 16"
                    + " characters; never logged (empty = relay off)", dev.vireo.cluster.relay.RelayAuth::checkSecret);

    final String key;
    final String env;
    final String flag;
    /** What the value is, for --help: PORT, DURATION, ... */
    final String metavar;
    final String defaultValue;
    final String description;
    private final Function<String, Object> parser;

    Setting(String key, String env, String flag, String metavar, String defaultValue, String description,
            Function<String, Object> parser) {
        this.key = key;
        this.env = env;
        this.flag = flag;
        this.metavar = metavar;
        this.defaultValue = defaultValue;
        this.description = description;
        this.parser = parser;
    }

    /** Parses a value; IllegalArgumentException says why it is not valid. */
    Object parse(String text) {
        return parser.apply(text);
    }

    static Setting byKey(String key) {
        for (Setting s : values()) {
            if (s.key.equals(key)) {
                return s;
            }
        }
        return null;
    }

    static Setting byFlag(String flag) {
        for (Setting s : values()) {
            if (s.flag.equals(flag)) {
                return s;
            }
        }
        return null;
    }
}
