package dev.vireo.cluster.relay;

import java.time.Duration;

/**
 * How a node relays: its relay listener (origin side) and its pulls (edge side).
 *
 * @param nodeId this node's id, sent in HELLO (for the origin's logs)
 * @param region this node's region ("" when unset): an edge prefers origins there
 * @param bind address the relay listener binds to
 * @param port relay listener port ({@code cluster.port}; 0 = ephemeral)
 * @param secret the shared {@code cluster.secret}; never logged ({@link #toString()} hides it)
 * @param handshakeTimeout how long a peer has to finish HELLO/CHALLENGE/AUTH/PULL
 * @param idleGrace how long an edge keeps a pull after its last local viewer left
 * @param retryEvery how often an edge looks the origin up again after a lost pull, within the
 *     hub's reconnect grace
 * @param limits frame and field size limits after authentication
 * @param writeBufferHigh origin side: bytes queued for a puller before it counts as slow
 */
public record RelayOptions(String nodeId, String region, String bind, int port, String secret,
                           Duration handshakeTimeout, Duration idleGrace, Duration retryEvery, RelayLimits limits,
                           int writeBufferHigh) {

    public static RelayOptions defaults(String nodeId, String bind, int port, String secret) {
        return new RelayOptions(nodeId, "", bind, port, secret, Duration.ofSeconds(5), Duration.ofSeconds(5),
                Duration.ofMillis(500), RelayLimits.media(), 8 << 20);
    }

    public RelayOptions withRegion(String r) {
        return new RelayOptions(nodeId, r, bind, port, secret, handshakeTimeout, idleGrace, retryEvery, limits,
                writeBufferHigh);
    }

    public RelayOptions withIdleGrace(Duration d) {
        return new RelayOptions(nodeId, region, bind, port, secret, handshakeTimeout, d, retryEvery, limits,
                writeBufferHigh);
    }

    @Override
    public String toString() {
        return "RelayOptions[nodeId=" + nodeId + ", region=" + region + ", bind=" + bind + ", port=" + port
                + ", secret=(hidden), idleGrace=" + idleGrace + "]";
    }
}
