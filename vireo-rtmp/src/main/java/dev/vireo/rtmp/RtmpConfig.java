package dev.vireo.rtmp;

import java.time.Duration;
import java.util.Objects;

/**
 * RTMP listener settings and the limits every connection is held to.
 *
 * @param bind address to listen on ("0.0.0.0" for all)
 * @param port TCP port; 0 picks an ephemeral port ({@link RtmpServer#start()} returns it)
 * @param outChunkSize the chunk size announced to every peer and used for everything the server
 *     sends, including the media chunks shared by all viewers (128..65536)
 * @param maxInChunkSize the largest chunk size a peer may announce with Set Chunk Size; a larger one
 *     closes the connection
 * @param maxMessageLength the largest RTMP message a peer may send (bytes)
 * @param maxChunkStreams distinct chunk stream ids a peer may use on one connection
 * @param handshakeTimeout time allowed from accept to a completed handshake
 * @param idleTimeout time a connection that is not playing may stay silent (handshake done but no
 *     command, or a publisher that stopped sending)
 * @param windowAckSize the Window Acknowledgement Size and peer bandwidth the server announces
 * @param writeBufferLow low water mark of a viewer connection's outbound buffer (bytes)
 * @param writeBufferHigh high water mark: above it the viewer is "not writable" and skips frames
 * @param egressBatchViewers from this many playing connections on one event loop on, their frames
 *     are written once per {@code egressWindow} instead of once per frame (0 = never)
 * @param egressWindow how long frames may wait to be written together under that load
 */
public record RtmpConfig(String bind, int port, int outChunkSize, int maxInChunkSize, int maxMessageLength,
                         int maxChunkStreams, Duration handshakeTimeout, Duration idleTimeout,
                         int windowAckSize, int writeBufferLow, int writeBufferHigh, int egressBatchViewers,
                         Duration egressWindow) {

    public static final int DEFAULT_PORT = 1935;

    public RtmpConfig {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(egressWindow, "egressWindow");
        if (egressBatchViewers < 0 || egressWindow.isNegative() || egressWindow.toMillis() > 1000) {
            throw new IllegalArgumentException("egress batching needs viewers >= 0 and a window of 0..1000 ms");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (outChunkSize < 128 || outChunkSize > 65536) {
            throw new IllegalArgumentException("outChunkSize must be 128..65536: " + outChunkSize);
        }
        if (maxInChunkSize < 128 || maxInChunkSize > 0x7FFF_FFFF) {
            throw new IllegalArgumentException("maxInChunkSize must be >= 128: " + maxInChunkSize);
        }
        if (maxMessageLength < 1024 || maxMessageLength > 0xFFFFFF) {
            // The message length field has 24 bits (RTMP spec §5.3.1.2.1).
            throw new IllegalArgumentException("maxMessageLength must be 1024..16777215: " + maxMessageLength);
        }
        if (maxChunkStreams < 4) {
            throw new IllegalArgumentException("maxChunkStreams must be >= 4: " + maxChunkStreams);
        }
        if (windowAckSize < 1) {
            throw new IllegalArgumentException("windowAckSize must be positive");
        }
        if (writeBufferLow < 1 || writeBufferHigh < writeBufferLow) {
            throw new IllegalArgumentException("write buffer water marks must satisfy 0 < low <= high");
        }
    }

    /**
     * Port 1935 on all interfaces, 4 KiB chunks out, 8 MiB messages, 16 MiB chunk size, 64 chunk
     * streams, 10 s handshake, 30 s idle; from 100 viewers on a loop, writes every 40 ms.
     */
    public static RtmpConfig defaults() {
        return new RtmpConfig("0.0.0.0", DEFAULT_PORT, 4096, 16 << 20, 8 << 20, 64,
                Duration.ofSeconds(10), Duration.ofSeconds(30), 2_500_000, 512 << 10, 2 << 20,
                100, Duration.ofMillis(40));
    }

    public RtmpConfig withEgressBatching(int viewers, Duration window) {
        return new RtmpConfig(bind, port, outChunkSize, maxInChunkSize, maxMessageLength, maxChunkStreams,
                handshakeTimeout, idleTimeout, windowAckSize, writeBufferLow, writeBufferHigh, viewers, window);
    }

    public RtmpConfig withBind(String newBind) {
        return new RtmpConfig(newBind, port, outChunkSize, maxInChunkSize, maxMessageLength, maxChunkStreams,
                handshakeTimeout, idleTimeout, windowAckSize, writeBufferLow, writeBufferHigh,
                egressBatchViewers, egressWindow);
    }

    public RtmpConfig withPort(int newPort) {
        return new RtmpConfig(bind, newPort, outChunkSize, maxInChunkSize, maxMessageLength, maxChunkStreams,
                handshakeTimeout, idleTimeout, windowAckSize, writeBufferLow, writeBufferHigh,
                egressBatchViewers, egressWindow);
    }

    public RtmpConfig withOutChunkSize(int size) {
        return new RtmpConfig(bind, port, size, maxInChunkSize, maxMessageLength, maxChunkStreams,
                handshakeTimeout, idleTimeout, windowAckSize, writeBufferLow, writeBufferHigh,
                egressBatchViewers, egressWindow);
    }

    public RtmpConfig withMaxMessageLength(int length) {
        return new RtmpConfig(bind, port, outChunkSize, maxInChunkSize, length, maxChunkStreams,
                handshakeTimeout, idleTimeout, windowAckSize, writeBufferLow, writeBufferHigh,
                egressBatchViewers, egressWindow);
    }

    public RtmpConfig withHandshakeTimeout(Duration timeout) {
        return new RtmpConfig(bind, port, outChunkSize, maxInChunkSize, maxMessageLength, maxChunkStreams,
                timeout, idleTimeout, windowAckSize, writeBufferLow, writeBufferHigh,
                egressBatchViewers, egressWindow);
    }

    public RtmpConfig withIdleTimeout(Duration timeout) {
        return new RtmpConfig(bind, port, outChunkSize, maxInChunkSize, maxMessageLength, maxChunkStreams,
                handshakeTimeout, timeout, windowAckSize, writeBufferLow, writeBufferHigh,
                egressBatchViewers, egressWindow);
    }
}
