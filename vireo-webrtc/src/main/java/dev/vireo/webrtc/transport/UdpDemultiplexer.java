package dev.vireo.webrtc.transport;

import dev.vireo.webrtc.ice.ProbeCredentials;
import dev.vireo.webrtc.stun.IceCheck;
import dev.vireo.webrtc.stun.StunBinding;
import dev.vireo.webrtc.stun.StunException;
import dev.vireo.webrtc.stun.StunMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one handler of the shared media port: classifies each datagram by its first byte
 * (RFC 7983) and hands it to its session: connectivity checks by the ufrag in their USERNAME,
 * everything else by the source address a valid check bound. Whatever finds no session, or does
 * not parse, is counted and dropped here, so it never reaches (or hurts) any session.
 */
@Sharable
public final class UdpDemultiplexer extends SimpleChannelInboundHandler<DatagramPacket> {

    private static final Logger log = LoggerFactory.getLogger(UdpDemultiplexer.class);

    private final SessionTable table;
    private final TransportCounters counters;
    private final SegmentationOffload offload;
    /** The reachability probe's credentials (troubleshooting); checks carrying them are answered. */
    private final ProbeCredentials probe;
    private volatile MediaSocket socket;

    public UdpDemultiplexer(SessionTable table, TransportCounters counters, SegmentationOffload offload,
                            ProbeCredentials probe) {
        this.offload = offload;
        this.probe = probe;
        this.table = table;
        this.counters = counters;
    }

    /** The socket this handler serves, once bound; checks arriving before are dropped. */
    public void attach(MediaSocket boundSocket) {
        this.socket = boundSocket;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        counters.packetsIn.increment();
        ByteBuf content = packet.content();
        InetSocketAddress source = packet.sender();
        PacketKind kind = PacketKind.of(content);
        try {
            switch (kind) {
                case STUN -> onStun(ctx, content, source);
                case DTLS, RTP, RTCP -> {
                    TransportPeer transport = table.byAddress(source);
                    if (transport == null) {
                        counters.unknownSource.increment();
                    } else {
                        transport.deliver(kind, content);
                    }
                }
                case UNKNOWN -> counters.malformed.increment();
            }
        } catch (RuntimeException e) {
            // A session's bug or a packet nobody anticipated: drop it, keep serving everyone.
            counters.malformed.increment();
            log.debug("dropped a {} datagram from {}: {}", kind, source, e.toString());
        }
    }

    private void onStun(ChannelHandlerContext ctx, ByteBuf content, InetSocketAddress source) {
        StunMessage message;
        try {
            message = StunMessage.parse(content);
        } catch (StunException e) {
            counters.malformed.increment();
            return;
        }
        if (!message.isBindingRequest()) {
            // An ICE-lite agent sends no requests, so expects no responses; indications are ignored.
            counters.unexpected.increment();
            return;
        }
        String username = message.username().orElse(null);
        int colon = username == null ? -1 : username.indexOf(':');
        if (colon > 0 && username.substring(0, colon).equals(probe.ufrag())) {
            // The troubleshooter's check: answered only with a valid integrity (so no reflection).
            if (StunBinding.check(message, probe.ufrag(), probe.password()) == IceCheck.ACCEPT) {
                ctx.writeAndFlush(new DatagramPacket(StunBinding.successResponse(ctx.alloc(), message, source,
                        probe.password()), source));
            }
            return;
        }
        TransportPeer transport = colon <= 0 ? null : table.byUfrag(username.substring(0, colon));
        MediaSocket bound = socket;
        if (transport == null || bound == null) {
            // No such session: silence rather than an error (no reflection off a shared port).
            counters.unknownSource.increment();
            return;
        }
        transport.deliverStun(message, bound.path(source));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // UDP errors (ICMP port unreachable surfacing as PortUnreachableException, a send to a
        // vanished address) concern one peer; the socket stays open for all others.
        // A refused segmentation offload surfaces here too (writes use the void promise).
        counters.socketErrors.increment();
        offload.onSendError(cause);
        log.debug("media socket: {}", cause.toString());
    }
}
