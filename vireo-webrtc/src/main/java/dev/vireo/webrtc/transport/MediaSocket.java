package dev.vireo.webrtc.transport;

import dev.vireo.core.FlushBatcher;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import java.net.InetSocketAddress;

/**
 * One UDP socket of the shared media port: the channel, its write batcher (every session of the
 * socket flushes once per event-loop task: one sendmmsg on epoll) and its segmentation offload.
 */
public record MediaSocket(DatagramChannel channel, FlushBatcher batcher, SegmentationOffload offload) {

    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    /** The path to a peer at {@code remote} over this socket. */
    public UdpPath path(InetSocketAddress remote) {
        return new UdpPath(this, remote);
    }
}
