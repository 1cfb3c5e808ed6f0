package dev.vireo.rtmp;

import dev.vireo.core.Stream;
import dev.vireo.core.StreamKey;
import java.util.Optional;
import java.util.function.Function;
import dev.vireo.core.Gate;
import dev.vireo.core.StreamHub;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RTMP listener: ingest (publish) and playback (play) over plain RTMP, per the Adobe RTMP
 * specification 1.0 and Enhanced RTMP. Every accepted connection gets its own pipeline:
 * handshake, chunk encoder/decoder, then the session. The event loop groups and the channel class
 * (epoll or NIO) are chosen by the caller, who also shuts the groups down.
 */
public final class RtmpServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RtmpServer.class);
    private static final AtomicLong SESSIONS = new AtomicLong();
    private final LongAdder peerFaults = new LongAdder();

    private final RtmpConfig config;
    private final StreamHub hub;
    private final Gate gate;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Class<? extends ServerChannel> channelClass;
    private final ChannelGroup connections = new DefaultChannelGroup("rtmp", GlobalEventExecutor.INSTANCE);
    /** Write coalescing per event loop, shared by the playing connections on it. */
    private final Map<EventLoop, EgressWindow> egressWindows = new ConcurrentHashMap<>();
    private Channel listener;
    /** The variant a player plays instead of a stream (Opus from WHIP: {@code {stream}@aac}); wired by the server. */
    private volatile Function<Stream, Optional<StreamKey>> playVariant = st -> Optional.empty();

    public RtmpServer(RtmpConfig config, StreamHub hub, Gate gate, EventLoopGroup boss, EventLoopGroup workers,
                      Class<? extends ServerChannel> channelClass) {
        this.config = Objects.requireNonNull(config, "config");
        this.hub = Objects.requireNonNull(hub, "hub");
        this.gate = Objects.requireNonNull(gate, "gate");
        this.boss = Objects.requireNonNull(boss, "boss");
        this.workers = Objects.requireNonNull(workers, "workers");
        this.channelClass = Objects.requireNonNull(channelClass, "channelClass");
    }

    /** Plays the variant {@code rule} names instead of a stream RTMP players cannot take as it is. */
    public RtmpServer withPlayVariant(Function<Stream, Optional<StreamKey>> rule) {
        this.playVariant = rule;
        return this;
    }

    /**
     * Binds the listener and returns the port it listens on (the ephemeral one when the
     * configured port is 0).
     *
     * @throws IllegalStateException when already started or when the address cannot be bound
     */
    public synchronized int start() {
        if (listener != null) {
            throw new IllegalStateException("RTMP server already started");
        }
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(channelClass)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(config.writeBufferLow(), config.writeBufferHigh()))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        initConnection(ch);
                    }
                });
        var future = b.bind(config.bind(), config.port()).awaitUninterruptibly();
        if (!future.isSuccess()) {
            throw new IllegalStateException("cannot bind RTMP on " + config.bind() + ":" + config.port() + ": "
                    + future.cause().getMessage(), future.cause());
        }
        listener = future.channel();
        int port = ((InetSocketAddress) listener.localAddress()).getPort();
        log.info("RTMP listening on {}:{} (chunk size {}, max message {} bytes)", config.bind(), port,
                config.outChunkSize(), config.maxMessageLength());
        return port;
    }

    /** The bound port, or -1 before {@link #start()}. */
    public synchronized int port() {
        return listener == null ? -1 : ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** Open RTMP connections. */
    public int connectionCount() {
        return connections.size();
    }

    private void initConnection(Channel ch) {
        connections.add(ch);
        SessionLog sessionLog = new SessionLog("rtmp-" + SESSIONS.incrementAndGet(), String.valueOf(ch.remoteAddress()),
                peerFaults);
        ChannelPipeline p = ch.pipeline();
        p.addLast("idle", new IdleStateHandler(config.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        p.addLast("handshake", new HandshakeHandler(sessionLog, config.handshakeTimeout()));
        p.addLast("chunkEncoder", new ChunkEncoderHandler());
        p.addLast("chunkDecoder", new ChunkDecoderHandler(new ChunkDecoder.Limits(
                config.maxInChunkSize(), config.maxMessageLength(), config.maxChunkStreams())));
        p.addLast("session", new ServerSession(config, hub, gate, sessionLog,
                loop -> egressWindows.computeIfAbsent(loop, l -> new EgressWindow(l, config))).playVariant(playVariant));
        sessionLog.debug("accepted connection from {}", ch.remoteAddress());
    }

    /** Stops listening and closes every RTMP connection (publishers leave, viewers are cut). */
    @Override
    public synchronized void close() {
        if (listener != null) {
            listener.close().awaitUninterruptibly();
        }
        connections.close().awaitUninterruptibly();
        log.info("RTMP server closed");
    }

    /** Connections closed for the peer's fault: malformed input, protocol violations, bad handshakes. */
    public long peerFaults() {
        return peerFaults.sum();
    }
}
