package dev.vireo.cluster.relay;

import dev.vireo.core.FlushBatcher;
import dev.vireo.core.HubException;
import dev.vireo.core.LogContext;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.SlowViewerPolicy;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.core.Subscriber;
import dev.vireo.core.Subscription;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The origin's end of one pull: authenticates the edge, then plays the stream it names as an
 * ordinary hub viewer — the start-up burst (metadata, sequence headers, GOP cache from the
 * keyframe) then live frames — each sent as the frame's shared relay header plus its payload.
 * A puller that cannot take data skips to the next keyframe and is dropped past the hub's
 * slow-viewer bound ({@link SlowViewerPolicy}), like every egress. Runs on its channel's event loop.
 */
final class OriginSession extends ChannelInboundHandlerAdapter implements Subscriber {

    private static final Logger log = LoggerFactory.getLogger(OriginSession.class);
    private static final int FLUSH_BYTES = 256 * 1024;

    private enum State { HELLO, AUTH, PULL, STREAMING, DONE }

    private final String id;
    private final StreamHub hub;
    private final RelayAuth auth;
    private final RelayOptions options;
    private final RelayDecoderHandler decoder;
    private final LongAdder refused;
    private Channel channel;
    private FlushBatcher out;
    private State state = State.HELLO;
    private byte[] edgeNonce;
    private byte[] originNonce;
    private String peer = "?";
    private Object key = "-";
    private ScheduledFuture<?> handshakeTimer;
    private Subscription subscription;
    private Stream stream;
    private SlowViewerPolicy policy;
    private boolean hasVideo;
    private long frames;

    OriginSession(String id, StreamHub hub, RelayAuth auth, RelayOptions options, RelayDecoderHandler decoder,
                  LongAdder refused) {
        this.id = id;
        this.hub = hub;
        this.auth = auth;
        this.options = options;
        this.decoder = decoder;
        this.refused = refused;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public EventExecutor executor() {
        return channel.eventLoop();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        out = new FlushBatcher(channel, FLUSH_BYTES);
        peer = String.valueOf(channel.remoteAddress());
        handshakeTimer = ctx.executor().schedule(() -> refuse(RelayMessage.Error.BAD_REQUEST,
                "handshake not finished within " + options.handshakeTimeout().toMillis() + " ms"),
                options.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        RelayMessage m = (RelayMessage) msg;
        try {
            switch (state) {
                case HELLO -> hello(expect(m, RelayMessage.Hello.class));
                case AUTH -> authenticate(expect(m, RelayMessage.Auth.class));
                case PULL -> pull(expect(m, RelayMessage.Pull.class));
                case STREAMING -> throw new RelayProtocolException("unexpected " + m.getClass().getSimpleName()
                        + " while streaming");
                case DONE -> {
                }
            }
        } catch (RelayProtocolException e) {
            refuse(RelayMessage.Error.BAD_REQUEST, e.getMessage());
        } finally {
            m.release();
        }
    }

    private static <T extends RelayMessage> T expect(RelayMessage m, Class<T> type) {
        if (!type.isInstance(m)) {
            throw new RelayProtocolException("expected " + type.getSimpleName() + ", got " + m.getClass().getSimpleName());
        }
        return type.cast(m);
    }

    private void hello(RelayMessage.Hello h) {
        if (h.version() != RelayMessage.VERSION) {
            throw new RelayProtocolException("relay protocol version " + h.version() + " (this node speaks "
                    + RelayMessage.VERSION + ")");
        }
        peer = h.nodeId() + "@" + channel.remoteAddress();
        edgeNonce = h.nonce();
        originNonce = RelayAuth.nonce();
        channel.writeAndFlush(RelayFrameWriter.challenge(channel.alloc(), originNonce,
                auth.originProof(edgeNonce, originNonce)));
        state = State.AUTH;
    }

    private void authenticate(RelayMessage.Auth a) {
        if (!RelayAuth.matches(auth.edgeProof(edgeNonce, originNonce), a.proof())) {
            refuse(RelayMessage.Error.AUTH_FAILED, "authentication failed (cluster.secret differs)");
            return;
        }
        decoder.limits(options.limits());
        state = State.PULL;
    }

    private void pull(RelayMessage.Pull p) {
        key = p.key();
        handshakeTimer.cancel(false);
        policy = new SlowViewerPolicy(hub.config().slowViewerMaxLag().toNanos());
        Subscription sub;
        try {
            sub = EdgeSource.servingOrigin(() -> hub.subscribe(p.key(), this));
        } catch (HubException e) {
            refuse(e.reason() == HubException.Reason.STREAM_NOT_FOUND ? RelayMessage.Error.NOT_FOUND
                    : RelayMessage.Error.UNAVAILABLE, e.getMessage());
            return;
        }
        subscription = sub;
        stream = sub.stream();
        hasVideo = stream.hasVideo();
        state = State.STREAMING;
        channel.closeFuture().addListener(f -> sub.close());
        inContext(() -> log.info("relay pull of {} by {}", key, peer));
    }

    @Override
    public void onFrame(MediaFrame frame) {
        if (state != State.STREAMING || !channel.isActive()) {
            return;
        }
        if (!hasVideo && frame.isVideo()) {
            hasVideo = true;
        }
        switch (policy.decide(frame, channel.isWritable(), hasVideo, System.nanoTime())) {
            case DELIVER -> {
                frames++;
                var header = frame.encoded(RelayFrameEncoding.INSTANCE);
                out.write(header.retainedDuplicate(), header.readableBytes());
                out.write(frame.payload().retainedDuplicate(), frame.payload().readableBytes());
            }
            case SKIP -> {
            }
            case DISCONNECT -> {
                state = State.DONE;
                inContext(() -> log.warn("disconnecting slow relay puller {} of {}: could not take data for {} ms"
                        + " ({} frames skipped)", peer, key, policy.blockedNanos(System.nanoTime()) / 1_000_000,
                        policy.skippedFrames()));
                subscription.close();
                channel.close();
            }
        }
    }

    @Override
    public void onEnd(String reason) {
        if (state == State.DONE) {
            return;
        }
        state = State.DONE;
        inContext(() -> log.info("relay pull of {} by {} ends after {} frames: {}", key, peer, frames, reason));
        if (channel.isActive()) {
            channel.writeAndFlush(RelayFrameWriter.end(channel.alloc(), reason)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Refuses the peer with a reason (logged here, sent in ERROR) and closes. */
    private void refuse(int code, String reason) {
        if (state == State.DONE) {
            return;
        }
        boolean beforeAuth = state == State.HELLO || state == State.AUTH;
        state = State.DONE;
        refused.increment();
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
        }
        if (subscription != null) {
            subscription.close();
        }
        inContext(() -> {
            if (beforeAuth || code == RelayMessage.Error.BAD_REQUEST) {
                log.warn("refused relay peer {}: {}", peer, reason);
            } else {
                log.info("refused relay pull of {} by {}: {}", key, peer, reason);
            }
        });
        if (channel.isActive()) {
            channel.writeAndFlush(RelayFrameWriter.error(channel.alloc(), code, reason))
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
        }
        if (subscription != null) {
            subscription.close();
        }
        if (state == State.STREAMING) {
            state = State.DONE;
            inContext(() -> log.info("relay puller {} of {} left after {} frames", peer, key, frames));
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (c instanceof RelayProtocolException e) {
            refuse(RelayMessage.Error.BAD_REQUEST, e.getMessage());
        } else if (c instanceof IOException) {
            inContext(() -> log.debug("relay peer {}: {}", peer, c.toString()));
            ctx.close();
        } else {
            inContext(() -> log.warn("relay session with {} failed", peer, c));
            ctx.close();
        }
    }

    private void inContext(Runnable r) {
        LogContext.run(key, id, r);
    }
}
