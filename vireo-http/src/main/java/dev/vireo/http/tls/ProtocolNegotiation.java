package dev.vireo.http.tls;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.function.Consumer;

/**
 * After the TLS handshake of an HTTPS connection, the protocol ALPN chose (RFC 7301): HTTP/2
 * (RFC 9113) or HTTP/1.1. With HTTP/2 every stream is a child channel whose pipeline turns the
 * stream's frames into the same HTTP objects as HTTP/1.1, so CORS, the bounded aggregator and the
 * dispatcher (routes, replies, streaming responses) work unchanged, one request per stream.
 */
public final class ProtocolNegotiation extends ApplicationProtocolNegotiationHandler {

    private final Consumer<ChannelPipeline> http1;
    private final Consumer<ChannelPipeline> perRequest;
    private final int maxHeaderSize;

    /**
     * @param http1 adds the HTTP/1.1 handlers (codec, idle timeout, CORS, aggregator, dispatcher)
     * @param perRequest adds the handlers after the codec (CORS, aggregator, dispatcher) to a stream
     */
    public ProtocolNegotiation(Consumer<ChannelPipeline> http1, Consumer<ChannelPipeline> perRequest, int maxHeaderSize) {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.http1 = http1;
        this.perRequest = perRequest;
        this.maxHeaderSize = maxHeaderSize;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        ChannelPipeline p = ctx.pipeline();
        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                    .initialSettings(Http2Settings.defaultSettings().maxHeaderListSize(maxHeaderSize)
                            .maxConcurrentStreams(256))
                    .build();
            p.addLast("h2", codec);
            p.addLast("h2-idle", new IdleWithoutStreams(codec));
            p.addLast("h2-streams", new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                @Override
                protected void initChannel(Http2StreamChannel ch) {
                    ch.pipeline().addLast("h2-http", new Http2StreamFrameToHttpObjectCodec(true));
                    perRequest.accept(ch.pipeline());
                }
            }));
        } else {
            http1.accept(p);
        }
    }

    /** A failed handshake: {@link TlsGuard} has logged why (at debug); just close. */
    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    /** Closes an HTTP/2 connection that stayed idle with no stream open (a streaming one is never idle). */
    private static final class IdleWithoutStreams extends ChannelDuplexHandler {
        private final Http2FrameCodec codec;

        IdleWithoutStreams(Http2FrameCodec codec) {
            this.codec = codec;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof IdleStateEvent && codec.connection().numActiveStreams() == 0) {
                Channel ch = ctx.channel();
                ch.close();
                return;
            }
            super.userEventTriggered(ctx, evt);
        }
    }
}
