package dev.vireo.http;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Adds the CORS response headers (Fetch standard, "CORS protocol") to every response on the
 * connection, including streamed ones, so a browser player on another origin can read them. A
 * handler that sets one of these headers itself keeps its value.
 */
@Sharable
final class CorsHeaders extends ChannelOutboundHandlerAdapter {

    static final CorsHeaders INSTANCE = new CorsHeaders();

    /** Headers a browser script may read: WHIP/WHEP need Location, ETag and Link. */
    static final String EXPOSED = "Location, ETag, Link, Content-Length, X-Request-Id, X-Tengine-Error";

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response) {
            HttpHeaders h = response.headers();
            if (!h.contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)) {
                h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
            }
            if (!h.contains(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS)) {
                h.set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSED);
            }
        }
        ctx.write(msg, promise);
    }
}
