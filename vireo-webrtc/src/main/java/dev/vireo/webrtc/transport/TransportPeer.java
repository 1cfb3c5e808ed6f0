package dev.vireo.webrtc.transport;

import dev.vireo.webrtc.stun.StunMessage;
import io.netty.buffer.ByteBuf;

/** What the demultiplexers hand a session's packets to (a session's transport); any thread. */
public interface TransportPeer {

    /** A Binding request whose USERNAME names one of this peer's ufrags, on {@code path}. */
    void deliverStun(StunMessage request, MediaPath path);

    /** DTLS, RTP or RTCP on a path bound to this peer; does not take ownership. */
    void deliver(PacketKind kind, ByteBuf datagram);

    /** An ICE-TCP connection of this peer closed. */
    void pathClosed(MediaPath path);

    boolean isClosed();

    /** Closes the peer's session. */
    void close(String reason);
}
