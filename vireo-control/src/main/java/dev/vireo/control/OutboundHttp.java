package dev.vireo.control;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.resolver.AddressResolverGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * A small non-blocking HTTP/1.1 client for webhooks on Netty: one connection per request
 * ({@code Connection: close}), http or https (JDK trust store, host name verified), a deadline for
 * the whole exchange, and a bounded response body.
 */
final class OutboundHttp {

    /** Largest response body read; a webhook answer is a short JSON object. */
    static final int MAX_RESPONSE = 64 * 1024;

    /** Status and body of a response. */
    record Result(int status, byte[] body) {
    }

    private final EventLoopGroup group;
    private final Class<? extends SocketChannel> channelClass;
    private final AddressResolverGroup<? extends SocketAddress> resolver;
    private final SslContext tls;

    OutboundHttp(EventLoopGroup group, Class<? extends SocketChannel> channelClass,
                 AddressResolverGroup<? extends SocketAddress> resolver) {
        this.group = group;
        this.channelClass = channelClass;
        this.resolver = resolver;
        try {
            this.tls = SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS").build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS for webhooks: " + e.getMessage(), e);
        }
    }

    /** POSTs {@code body}; completes with the response, or exceptionally on a network error or timeout. */
    CompletableFuture<Result> post(URI uri, String contentType, byte[] body, Map<String, String> headers,
                                   Duration timeout) {
        CompletableFuture<Result> result = new CompletableFuture<>();
        boolean https = "https".equals(uri.getScheme().toLowerCase(Locale.ROOT));
        String host = uri.getHost();
        int port = uri.getPort() > 0 ? uri.getPort() : https ? 443 : 80;
        String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        Bootstrap b = new Bootstrap().group(group).channel(channelClass).resolver(resolver)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (https) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(), hostForSni(host), port));
                        }
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(MAX_RESPONSE),
                                new SimpleChannelInboundHandler<FullHttpResponse>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
                                        result.complete(new Result(r.status().code(), ByteBufUtil.getBytes(r.content())));
                                        ctx.close();
                                    }

                                    @Override
                                    public void channelInactive(ChannelHandlerContext ctx) {
                                        result.completeExceptionally(new IOException("connection closed "
                                                + "before a complete response"));
                                    }

                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        result.completeExceptionally(cause);
                                        ctx.close();
                                    }
                                });
                    }
                });
        ChannelFuture connect = b.connect(InetSocketAddress.createUnresolved(hostForSni(host), port));
        Channel channel = connect.channel();
        var deadline = channel.eventLoop().schedule(() -> {
            result.completeExceptionally(new TimeoutException("no response within " + timeout.toMillis() + " ms"));
            channel.close();
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        result.whenComplete((r, e) -> deadline.cancel(false));
        connect.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(f.cause());
                return;
            }
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path,
                    Unpooled.wrappedBuffer(body));
            request.headers()
                    .set(HttpHeaderNames.HOST, uri.getPort() > 0 ? host + ":" + port : host)
                    .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                    .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                    .set(HttpHeaderNames.USER_AGENT, "Vireo-Webhook/1");
            headers.forEach(request.headers()::set);
            f.channel().writeAndFlush(request).addListener((ChannelFuture w) -> {
                if (!w.isSuccess()) {
                    result.completeExceptionally(w.cause());
                    w.channel().close();
                }
            });
        });
        return result;
    }

    /** The host without the brackets of an IPv6 literal ({@code [::1]} in a URL). */
    private static String hostForSni(String host) {
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }
}
