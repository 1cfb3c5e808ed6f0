package dev.vireo.webrtc.transport;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * One way to the peer: a UDP 5-tuple on the shared port ({@link UdpPath}) or an ICE-TCP connection
 * ({@link IceTcpConnection}, RFC 6544). A session sends everything over its selected path without
 * knowing which kind it is; the ICE agent picks the path (RFC 8445 §7.3 nomination).
 */
public sealed interface MediaPath permits UdpPath, IceTcpConnection {

    /** The peer's address on this path. */
    InetSocketAddress remoteAddress();

    /**
     * Queues one packet, flushed with the rest of the loop's batch; takes ownership. On the session's
     * loop (an ICE-TCP connection hands it over to its own).
     */
    void send(ByteBuf packet);

    /**
     * Queues {@code count} packets that lie back to back in {@code run}, each {@code segmentSize}
     * bytes but the last: one UDP GSO send where the socket offloads segmentation, else one packet
     * each. Takes ownership.
     */
    void sendSegments(ByteBuf run, int segmentSize, int count);

    /** Sends one packet at once, from any thread (the DTLS handshake's); takes ownership. */
    void sendNow(ByteBuf packet);

    /** The most packets of {@code segmentSize} bytes one {@link #sendSegments} may carry. */
    int maxSegments(int segmentSize);

    /** Whether the path can take more now (Netty's outbound buffer below its high water mark). */
    boolean isWritable();

    /** Whether this is an ICE-TCP connection (for logs). */
    default boolean isTcp() {
        return false;
    }

    /** Closes what belongs to this path alone (an ICE-TCP connection; nothing for UDP's shared socket). */
    default void close() {
    }
}
