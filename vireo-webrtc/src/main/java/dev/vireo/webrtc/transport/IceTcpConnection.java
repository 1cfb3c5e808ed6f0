package dev.vireo.webrtc.transport;

import dev.vireo.webrtc.stun.StunException;
import dev.vireo.webrtc.stun.StunMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.internal.PlatformDependent;
import java.net.InetSocketAddress;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ICE-TCP connection (RFC 6544) to the media port, for browsers whose network blocks UDP: the
 * browser connects to the passive TCP candidate and sends STUN, DTLS and SRTP/SRTCP packets, each
 * framed by a 16-bit length (RFC 4571 §2, what RFC 6544 §3 uses). The first packet must be a
 * Binding request for a session's ufrag (RFC 6544 §7.1: checks flow on the connection); that
 * binds the connection to the session, and from then on it is one of the session's paths.
 * Anything else first, or no valid check within the consent timeout, closes the connection alone.
 */
public final class IceTcpConnection extends ChannelInboundHandlerAdapter implements MediaPath {

    private static final Logger log = LoggerFactory.getLogger(IceTcpConnection.class);

    /** Largest framed packet accepted: above any STUN, DTLS or SRTP packet a browser sends. */
    static final int MAX_FRAME = 4096;

    private final SessionTable table;
    private final TransportCounters counters;
    private final long bindTimeoutMillis;
    private Channel channel;
    private volatile TransportPeer transport;
    private ScheduledFuture<?> bindTimer;
    /**
     * Packets on their way from the session's loop to this connection's. The session sends a
     * frame's packets in a row; they cross over in one task and leave with one flush (one write
     * system call) instead of a task and a flush each.
     */
    private final Queue<ByteBuf> outbox = PlatformDependent.newMpscQueue();
    private final AtomicBoolean drainPending = new AtomicBoolean();

    public IceTcpConnection(SessionTable table, TransportCounters counters, long bindTimeoutMillis) {
        this.table = table;
        this.counters = counters;
        this.bindTimeoutMillis = bindTimeoutMillis;
    }

    /** RFC 4571 §2 framing: a 2-byte length, then the packet; at most {@link #MAX_FRAME} bytes. */
    public static LengthFieldBasedFrameDecoder framing() {
        return new LengthFieldBasedFrameDecoder(MAX_FRAME + 2, 0, 2, 0, 2);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        bindTimer = ctx.executor().schedule(() -> {
            if (transport == null) {
                counters.unknownSource.increment();
                ctx.close();
            }
        }, bindTimeoutMillis, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            counters.packetsIn.increment();
            PacketKind kind = PacketKind.of(frame);
            TransportPeer bound = transport;
            if (bound != null && bound.isClosed()) {
                ctx.close(); // its session ended: the browser has no use for it any more
                return;
            }
            switch (kind) {
                case STUN -> onStun(ctx, frame);
                case DTLS, RTP, RTCP -> {
                    if (bound == null) {
                        refuse(ctx, "media before a connectivity check");
                    } else {
                        bound.deliver(kind, frame);
                    }
                }
                case UNKNOWN -> refuse(ctx, "not STUN, DTLS or RTP");
            }
        } finally {
            frame.release();
        }
    }

    private void onStun(ChannelHandlerContext ctx, ByteBuf frame) {
        StunMessage message;
        try {
            message = StunMessage.parse(frame);
        } catch (StunException e) {
            refuse(ctx, "malformed STUN: " + e.getMessage());
            return;
        }
        if (!message.isBindingRequest()) {
            counters.unexpected.increment();
            return;
        }
        TransportPeer bound = transport;
        if (bound == null) {
            String username = message.username().orElse(null);
            int colon = username == null ? -1 : username.indexOf(':');
            bound = colon <= 0 ? null : table.byUfrag(username.substring(0, colon));
            if (bound == null) {
                refuse(ctx, "a check for no session");
                return;
            }
            transport = bound;
            if (bindTimer != null) {
                bindTimer.cancel(false);
            }
        }
        bound.deliverStun(message, this);
    }

    private void refuse(ChannelHandlerContext ctx, String why) {
        counters.malformed.increment();
        log.debug("closing ICE-TCP connection from {}: {}", ctx.channel().remoteAddress(), why);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (bindTimer != null) {
            bindTimer.cancel(false);
        }
        TransportPeer bound = transport;
        if (bound != null) {
            bound.pathClosed(this);
        }
        drain();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A frame over the limit (TooLongFrameException), a reset: this connection only.
        log.debug("ICE-TCP connection from {}: {}", ctx.channel().remoteAddress(), cause.toString());
        counters.malformed.increment();
        ctx.close();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) channel.remoteAddress();
    }

    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }

    /** Sends one packet with its RFC 4571 length; takes ownership. Any thread. */
    @Override
    public void send(ByteBuf packet) {
        if (packet.readableBytes() > 0xFFFF || !channel.isActive()) {
            packet.release();
            return;
        }
        outbox.add(packet);
        if (drainPending.compareAndSet(false, true)) {
            try {
                // on this loop too: the task runs after the current one, when the frame is queued
                channel.eventLoop().execute(this::drain);
            } catch (RejectedExecutionException stopping) {
                drain();
            }
        }
    }

    /** On the connection's loop: frames and writes what is queued, then flushes once. */
    private void drain() {
        drainPending.set(false);
        boolean wrote = false;
        for (ByteBuf packet; (packet = outbox.poll()) != null; ) {
            if (!channel.isActive()) {
                packet.release();
                continue;
            }
            int length = packet.readableBytes();
            ByteBuf framed = channel.alloc().directBuffer(2 + length).writeShort(length).writeBytes(packet);
            packet.release();
            channel.write(framed, channel.voidPromise());
            wrote = true;
        }
        if (wrote) {
            channel.flush();
        }
    }

    @Override
    public void sendSegments(ByteBuf run, int segmentSize, int count) {
        for (int off = run.readerIndex(), end = off + run.readableBytes(); off < end; off += segmentSize) {
            send(run.retainedSlice(off, Math.min(segmentSize, end - off)));
        }
        run.release();
    }

    @Override
    public void sendNow(ByteBuf packet) {
        send(packet);
    }

    /** Runs of any length: they are cut into framed packets on the way out. */
    @Override
    public int maxSegments(int segmentSize) {
        return segmentSize <= 0 ? 1
                : Math.max(1, Math.min(SegmentationOffload.MAX_SEGMENTS, SegmentationOffload.MAX_BYTES / segmentSize));
    }

    @Override
    public boolean isTcp() {
        return true;
    }

    @Override
    public String toString() {
        return "tcp:" + (channel == null ? "?" : channel.remoteAddress());
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close();
        }
    }
}
