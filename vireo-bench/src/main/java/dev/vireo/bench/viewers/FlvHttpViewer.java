package dev.vireo.bench.viewers;

import dev.vireo.bench.measure.BenchClock;
import dev.vireo.bench.measure.FlowCounters;
import dev.vireo.bench.measure.Measurement;
import dev.vireo.media.flv.FlvReader;
import dev.vireo.media.flv.FlvTag;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;

/**
 * An HTTP-FLV viewer: {@code GET /app/stream.flv}, then the response body is read as an FLV
 * stream ({@link FlvReader}) and each tag is counted; nothing is decoded beyond the stamp.
 */
public final class FlvHttpViewer extends BaseViewer {

    private final int nalLengthSize;
    private volatile Channel channel;

    private FlvHttpViewer(Measurement measurement, int nalLengthSize) {
        super(new FlowCounters(measurement, true));
        this.nalLengthSize = nalLengthSize;
    }

    public static FlvHttpViewer open(Bootstrap template, URI url, Measurement measurement, int nalLengthSize) {
        FlvHttpViewer viewer = new FlvHttpViewer(measurement, nalLengthSize);
        viewer.counters.markOpened(BenchClock.nowNanos());
        Bootstrap b = template.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpClientCodec(4096, 8192, 64 * 1024), viewer.new Handler());
            }
        });
        ChannelFuture f = b.connect(url.getHost(), url.getPort());
        viewer.channel = f.channel();
        f.addListener(done -> {
            if (!done.isSuccess()) {
                viewer.fail("connect failed: " + done.cause());
                return;
            }
            String path = url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
            DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
            req.headers().set(HttpHeaderNames.HOST, url.getHost() + ":" + url.getPort());
            req.headers().set(HttpHeaderNames.USER_AGENT, "vireo-bench");
            f.channel().writeAndFlush(req);
        });
        return viewer;
    }

    private void fail(String reason) {
        failStart(reason);
        Channel ch = channel;
        if (ch != null) {
            ch.close();
        }
    }

    @Override
    public boolean isOpen() {
        Channel ch = channel;
        return ch != null && ch.isActive();
    }

    @Override
    public void close() {
        keepCloseReason("closed by the bench");
        Channel ch = channel;
        if (ch != null) {
            ch.close();
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<HttpObject> {

        private final FlvReader reader = new FlvReader();
        private ByteBuf cumulation;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpResponse response) {
                if (!response.status().equals(HttpResponseStatus.OK)) {
                    fail("HTTP " + response.status());
                    return;
                }
                started.complete(null);
            }
            if (msg instanceof HttpContent content && content.content().isReadable()) {
                ByteBuf in = content.content().retain();
                cumulation = cumulation == null ? in : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), cumulation, in);
                long now = BenchClock.nowNanos();
                for (FlvTag tag = reader.next(cumulation); tag != null; tag = reader.next(cumulation)) {
                    try {
                        MediaProbe.onMessage(counters, tag.type(), tag.body(), nalLengthSize, now);
                    } finally {
                        tag.release();
                    }
                }
                if (!cumulation.isReadable()) {
                    cumulation.release();
                    cumulation = null;
                } else {
                    cumulation.discardSomeReadBytes();
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (cumulation != null) {
                cumulation.release();
                cumulation = null;
            }
            endStart("server closed the connection");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail("error: " + cause);
        }
    }
}
