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
    RTC_TRANSPORTS("rtc.transports", "VIREO_RTC_TRANSPORTS", "--rtc-transports", "LIST", "udp,tcp",
            "what WebRTC answers advertise: udp, tcp (ICE-TCP on the same port number, for networks that"
                    + " block UDP) or both", ConfigValues::iceTransports),
    SRT_PORT("srt.port", "VIREO_SRT_PORT", "--srt-port", "PORT", "10080",
            "UDP port for SRT ingest and playback (0 = any free port)", ConfigValues::port),
    SRT_LATENCY("srt.latency", "VIREO_SRT_LATENCY", "--srt-latency", "DURATION", "120ms",
            "SRT latency (TSBPD) offered to callers; the larger of both sides wins", ConfigValues::latencyMillis),
    SRT_PASSPHRASE("srt.passphrase", "VIREO_SRT_PASSPHRASE", "--srt-passphrase", "TEXT", "",
            "SRT passphrase of every stream, 10-79 characters (empty = no encryption)", ConfigValues::srtPassphrase);

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
