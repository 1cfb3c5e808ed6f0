package dev.vireo.http.routing;

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
 *
 * <p>Back-pressure: while a request is being answered later, or the connection is not writable
 * (its unsent responses are above the high water mark: the client does not read them), auto-read
 * is off, and a {@code FlowControlHandler} in front of us holds what the last socket read decoded.
 * A client that pipelines without reading its answers thus leaves its requests in its own socket
 * buffers instead of our memory; at most one read's worth of requests (16 KB) waits here.
 */
public final class Dispatcher extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    static final String X_REQUEST_ID = "X-Request-Id";

    /** Requests handed over after reading stopped (a few at most); more than this closes the connection. */
    private static final int MAX_QUEUED = 16;

    private static final String DEFAULT_ALLOWED_HEADERS = "Content-Type, Authorization, If-Match, X-Request-Id";

    private final Router router;
    private final ChannelGroup streaming;
    private final HttpCounters counters;
    private final ArrayDeque<FullHttpRequest> queued = new ArrayDeque<>();
    private boolean busy;
    private boolean takenOver;
    /** A response said {@code Connection: close}: no further request is read. */
    private boolean closing;

    public Dispatcher(Router router, ChannelGroup streaming, HttpCounters counters) {
        this.router = router;
        this.streaming = streaming;
        this.counters = counters;
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
        if (busy || !queued.isEmpty()) {
            // Handed over before auto-read went off (one per read at most): wait behind the others.
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
        updateReading(ctx);
    }

    /** Dispatches what waits while nothing is in progress and the client takes its answers. */
    private void drainQueued(ChannelHandlerContext ctx) {
        while (!busy && !takenOver && !queued.isEmpty() && ctx.channel().isWritable()) {
            dispatch(ctx, queued.poll());
        }
        updateReading(ctx);
    }

    /** Reads on while nothing is in progress or waiting and the client takes its answers. */
    private void updateReading(ChannelHandlerContext ctx) {
        if (takenOver) {
            return;
        }
        boolean writable = ctx.channel().isWritable();
        boolean read = !busy && !closing && queued.isEmpty() && writable;
        if (ctx.channel().config().isAutoRead() != read) {
            if (!read && !writable && !closing) {
                counters.paused.increment();
                log.debug("{} does not read its responses; reading paused", ctx.channel().remoteAddress());
            }
            ctx.channel().config().setAutoRead(read);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable()) {
            drainQueued(ctx);
        }
        super.channelWritabilityChanged(ctx);
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
            HttpVersion version = request.protocolVersion();
            if (version.majorVersion() != 1 || version.minorVersion() > 1) {
                // RFC 9110 §15.6.6: a major version we do not speak.
                counters.malformed.increment();
                write(ctx, new Exchange(request.method(), "<unsupported version>", false, requestId, start),
                        Response.error(505, "HttpVersionNotSupported", "only HTTP/1.0 and HTTP/1.1 are supported"));
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
        try {
            // decoded once here (RFC 3986 §2.1), so no handler meets a malformed query: that was a 500
            rc.queryParams();
        } catch (IllegalArgumentException e) {
            counters.malformed.increment();
            write(ctx, ex, Response.error(400, "BadRequest", "malformed percent-encoding in the query string"));
            return;
        }
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
                updateReading(ctx);
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

    /**
     * A streaming handler owns the connection now: no idle timeout, no further requests (what the
     * client still sends is read and dropped, so that its close is seen at once).
     */
    private void takeOver(ChannelHandlerContext ctx) {
        takenOver = true;
        if (ctx.pipeline().get(IdleStateHandler.class) != null) {
            ctx.pipeline().remove(IdleStateHandler.class);
        }
        streaming.add(ctx.channel());
        ctx.channel().config().setAutoRead(true);
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
        counters.malformed.increment();
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
        closing |= !keepAlive;
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
        // A request being answered later (a parked LL-HLS reload, a slow API call) is no idleness:
        // closing then loses its answer. The idle handler fires again a timeout after the answer.
        if (evt instanceof IdleStateEvent && !takenOver && !busy) {
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
