package dev.vireo.server;

import java.nio.file.Path;

/**
 * The server configuration tests start from: every listener on 127.0.0.1 and on an ephemeral port
 * (HTTP, RTMP, HTTPS, WebRTC media, SRT), the embedded defaults' reconnect grace, slow-viewer lag,
 * HTTP idle timeout and body limit, no public host, the other settings at their embedding
 * defaults ({@link Config}'s short constructor). Each test chains its own {@code with...} calls.
 */
final class TestConfigs {

    private TestConfigs() {
    }

    /** On 127.0.0.1, every port ephemeral, logging at info, the server's files under {@code dataDir}. */
    static Config loopback(Path dataDir) {
        return loopback(dataDir, "info");
    }

    /** The same logging at {@code logLevel}. */
    static Config loopback(Path dataDir, String logLevel) {
        Config d = ConfigLoader.defaults();
        return new Config("127.0.0.1", 0, 0, dataDir, logLevel, d.reconnectGrace(), d.slowViewerMaxLag(),
                d.httpIdleTimeout(), d.httpMaxBodySize(), "");
    }
}
