package dev.vireo.cluster.relay;

import dev.vireo.cluster.StreamDirectory.NodeAddress;
import dev.vireo.core.HubException;
import dev.vireo.core.LogContext;
import dev.vireo.core.Publication;
import dev.vireo.core.StreamKey;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.DecoderException;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One edge's pull of one stream from the node that publishes it, shared by all the edge's
 * viewers of the key. It connects, authenticates (HELLO, checks the origin's proof, AUTH), sends
 * PULL, then publishes every MEDIA frame into the local hub as a derived publisher.
 *
 * <ul>
 *   <li>END from the origin (its stream is over): the local stream ends with the same reason.</li>
 *   <li>Connection lost (origin gone): the publication closes, so local viewers wait the hub's
 *       reconnect grace; meanwhile the directory is asked again every
 *       {@link RelayOptions#retryEvery()}, and a new owner (the publisher reconnected to another
 *       node) is pulled: the viewers go on on the same stream.</li>
 *   <li>No node publishes the key, or the origin refuses: the local stream ends with the reason;
 *       within a re-pull, a refusal for now ("not found", "unavailable": a new owner whose publisher
 *       has just arrived) is asked again, the viewers waiting within the grace.</li>
 * </ul>
 */
final class EdgePull {

    private static final Logger log = LoggerFactory.getLogger(EdgePull.class);

    final StreamKey key;
    private final String id;
    private final EdgeSource edge;
    private volatile boolean stopped;
    /** Frames were published once: later losses are re-pulled within the reconnect grace. */
    private volatile boolean published;
    private Channel channel;
    private ScheduledFuture<?> retry;

    EdgePull(StreamKey key, String id, EdgeSource edge) {
        this.key = key;
        this.id = id;
        this.edge = edge;
    }

    /** The session id its stand-in publishes under in the local hub. */
    String id() {
        return id;
    }

    /** Asks the directory (on a virtual thread) after {@code delayMillis}, then connects. */
    synchronized void lookupSoon(long delayMillis) {
        if (stopped) {
            return;
        }
        Runnable lookup = () -> Thread.ofVirtual().name("vireo-relay-lookup").start(this::lookup);
        if (delayMillis <= 0) {
            lookup.run();
        } else {
            retry = edge.timer().schedule(lookup, delayMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void lookup() {
        if (stopped) {
            return;
        }
        Optional<NodeAddress> owner;
        try {
            owner = edge.owner(key);
        } catch (RuntimeException e) {
            inContext(() -> log.warn("relay: the directory failed to find the owner of {}: {}", key, e.toString()));
            owner = Optional.empty();
        }
        if (owner.isEmpty()) {
            if (published && edge.handOverToLocalSource(this)) {
                return; // a variant whose source is published here now: made here for the same viewers
            }
            unavailable("stream " + key.path() + " is not live on any node");
            return;
        }
        connect(owner.get());
    }

    private void connect(NodeAddress origin) {
        Bootstrap b = new Bootstrap()
                .group(edge.workers())
                .channel(edge.channelClass())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) edge.options().handshakeTimeout().toMillis())
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        RelayDecoderHandler decoder = new RelayDecoderHandler();
                        ch.pipeline().addLast("decoder", decoder);
                        ch.pipeline().addLast("pull", new PullHandler(origin, decoder));
                    }
                });
        ChannelFuture f = b.connect(origin.host(), origin.port());
        synchronized (this) {
            if (stopped) {
                f.channel().close();
                return;
            }
            channel = f.channel();
        }
        f.addListener(done -> {
            if (!done.isSuccess()) {
                unavailable("origin " + origin.nodeId() + " (" + origin.host() + ":" + origin.port()
                        + ") unreachable: " + done.cause().getMessage());
            }
        });
    }

    /**
     * The origin cannot be reached or has nothing: within a re-pull (viewers in the reconnect
     * grace) look again later, else end the local stream with the reason.
     */
    private void unavailable(String reason) {
        if (stopped) {
            return;
        }
        if (published) {
            inContext(() -> log.info("relay {} of {}: {}; trying again in {} ms", id, key, reason,
                    edge.options().retryEvery().toMillis()));
            lookupSoon(edge.options().retryEvery().toMillis());
        } else {
            fail(reason);
        }
    }

    /**
     * The local stream ends with {@code reason} (its viewers get a clean end), unless this pull was
     * stopped already (e.g. a local publisher took the key over: its stream is not this pull's).
     */
    private void fail(String reason) {
        if (!stop(reason)) {
            return;
        }
        inContext(() -> log.info("relay {} of {} ends: {}", id, key, reason));
        edge.endStream(this, reason, 0);
    }

    /**
     * Stops pulling (the local stream ended, went idle, a local producer took the key over, or the
     * server stops). Idempotent: returns whether this call stopped it.
     */
    boolean stop(String reason) {
        Channel ch;
        synchronized (this) {
            if (stopped) {
                return false;
            }
            stopped = true;
            ch = channel;
            if (retry != null) {
                retry.cancel(false);
            }
        }
        if (ch != null) {
            ch.close();
        }
        inContext(() -> log.debug("relay {} of {} stopped: {}", id, key, reason));
        return true;
    }

    private void inContext(Runnable r) {
        LogContext.run(key, id, r);
    }

    /** One connection to the origin; on its event loop. */
    private final class PullHandler extends ChannelInboundHandlerAdapter {

        private final NodeAddress origin;
        private final RelayDecoderHandler decoder;
        private final byte[] nonce = RelayAuth.nonce();
        private boolean authenticated;
        /** END or ERROR came: the connection's close is expected. */
        private boolean finished;
        private Publication publication;
        private long frames;

        PullHandler(NodeAddress origin, RelayDecoderHandler decoder) {
            this.origin = origin;
            this.decoder = decoder;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(RelayFrameWriter.hello(ctx.alloc(), nonce, edge.options().nodeId()));
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            RelayMessage m = (RelayMessage) msg;
            try {
                switch (m) {
                    case RelayMessage.Media media when authenticated -> {
                        publish(ctx, media.toFrame());
                        return; // the frame owns the payload now
                    }
                    case RelayMessage.Challenge c when !authenticated -> challenge(ctx, c);
                    case RelayMessage.End end -> {
                        finished = true;
                        ctx.close();
                        fail(end.reason().isEmpty() ? "the stream ended at its origin" : end.reason());
                    }
                    case RelayMessage.Error error -> {
                        finished = true;
                        ctx.close();
                        String reason = "origin " + origin.nodeId() + " refused the pull: " + error.reason();
                        if (error.code() == RelayMessage.Error.NOT_FOUND) {
                            unavailable(reason); // the directory may still name the node the publisher left
                        } else if (error.code() == RelayMessage.Error.UNAVAILABLE && published) {
                            // A re-pull from a new owner whose publisher has just arrived (its variant cannot be
                            // made before its first frames): the viewers wait within the grace, asked again soon.
                            unavailable(reason);
                        } else {
                            fail(reason);
                        }
                    }
                    default -> throw new RelayProtocolException("unexpected " + m.getClass().getSimpleName()
                            + " from the origin");
                }
            } catch (RelayProtocolException e) {
                broken(ctx, e.getMessage());
            }
            m.release();
        }

        private void challenge(ChannelHandlerContext ctx, RelayMessage.Challenge c) {
            if (!RelayAuth.matches(edge.auth().originProof(nonce, c.nonce()), c.proof())) {
                finished = true;
                ctx.close();
                fail("origin " + origin.nodeId() + " failed authentication (cluster.secret differs)");
                return;
            }
            authenticated = true;
            decoder.limits(edge.options().limits());
            ctx.write(RelayFrameWriter.auth(ctx.alloc(), edge.auth().edgeProof(nonce, c.nonce())));
            ctx.writeAndFlush(RelayFrameWriter.pull(ctx.alloc(), key));
            inContext(() -> log.info("relay {}: pulling {} from {} ({}:{}{})", id, key, origin.nodeId(), origin.host(),
                    origin.port(), origin.region().isEmpty() ? "" : ", region " + origin.region()));
        }

        private void publish(ChannelHandlerContext ctx, dev.vireo.core.MediaFrame frame) {
            if (stopped) {
                frame.release();
                return;
            }
            if (publication == null) {
                try {
                    // a stand-in: a publisher of the key on this node pre-empts the pull (its viewers go on)
                    publication = edge.hub().publishStandIn(key, id, reason -> {
                        if (stop(reason)) {
                            inContext(() -> log.info("relay {} of {} stopped: {}", id, key, reason));
                        }
                    });
                } catch (HubException e) {
                    frame.release();
                    finished = true;
                    ctx.close();
                    fail("cannot publish the pulled stream here: " + e.getMessage());
                    return;
                }
                published = true;
            }
            frames++;
            publication.send(frame);
        }

        private void broken(ChannelHandlerContext ctx, String reason) {
            inContext(() -> log.warn("relay {} of {}: origin {} broke the protocol: {}", id, key, origin.nodeId(), reason));
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (publication != null) {
                publication.close(); // viewers wait the reconnect grace
            }
            if (!finished && !stopped) {
                inContext(() -> log.info("relay {}: lost {} from {} after {} frames", id, key, origin.nodeId(), frames));
                unavailable("connection to origin " + origin.nodeId() + " lost");
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
            if (c instanceof RelayProtocolException e) {
                broken(ctx, e.getMessage());
            } else if (c instanceof IOException) {
                inContext(() -> log.debug("relay {}: {}", id, c.toString()));
                ctx.close();
            } else {
                inContext(() -> log.warn("relay {} of {} failed", id, key, c));
                ctx.close();
            }
        }
    }
}
