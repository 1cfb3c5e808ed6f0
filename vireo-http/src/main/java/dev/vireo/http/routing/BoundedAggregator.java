package dev.vireo.http.routing;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Aggregates request bodies up to the configured limit and answers larger ones with a JSON 413
 * (RFC 9110 §15.5.14) instead of Netty's empty one.
 */
public final class BoundedAggregator extends HttpObjectAggregator {

    private static final Logger log = LoggerFactory.getLogger(BoundedAggregator.class);

    private final int maxBodySize;

    public BoundedAggregator(int maxBodySize) {
        super(maxBodySize);
        this.maxBodySize = maxBodySize;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        if (!(oversized instanceof HttpRequest request)) {
            ctx.close();
            return;
        }
        String requestId = RequestIds.next();
        log.debug("{} {}: body over {} bytes refused [{}]", request.method(),
                RequestTarget.pathOf(request.uri()), maxBodySize, requestId);
        Response error = Response.error(413, "RequestEntityTooLarge",
                "request body larger than " + maxBodySize + " bytes");
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.wrappedBuffer(error.body(requestId)));
        response.headers().set(error.headers())
                .set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                .set(Dispatcher.X_REQUEST_ID, requestId);
        // Same choice as Netty: when the client has not started sending the body (it waits for
        // 100-continue) or will send more requests, keep the connection and skip the body.
        boolean close = oversized instanceof FullHttpMessage
                || !HttpUtil.is100ContinueExpected(oversized) && !HttpUtil.isKeepAlive(oversized);
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
    }
}
