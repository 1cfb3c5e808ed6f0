package dev.vireo.webrtc.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.util.function.Supplier;

/**
 * Where one peer's packets go: the {@link MediaPath} its ICE agent selected (UDP, with GSO runs where
 * the socket offloads segmentation, or ICE-TCP), with the session's own socket standing in before a
 * path is selected; counts what it sends into the peer's {@link PeerCounters}. The session decides
 * whether to send (connected, keyed), this decides how.
 *
 * <p>Threading: on the session's loop, but {@link #sendNow} (the DTLS thread's).
 */
public final class PeerPath {

    private final MediaSocket socket;
    private final Supplier<MediaPath> selected;
    private final PeerCounters counters;

    /**
     * @param socket the session's own socket (its loop is the session's)
     * @param selected the path the ICE agent selected now, or null before a valid check
     */
    public PeerPath(MediaSocket socket, Supplier<MediaPath> selected, PeerCounters counters) {
        this.socket = socket;
        this.selected = selected;
        this.counters = counters;
    }

    /** The selected path, or null before a valid check. */
    public MediaPath selected() {
        return selected.get();
    }

    /** The peer's address the media goes to, or null before a valid check. */
    public InetSocketAddress remoteAddress() {
        MediaPath path = selected.get();
        return path == null ? null : path.remoteAddress();
    }

    /** {@link #remoteAddress()} as {@code host:port} for stats, or null. */
    public String remoteAddressText() {
        InetSocketAddress to = remoteAddress();
        return to == null ? null : to.getAddress().getHostAddress() + ":" + to.getPort();
    }

    /**
     * A path that arrived on another socket of the port, rebased on the session's own socket: media
     * leaves by the session's socket, whose flush batcher is confined to the session's loop.
     */
    public MediaPath own(MediaPath arrived) {
        return arrived instanceof UdpPath udp && udp.socket() != socket ? socket.path(udp.remoteAddress()) : arrived;
    }

    /** Whether the path can take more data now (Netty's outbound buffer below its high water mark). */
    public boolean isWritable() {
        MediaPath path = selected.get();
        return path != null ? path.isWritable() : socket.channel().isWritable();
    }

    /** The most packets of {@code segmentSize} bytes one {@link #sendSegments} may carry. */
    public int maxSegments(int segmentSize) {
        MediaPath path = selected.get();
        return path != null ? path.maxSegments(segmentSize) : socket.offload().maxSegments(segmentSize);
    }

    public ByteBufAllocator alloc() {
        return socket.channel().alloc();
    }

    /** Queues one protected packet on {@code path} (the selected one) and counts it; takes ownership. */
    public void send(MediaPath path, ByteBuf packet) {
        counters.sent(1, packet.readableBytes());
        path.send(packet);
    }

    /** Queues a run of {@code count} protected packets on {@code path} and counts them; takes ownership. */
    public void sendSegments(MediaPath path, ByteBuf run, int segmentSize, int count) {
        counters.sent(count, run.readableBytes());
        path.sendSegments(run, segmentSize, count);
    }

    /** From any thread: one DTLS datagram to the peer at once, when a path is selected. */
    public void sendNow(byte[] datagram) {
        MediaPath path = selected.get();
        if (path != null) {
            path.sendNow(Unpooled.wrappedBuffer(datagram));
        }
    }
}
