package dev.vireo.cluster.relay;

import dev.vireo.core.StreamHub;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The origin side of the relay: a TCP listener on {@code cluster.port} serving any stream of the
 * local hub to authenticated edges ({@link OriginSession}). The event loop groups and channel
 * class come from the caller, who shuts the groups down.
 */
public final class RelayServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RelayServer.class);
    private static final AtomicLong SESSIONS = new AtomicLong();

    private final RelayOptions options;
    private final StreamHub hub;
    private final RelayAuth auth;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Class<? extends ServerChannel> channelClass;
    private final ChannelGroup connections = new DefaultChannelGroup("relay", GlobalEventExecutor.INSTANCE);
    private final LongAdder refused = new LongAdder();
    private Channel listener;

    public RelayServer(RelayOptions options, StreamHub hub, EventLoopGroup boss, EventLoopGroup workers,
                       Class<? extends ServerChannel> channelClass) {
        this.options = options;
        this.hub = hub;
        this.auth = new RelayAuth(options.secret());
        this.boss = boss;
        this.workers = workers;
        this.channelClass = channelClass;
    }

    /**
     * Binds the listener; returns the bound port (the ephemeral one when configured as 0).
     *
     * @throws IllegalStateException when the address cannot be bound
     */
    public synchronized int start() {
        if (listener != null) {
            throw new IllegalStateException("relay listener already started");
        }
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(channelClass)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(options.writeBufferHigh() / 2, options.writeBufferHigh()))
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        RelayDecoderHandler decoder = new RelayDecoderHandler();
                        ch.pipeline().addLast("decoder", decoder);
                        ch.pipeline().addLast("session", new OriginSession("relay-" + SESSIONS.incrementAndGet(), hub,
                                auth, options, decoder, refused));
                    }
                });
        var future = b.bind(options.bind(), options.port()).awaitUninterruptibly();
        if (!future.isSuccess()) {
            throw new IllegalStateException("cannot bind the relay listener (cluster.port) on " + options.bind() + ":"
                    + options.port() + ": " + future.cause().getMessage(), future.cause());
        }
        listener = future.channel();
        int port = port();
        log.info("relay listening on {}:{} for edges (cluster.port)", options.bind(), port);
        return port;
    }

    /** The bound port, -1 before {@link #start()}. */
    public synchronized int port() {
        return listener == null ? -1 : ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** Relay connections open now (pulling edges and handshakes in progress). */
    public int connectionCount() {
        return connections.size();
    }

    /** Peers refused since start (authentication, protocol, stream not live). */
    public long refusals() {
        return refused.sum();
    }

    @Override
    public synchronized void close() {
        if (listener != null) {
            listener.close().awaitUninterruptibly();
        }
        connections.close().awaitUninterruptibly();
    }
}
