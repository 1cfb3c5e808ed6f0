package dev.vireo.server;

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
 */
public record Config(String bind, int httpPort, int rtmpPort, Path dataDir, String logLevel,
                     Duration reconnectGrace, Duration slowViewerMaxLag, Duration httpIdleTimeout,
                     int httpMaxBodySize, String publicHost) {

    public Config withPorts(int http, int rtmp) {
        return new Config(bind, http, rtmp, dataDir, logLevel, reconnectGrace, slowViewerMaxLag,
                httpIdleTimeout, httpMaxBodySize, publicHost);
    }

    public Config withDataDir(Path dir) {
        return new Config(bind, httpPort, rtmpPort, dir, logLevel, reconnectGrace, slowViewerMaxLag,
                httpIdleTimeout, httpMaxBodySize, publicHost);
    }

    public Config withSlowViewerMaxLag(Duration lag) {
        return new Config(bind, httpPort, rtmpPort, dataDir, logLevel, reconnectGrace, lag,
                httpIdleTimeout, httpMaxBodySize, publicHost);
    }

    public Config withReconnectGrace(Duration grace) {
        return new Config(bind, httpPort, rtmpPort, dataDir, logLevel, grace, slowViewerMaxLag,
                httpIdleTimeout, httpMaxBodySize, publicHost);
    }
}
