package dev.vireo.control.outbound;

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
import io.netty.channel.EventLoop;
import io.netty.resolver.AddressResolver;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * A small non-blocking HTTP/1.1 client for webhooks on Netty: one connection per request
 * ({@code Connection: close}), http or https (JDK trust store, host name verified), a deadline for
 * the whole exchange, and a bounded response body. Every request is checked against the
 * {@link OutboundPolicy} at request time: the host is resolved (IPv4 in any {@code inet_aton}
 * spelling read as the address it is), every address checked, and the connection goes to the
 * checked address. Redirects are not followed (a 3xx is the answer).
 */
public final class OutboundHttp {

    /** The request was not sent: the target's address is not one the server may reach. */
    public static final class Refused extends IOException {
        Refused(String reason) {
            super(reason);
        }
    }

    /** Largest response body read; a webhook answer is a short JSON object. */
    static final int MAX_RESPONSE = 64 * 1024;

    /** Status and body of a response. */
    public record Result(int status, byte[] body) {
    }

    private final EventLoopGroup group;
    private final Class<? extends SocketChannel> channelClass;
    private final AddressResolverGroup<? extends SocketAddress> resolver;
    private final SslContext tls;
    private final OutboundPolicy policy;

    public OutboundHttp(EventLoopGroup group, Class<? extends SocketChannel> channelClass,
                 AddressResolverGroup<? extends SocketAddress> resolver, OutboundPolicy policy) {
        this.group = group;
        this.channelClass = channelClass;
        this.resolver = resolver;
        this.policy = policy;
        try {
            this.tls = SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS").build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS for webhooks: " + e.getMessage(), e);
        }
    }

    /** POSTs {@code body}; completes with the response, or exceptionally on a network error or timeout. */
    public CompletableFuture<Result> post(URI uri, String contentType, byte[] body, Map<String, String> headers,
                                   Duration timeout) {
        CompletableFuture<Result> result = new CompletableFuture<>();
        boolean https = "https".equals(uri.getScheme().toLowerCase(Locale.ROOT));
        String host = uri.getHost();
        int port = uri.getPort() > 0 ? uri.getPort() : https ? 443 : 80;
        if (host == null) {
            result.completeExceptionally(new Refused("not sent: the URL has no host name the server can check"));
            return result;
        }
        EventLoop loop = group.next();
        AtomicReference<Channel> channel = new AtomicReference<>();
        var deadline = loop.schedule(() -> {
            result.completeExceptionally(new TimeoutException("no response within " + timeout.toMillis() + " ms"));
            Channel c = channel.get();
            if (c != null) {
                c.close();
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        result.whenComplete((r, e) -> deadline.cancel(false));
        resolve(loop, host, port).addListener((Future<List<InetAddress>> resolved) -> {
            if (!resolved.isSuccess()) {
                result.completeExceptionally(resolved.cause());
                return;
            }
            for (InetAddress a : resolved.getNow()) {
                Optional<String> refusal = policy.refusal(host, port, a);
                if (refusal.isPresent()) {
                    result.completeExceptionally(new Refused("not sent to " + hostForSni(host) + ": " + refusal.get()));
                    return;
                }
            }
            if (!result.isDone()) {
                connect(loop, uri, https, host, port, resolved.getNow().getFirst(), contentType, body, headers, timeout,
                        result, channel);
            }
        });
        return result;
    }

    /** The addresses of {@code host}: an IP literal or inet_aton form as it is, else by DNS. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private Future<List<InetAddress>> resolve(EventLoop loop, String host, int port) {
        String bare = hostForSni(host);
        InetAddress literal = OutboundPolicy.hostAddress(bare);
        if (literal != null) {
            return loop.newSucceededFuture(List.of(literal));
        }
        Promise<List<InetAddress>> out = loop.newPromise();
        AddressResolver r = resolver.getResolver(loop);
        Future<List<SocketAddress>> all = r.resolveAll(InetSocketAddress.createUnresolved(bare, port));
        all.addListener(f -> {
            if (!all.isSuccess()) {
                out.setFailure(all.cause());
                return;
            }
            List<InetAddress> list = new ArrayList<>();
            for (SocketAddress a : all.getNow()) {
                if (a instanceof InetSocketAddress inet && inet.getAddress() != null) {
                    list.add(inet.getAddress());
                }
            }
            if (list.isEmpty()) {
                out.setFailure(new IOException("no address for " + bare));
            } else {
                out.setSuccess(list);
            }
        });
        return out;
    }

    private void connect(EventLoop loop, URI uri, boolean https, String host, int port, InetAddress address,
                         String contentType, byte[] body, Map<String, String> headers, Duration timeout,
                         CompletableFuture<Result> result, AtomicReference<Channel> channelRef) {
        String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        Bootstrap b = new Bootstrap().group(loop).channel(channelClass)
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
        ChannelFuture connect = b.connect(new InetSocketAddress(address, port));
        channelRef.set(connect.channel());
        if (result.isDone()) {
            connect.channel().close();
            return;
        }
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
    }

    /** The host without the brackets of an IPv6 literal ({@code [::1]} in a URL). */
    private static String hostForSni(String host) {
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }
}
