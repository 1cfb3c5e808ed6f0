package dev.vireo.http;

import dev.vireo.http.routing.BoundedAggregator;
import dev.vireo.http.routing.Dispatcher;
import dev.vireo.http.routing.HttpCounters;
import dev.vireo.http.routing.Router;
import dev.vireo.http.tls.ProtocolNegotiation;
import dev.vireo.http.tls.TlsContexts;
import dev.vireo.http.tls.TlsGuard;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AsyncMapping;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP listener (HTTP/1.1; HTTPS also HTTP/2 through ALPN): bounded request parsing, keep-alive, CORS, routing through a
 * {@link Router}, and streaming responses for handlers that take the connection over.
 * The event loop groups belong to the caller (shared with the other listeners).
 *
 * <p>With {@link TlsContexts} it is an HTTPS listener: the server certificate is chosen by the
 * client's SNI host name; a handshake without SNI or for a host without a certificate is refused
 * (the connection is closed, the reason logged at debug).
 */
public final class HttpServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HttpServer.class);
    /** Largest TLS ClientHello accepted before the SNI host name is known. */
    private static final int MAX_CLIENT_HELLO = 16 * 1024;
    /** Largest socket read of a connection. */
    private static final int MAX_READ = 16 * 1024;

    private final HttpConfig config;
    private final Router router;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Class<? extends ServerChannel> channelClass;
    private final TlsContexts tls;
    private final ChannelGroup connections = new DefaultChannelGroup("http", GlobalEventExecutor.INSTANCE);
    private final ChannelGroup streaming = new DefaultChannelGroup("http-streaming", GlobalEventExecutor.INSTANCE);
    private final HttpCounters counters = new HttpCounters();
    private volatile Channel listener;

    public HttpServer(HttpConfig config, Router router, EventLoopGroup boss, EventLoopGroup workers,
                      Class<? extends ServerChannel> channelClass) {
        this(config, router, boss, workers, channelClass, null);
    }

    /**
     * An HTTPS listener when {@code tls} is not null (certificates chosen by SNI), else plain HTTP.
     */
    public HttpServer(HttpConfig config, Router router, EventLoopGroup boss, EventLoopGroup workers,
                      Class<? extends ServerChannel> channelClass, TlsContexts tls) {
        this.tls = tls;
        this.config = config;
        this.router = router;
        this.boss = boss;
        this.workers = workers;
        this.channelClass = channelClass;
    }

    /**
     * Binds and starts accepting.
     *
     * @return the bound port (the actual one when the configured port is 0)
     * @throws UncheckedIOException when the address cannot be bound (e.g. port in use)
     */
    public int start() {
        if (listener != null) {
            throw new IllegalStateException("already started");
        }
        HttpDecoderConfig decoderConfig = new HttpDecoderConfig()
                .setMaxInitialLineLength(config.maxInitialLineLength())
                .setMaxHeaderSize(config.maxHeaderSize())
                .setMaxChunkSize(64 * 1024);
        long idleMillis = config.idleTimeout().toMillis();
        String scheme = tls == null ? "HTTP" : "HTTPS";
        AsyncMapping<String, SslContext> sni = tls == null ? null : (host, promise) -> {
            Optional<SslContext> context;
            try {
                context = tls.forHost(host);
            } catch (RuntimeException e) {
                return promise.setFailure(e);
            }
            return context.isPresent() ? promise.setSuccess(context.get())
                    : promise.setFailure(new TlsGuard.NoCertificate(host == null
                            ? "no SNI host name sent" : "no certificate for SNI host " + host));
        };
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(channelClass)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // What one read decodes is held when the dispatcher stops reading: bounded by its size
                // (a few hundred tiny pipelined requests at most).
                .childOption(ChannelOption.RECVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(64, 2048, MAX_READ))
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        ChannelPipeline p = ch.pipeline();
                        if (sni != null) {
                            // Replaced by an SslHandler once the ClientHello named a host we have a
                            // certificate for; the handshake must finish within the idle timeout.
                            p.addLast("tls", new SniHandler(sni, MAX_CLIENT_HELLO, idleMillis));
                            p.addLast("tls-guard", TlsGuard.INSTANCE);
                        }
                        if (sni == null) {
                            http1(p);
                            return;
                        }
                        // HTTPS: HTTP/2 or HTTP/1.1 as ALPN chose; the idle timeout covers the handshake too
                        p.addLast("idle", new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS));
                        p.addLast("alpn", new ProtocolNegotiation(this::http1Codec, this::perRequest,
                                config.maxHeaderSize()));
                    }

                    private void http1(ChannelPipeline p) {
                        // Not HttpServerCodec: it refuses more than 128 requests decoded ahead of their
                        // answers, which is what a read of pipelined requests held back here is.
                        p.addLast("decoder", new HttpRequestDecoder(decoderConfig));
                        p.addLast("encoder", new HttpResponseEncoder());
                        p.addLast("idle", new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS));
                        perRequest(p);
                    }

                    /** HTTP/1.1 after ALPN: the idle handler is in place already. */
                    private void http1Codec(ChannelPipeline p) {
                        p.addBefore("idle", "decoder", new HttpRequestDecoder(decoderConfig));
                        p.addBefore("idle", "encoder", new HttpResponseEncoder());
                        perRequest(p);
                    }

                    private void perRequest(ChannelPipeline p) {
                        p.addLast("cors", CorsHeaders.INSTANCE);
                        p.addLast("aggregator", new BoundedAggregator(config.maxBodySize()));
                        p.addLast("flow", new FlowControlHandler());
                        p.addLast("dispatcher", new Dispatcher(router, streaming, counters));
                    }
                });
        ChannelFuture bind = b.bind(config.bind(), config.port()).awaitUninterruptibly();
        if (!bind.isSuccess()) {
            Throwable cause = bind.cause();
            String why = "cannot listen for " + scheme + " on " + config.bind() + ":" + config.port() + ": " + cause.getMessage();
            throw new UncheckedIOException(why, cause instanceof IOException io ? io : new IOException(cause));
        }
        listener = bind.channel();
        int port = ((InetSocketAddress) listener.localAddress()).getPort();
        log.info("{} listening on {}:{}", scheme, config.bind(), port);
        return port;
    }

    /** The bound port, or -1 before {@link #start()}. */
    public int port() {
        Channel l = listener;
        return l == null ? -1 : ((InetSocketAddress) l.localAddress()).getPort();
    }

    /** Open client connections (streaming ones included). */
    public int connectionCount() {
        return connections.size();
    }

    /** Connections currently carrying a streaming response (HTTP-FLV viewers). */
    public int streamingCount() {
        return streaming.size();
    }

    /**
     * Response bytes written to client connections and not yet taken by their sockets (all
     * connections, streaming ones included). Bounded per connection by the write water mark: a
     * client that does not read is not read from either.
     */
    public long pendingOutboundBytes() {
        long sum = 0;
        for (Channel ch : connections) {
            ChannelOutboundBuffer out = ch.unsafe().outboundBuffer();
            if (out != null) {
                sum += out.totalPendingWriteBytes();
            }
        }
        return sum;
    }

    /** Connections whose client does not take its responses (above the high water mark) right now. */
    public int unwritableConnections() {
        int n = 0;
        for (Channel ch : connections) {
            if (ch.isActive() && !ch.isWritable()) {
                n++;
            }
        }
        return n;
    }

    /** Times a connection stopped being read because its client did not take its responses. */
    public long readsPaused() {
        return counters.paused();
    }

    /** Requests refused as malformed (bad syntax, too long, unsupported HTTP version). */
    public long malformedRequests() {
        return counters.malformed();
    }

    /** Stops accepting new connections; open ones continue. Idempotent. */
    public void stopAccepting() {
        Channel l = listener;
        if (l != null) {
            l.close().awaitUninterruptibly();
        }
    }

    /**
     * Stops accepting, closes idle and API connections, gives streaming responses up to
     * {@link HttpConfig#drainTimeout()} to end on their own (after the hub ended their streams),
     * then closes whatever is left. Does not shut down the event loop groups.
     */
    @Override
    public void close() {
        stopAccepting();
        for (Channel ch : connections) {
            if (!streaming.contains(ch)) {
                ch.close();
            }
        }
        if (!streaming.isEmpty()) {
            streaming.newCloseFuture().awaitUninterruptibly(config.drainTimeout().toMillis());
        }
        connections.close().awaitUninterruptibly(config.drainTimeout().toMillis());
    }
}
