package dev.vireo.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns aggregated requests into route handler calls and their replies into responses, one
 * connection at a time: keep-alive, in-order responses for pipelined requests, OPTIONS
 * preflights, error bodies, and hand-over of the connection to streaming handlers.
 */
final class Dispatcher extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    static final String X_REQUEST_ID = "X-Request-Id";

    /** Pipelined requests waiting behind a deferred reply; more than this closes the connection. */
    private static final int MAX_QUEUED = 16;

    private static final String DEFAULT_ALLOWED_HEADERS = "Content-Type, Authorization, If-Match, X-Request-Id";

    private final Router router;
    private final ChannelGroup streaming;
    private final ArrayDeque<FullHttpRequest> queued = new ArrayDeque<>();
    private boolean busy;
    private boolean takenOver;

    Dispatcher(Router router, ChannelGroup streaming) {
        this.router = router;
        this.streaming = streaming;
    }

    /** What a response needs to know about the request it answers. */
    private record Exchange(HttpMethod method, String path, boolean keepAlive, String requestId, long startNanos) {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request) || takenOver) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (busy) {
            if (queued.size() >= MAX_QUEUED) {
                request.release();
                log.debug("too many pipelined requests from {}; closing", ctx.channel().remoteAddress());
                ctx.close();
                return;
            }
            queued.add(request);
            return;
        }
        dispatch(ctx, request);
    }

    private void dispatch(ChannelHandlerContext ctx, FullHttpRequest request) {
        String requestId = RequestIds.next();
        long start = System.nanoTime();
        try {
            DecoderResult decoded = request.decoderResult();
            if (decoded.isFailure()) {
                refuseMalformed(ctx, request, decoded.cause(), requestId, start);
                return;
            }
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            RequestTarget target;
            try {
                target = RequestTarget.parse(request.uri());
            } catch (IllegalArgumentException e) {
                Exchange ex = new Exchange(request.method(), "<invalid target>", false, requestId, start);
                write(ctx, ex, Response.error(400, "BadRequest", e.getMessage()));
                return;
            }
            Exchange ex = new Exchange(request.method(), target.path(), keepAlive, requestId, start);
            // RFC 9112 §3.2: an HTTP/1.1 request without Host gets 400.
            if (request.protocolVersion().equals(HttpVersion.HTTP_1_1) && !request.headers().contains(HttpHeaderNames.HOST)) {
                write(ctx, new Exchange(ex.method, ex.path, false, requestId, start),
                        Response.error(400, "BadRequest", "missing Host header"));
                return;
            }
            Router.Lookup lookup = router.lookup(request.method(), target.path());
            if (request.method().equals(HttpMethod.OPTIONS) && !(lookup instanceof Router.Found)) {
                write(ctx, ex, preflight(request, target.path()));
                return;
            }
            switch (lookup) {
                case Router.NotFound nf -> write(ctx, ex, Response.error(404, "NotFound",
                        "no route for " + request.method() + " " + target.path()));
                case Router.BadPath bad -> write(ctx, ex, Response.error(400, "BadRequest", bad.reason()));
                case Router.MethodNotAllowed mna -> write(ctx, ex,
                        Response.error(405, "MethodNotAllowed", request.method() + " is not allowed on " + target.path())
                                .header(HttpHeaderNames.ALLOW, join(mna.allowed())));
                case Router.Found found -> invoke(ctx, request, target, found, ex);
            }
        } finally {
            request.release();
        }
    }

    private void invoke(ChannelHandlerContext ctx, FullHttpRequest request, RequestTarget target,
                        Router.Found found, Exchange ex) {
        byte[] body = request.content().isReadable() ? ByteBufUtil.getBytes(request.content()) : new byte[0];
        RequestContext rc = new RequestContext(request.method(), request.protocolVersion(), target.path(),
                target.rawQuery(), found.params(), request.headers(), body, ctx.channel(), ex.requestId);
        Reply reply;
        try {
            reply = found.handler().handle(rc);
        } catch (Exception | LinkageError e) {
            log.warn("route {} failed on {} {} [{}]", found.pattern(), ex.method, ex.path, ex.requestId, e);
            reply = Response.error(500, "InternalError", "the server failed to handle the request");
        }
        switch (reply) {
            case Response r -> write(ctx, ex, r);
            case Reply.Later later -> {
                busy = true;
                later.response().whenComplete((r, err) -> ctx.executor().execute(() -> {
                    Response out = r;
                    if (err != null || r == null) {
                        log.warn("route {} failed on {} {} [{}]", found.pattern(), ex.method, ex.path, ex.requestId, err);
                        out = Response.error(500, "InternalError", "the server failed to handle the request");
                    }
                    if (ctx.channel().isActive()) {
                        write(ctx, ex, out);
                    }
                    busy = false;
                    drainQueued(ctx);
                }));
            }
            case Reply.TakenOver t -> takeOver(ctx);
            case null -> write(ctx, ex, Response.error(500, "InternalError", "the route gave no response"));
        }
    }

    private void drainQueued(ChannelHandlerContext ctx) {
        while (!busy && !takenOver && !queued.isEmpty()) {
            dispatch(ctx, queued.poll());
        }
    }

    /** A streaming handler owns the connection now: no idle timeout, no further requests. */
    private void takeOver(ChannelHandlerContext ctx) {
        takenOver = true;
        if (ctx.pipeline().get(IdleStateHandler.class) != null) {
            ctx.pipeline().remove(IdleStateHandler.class);
        }
        streaming.add(ctx.channel());
        releaseQueued();
    }

    /** RFC 9110 §9.3.7 and the Fetch standard's CORS preflight. */
    private Response preflight(FullHttpRequest request, String path) {
        Set<HttpMethod> allowed = router.allowedMethods(path);
        if (allowed.isEmpty()) {
            return Response.error(404, "NotFound", "no route for " + path);
        }
        String methods = join(allowed);
        String requested = request.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS);
        return Response.of(204)
                .header(HttpHeaderNames.ALLOW, methods)
                .header(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, methods)
                .header(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS,
                        requested == null || requested.isBlank() ? DEFAULT_ALLOWED_HEADERS : requested)
                .header(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, 86_400);
    }

    private void refuseMalformed(ChannelHandlerContext ctx, FullHttpRequest request, Throwable cause,
                                 String requestId, long start) {
        Response error;
        if (cause instanceof TooLongHttpLineException) {
            // RFC 9112 §3: a request-target longer than we parse gets 414.
            error = Response.error(414, "UriTooLong", "request line too long");
        } else if (cause instanceof TooLongHttpHeaderException) {
            error = Response.error(431, "RequestHeaderFieldsTooLarge", "request header fields too large");
        } else {
            error = Response.error(400, "BadRequest", "malformed HTTP request");
        }
        log.debug("malformed request from {}: {} [{}]", ctx.channel().remoteAddress(), cause.toString(), requestId);
        // The decoder discards everything after a bad message: answer and close.
        write(ctx, new Exchange(request.method(), "<malformed>", false, requestId, start), error);
    }

    private void write(ChannelHandlerContext ctx, Exchange ex, Response r) {
        byte[] body = r.body(ex.requestId);
        boolean head = ex.method.equals(HttpMethod.HEAD);
        ByteBuf shared = r.content();
        int length = shared != null ? shared.readableBytes() : body.length;
        ByteBuf content = head || length == 0 ? Unpooled.EMPTY_BUFFER
                : shared != null ? shared.duplicate() : Unpooled.wrappedBuffer(body);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(r.status()), content);
        HttpHeaders h = response.headers();
        h.set(r.headers());
        // RFC 9110 §8.6: no Content-Length on 1xx and 204; a HEAD response gives the GET length.
        boolean noLength = r.status() < 200 || r.status() == 204;
        if (!noLength && !h.contains(HttpHeaderNames.CONTENT_LENGTH) && !h.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            h.setInt(HttpHeaderNames.CONTENT_LENGTH, length);
        }
        h.set(X_REQUEST_ID, ex.requestId);
        boolean keepAlive = ex.keepAlive && !HttpHeaderValues.CLOSE.contentEqualsIgnoreCase(h.get(HttpHeaderNames.CONNECTION));
        h.set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        ChannelFuture f = ctx.writeAndFlush(response);
        f.addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
        if (log.isDebugEnabled()) {
            log.debug("{} {} -> {} in {} us [{}]", ex.method, ex.path, r.status(),
                    TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - ex.startNanos), ex.requestId);
        }
    }

    private static String join(Set<HttpMethod> methods) {
        return methods.stream().map(HttpMethod::name).collect(Collectors.joining(", "));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent && !takenOver) {
            log.debug("closing idle connection from {}", ctx.channel().remoteAddress());
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        releaseQueued();
        super.channelInactive(ctx);
    }

    private void releaseQueued() {
        FullHttpRequest r;
        while ((r = queued.poll()) != null) {
            r.release();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof ClosedChannelException) {
            // Writes still queued when a streaming response is cut: expected, nothing to say.
            ctx.close();
            return;
        }
        // Usually a reset by the peer; nothing to answer.
        log.debug("connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
