package dev.vireo.rtmp;

import dev.vireo.media.amf.Amf0Reader;
import dev.vireo.media.amf.AmfException;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A minimal RTMP client over Netty: handshake (digest-signed, as Flash Player), connect,
 * createStream, then either publish FLV tag bodies or play and receive them. Used by tests and by
 * the benchmark; not a full player.
 *
 * <pre>{@code
 * RtmpClient c = RtmpClient.connect("rtmp://127.0.0.1:1935/live/demo", group, NioSocketChannel.class)
 *         .get(5, SECONDS);
 * RtmpClient.Status s = c.publish().get(5, SECONDS);   // NetStream.Publish.Start, or an error status
 * c.sendTag(RtmpClient.TAG_VIDEO, 0, videoBody);
 * }</pre>
 *
 * Methods may be called from any thread; listener callbacks run on the client's event loop.
 */
public final class RtmpClient implements AutoCloseable {

    public static final int TAG_AUDIO = 8;
    public static final int TAG_VIDEO = 9;
    public static final int TAG_SCRIPT = 18;

    /** Chunk size the client announces for what it sends. */
    private static final int CHUNK_SIZE = 4096;

    /** The info object of an {@code onStatus} (or of a {@code _result}/{@code _error}). */
    public record Status(String level, String code, String description) {

        public boolean isError() {
            return "error".equals(level);
        }
    }

    /** What a playing client receives. Runs on the client's event loop. */
    public interface Listener {

        /**
         * An audio (8), video (9) or script data (18) message: its payload is an FLV tag body.
         * {@code body} is valid during the call only.
         */
        void onTag(int type, long timestamp, ByteBuf body);

        /** Every {@code onStatus} of the stream, e.g. {@code NetStream.Play.UnpublishNotify}. */
        default void onStatus(Status status) {
        }

        /** The connection is closed. */
        default void onClose() {
        }
    }

    private final Channel channel;
    private final String app;
    private final String streamName;
    private final Handshake.ClientReply handshake;
    private final Handler handler;
    private final List<Status> statuses = new CopyOnWriteArrayList<>();
    private volatile Status connectStatus;

    private RtmpClient(Channel channel, String app, String streamName, Handshake.ClientReply handshake,
                       Handler handler) {
        this.channel = channel;
        this.app = app;
        this.streamName = streamName;
        this.handshake = handshake;
        this.handler = handler;
    }

    /**
     * Opens a connection, completes the handshake and the NetConnection {@code connect}.
     *
     * @param url {@code rtmp://host[:port]/app/stream[?query]}; the query is sent with the stream
     *     name (where {@code auth_key} goes)
     * @return completes with the connected client, or exceptionally when the server refuses the
     *     connection (the message carries the status code and description) or the handshake fails
     */
    public static CompletableFuture<RtmpClient> connect(String url, EventLoopGroup group,
                                                        Class<? extends Channel> channelClass) {
        URI uri = URI.create(url);
        if (!"rtmp".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("not an rtmp:// URL: " + url);
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceFirst("^/", "");
        int slash = path.indexOf('/');
        if (slash <= 0 || slash == path.length() - 1) {
            throw new IllegalArgumentException("URL needs /app/stream: " + url);
        }
        String app = path.substring(0, slash);
        String stream = path.substring(slash + 1) + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        int port = uri.getPort() < 0 ? RtmpConfig.DEFAULT_PORT : uri.getPort();
        String tcUrl = "rtmp://" + uri.getHost() + ":" + port + "/" + app;

        CompletableFuture<RtmpClient> result = new CompletableFuture<>();
        ClientHandshakeHandler hs = new ClientHandshakeHandler();
        Handler handler = new Handler();
        Bootstrap b = new Bootstrap().group(group).channel(channelClass)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(hs, new ChunkEncoderHandler(),
                                new ChunkDecoderHandler(new ChunkDecoder.Limits(16 << 20, 0xFFFFFF, 64)), handler);
                    }
                });
        b.connect(uri.getHost(), port).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(f.cause());
                return;
            }
            Channel ch = f.channel();
            ch.closeFuture().addListener(x -> result.completeExceptionally(
                    new IllegalStateException("connection closed before connect completed")));
            hs.result().whenComplete((reply, err) -> {
                if (err != null) {
                    result.completeExceptionally(err);
                    ch.close();
                    return;
                }
                RtmpClient client = new RtmpClient(ch, app, stream, reply, handler);
                handler.client = client;
                ch.eventLoop().execute(() -> client.sendConnect(tcUrl, result));
            });
        });
        return result;
    }

    private void sendConnect(String tcUrl, CompletableFuture<RtmpClient> result) {
        channel.write(ProtocolControl.setChunkSize(channel.alloc(), CHUNK_SIZE));
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("app", app);
        props.put("type", "nonprivate");
        props.put("flashVer", "FMLE/3.0 (compatible; Vireo)");
        props.put("tcUrl", tcUrl);
        props.put("fpad", false);
        props.put("capabilities", 15.0);
        props.put("audioCodecs", 3575.0);
        props.put("videoCodecs", 252.0);
        props.put("videoFunction", 1.0);
        props.put("objectEncoding", 0.0);
        props.put("fourCcList", List.of("av01", "hvc1", "avc1"));
        call("connect", props, List.of(), 0, reply -> {
            Status s = statusOf(reply.argument(0));
            connectStatus = s;
            if (reply.name().equals("_result")) {
                result.complete(this);
            } else {
                result.completeExceptionally(new IllegalStateException("connect refused: " + s.code() + ": "
                        + s.description()));
                channel.close();
            }
        });
        channel.flush();
    }

    /** The status of the connect reply. */
    public Status connectStatus() {
        return connectStatus;
    }

    /** True when S1 carried a digest made with the Flash Media Server key (complex handshake). */
    public boolean serverDigestValid() {
        return handshake.serverDigestValid();
    }

    /** True when S2 was signed with the key derived from this client's C1 digest. */
    public boolean serverSignatureValid() {
        return handshake.s2SignatureValid();
    }

    /** Every onStatus received so far, in order. */
    public List<Status> statuses() {
        return List.copyOf(statuses);
    }

    /**
     * releaseStream, FCPublish, createStream, publish. Completes with the first
     * {@code NetStream.Publish.*} status: {@code Publish.Start} on success, an error status (for
     * example {@code NetStream.Publish.BadName}) otherwise.
     */
    public CompletableFuture<Status> publish() {
        CompletableFuture<Status> result = new CompletableFuture<>();
        channel.eventLoop().execute(() -> {
            handler.awaitStatus("NetStream.Publish.", result);
            call("releaseStream", null, List.of(streamName), 0, null);
            call("FCPublish", null, List.of(streamName), 0, null);
            call("createStream", null, List.of(), 0, reply -> {
                handler.streamId = reply.argument(0) instanceof Double d ? d.intValue() : 1;
                call("publish", null, List.of(streamName, "live"), handler.streamId, null);
                channel.flush();
            });
            channel.flush();
        });
        return result;
    }

    /**
     * createStream, play. Completes with {@code NetStream.Play.Start} or the error status (for
     * example {@code NetStream.Play.StreamNotFound}); from then on tags go to {@code listener}.
     */
    public CompletableFuture<Status> play(Listener listener) {
        CompletableFuture<Status> result = new CompletableFuture<>();
        channel.eventLoop().execute(() -> {
            handler.listener = listener;
            handler.awaitStatus("NetStream.Play.", result);
            call("createStream", null, List.of(), 0, reply -> {
                handler.streamId = reply.argument(0) instanceof Double d ? d.intValue() : 1;
                channel.write(UserControl.setBufferLength(channel.alloc(), handler.streamId, 1000));
                call("play", null, List.of(streamName, -2000.0), handler.streamId, null);
                channel.flush();
            });
            channel.flush();
        });
        return result;
    }

    /**
     * Sends one FLV tag body as an RTMP message on the published stream. Takes ownership of
     * {@code body}. Call after {@link #publish()} completed with {@code Publish.Start}.
     */
    public ChannelFuture sendTag(int type, long timestamp, ByteBuf body) {
        int csid = switch (type) {
            case TAG_AUDIO -> RtmpMessage.CSID_AUDIO;
            case TAG_VIDEO -> RtmpMessage.CSID_VIDEO;
            case TAG_SCRIPT -> RtmpMessage.CSID_DATA;
            default -> {
                body.release();
                throw new IllegalArgumentException("not an FLV tag type: " + type);
            }
        };
        return channel.writeAndFlush(new RtmpMessage(csid, type, timestamp, handler.streamId, body));
    }

    /** False while the socket's outbound buffer is above its high water mark. */
    public boolean isWritable() {
        return channel.isWritable();
    }

    public boolean isOpen() {
        return channel.isActive();
    }

    /** Completes when the connection is closed (by either side). */
    public CompletableFuture<Void> closeFuture() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        channel.closeFuture().addListener(x -> f.complete(null));
        return f;
    }

    /** Sends deleteStream when a stream is open, then closes the connection. */
    @Override
    public void close() {
        if (channel.isActive() && handler.streamId > 0) {
            call("deleteStream", null, List.of((double) handler.streamId), 0, null);
            channel.flush();
        }
        channel.close().awaitUninterruptibly();
    }

    private void call(String name, Object cmdObject, List<Object> args, int msid, Consumer<CommandMessage> onReply) {
        if (!channel.eventLoop().inEventLoop()) {
            channel.eventLoop().execute(() -> call(name, cmdObject, args, msid, onReply));
            return;
        }
        double txn = onReply == null ? 0 : handler.nextTransaction++;
        if (onReply != null) {
            handler.pending.put(txn, onReply);
        }
        channel.write(new CommandMessage(name, txn, cmdObject, args).encode(channel.alloc(), msid));
    }

    private static Status statusOf(Object info) {
        NetStatus s = NetStatus.from(info);
        return new Status(s.level(), s.code(), s.description());
    }

    /** The inbound side: replies, statuses, media, pings. On the event loop. */
    private static final class Handler extends ChannelInboundHandlerAdapter {

        final Map<Double, Consumer<CommandMessage>> pending = new HashMap<>();
        final List<Map.Entry<String, CompletableFuture<Status>>> waiting = new ArrayList<>();
        double nextTransaction = 1;
        volatile int streamId;
        Listener listener;
        RtmpClient client;

        void awaitStatus(String prefix, CompletableFuture<Status> f) {
            waiting.add(Map.entry(prefix, f));
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof RtmpMessage m)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            try {
                switch (m.typeId()) {
                    case MessageType.AUDIO, MessageType.VIDEO, MessageType.DATA_AMF0 -> onMedia(m);
                    case MessageType.COMMAND_AMF0, MessageType.COMMAND_AMF3 -> onCommand(CommandMessage.decode(m));
                    case MessageType.USER_CONTROL -> {
                        UserControl uc = UserControl.parse(m);
                        if (uc.eventType() == UserControl.PING_REQUEST) {
                            ctx.writeAndFlush(UserControl.pingResponse(ctx.alloc(), uc.value()));
                        }
                    }
                    default -> {
                    }
                }
            } finally {
                m.release();
            }
        }

        private void onMedia(RtmpMessage m) {
            if (m.typeId() == MessageType.DATA_AMF0 && isSampleAccess(m)) {
                return;
            }
            if (listener != null) {
                listener.onTag(m.typeId(), m.timestamp(), m.payload());
            }
        }

        private static boolean isSampleAccess(RtmpMessage m) {
            try {
                return "|RtmpSampleAccess".equals(Amf0Reader.read(m.payload().duplicate()));
            } catch (AmfException e) {
                return false;
            }
        }

        private void onCommand(CommandMessage cmd) {
            switch (cmd.name()) {
                case "_result", "_error" -> {
                    Consumer<CommandMessage> c = pending.remove(cmd.transactionId());
                    if (c != null) {
                        c.accept(cmd);
                    }
                }
                case "onStatus" -> {
                    Status s = statusOf(cmd.argument(0));
                    if (client != null) {
                        client.statuses.add(s);
                    }
                    waiting.removeIf(e -> {
                        if (s.code().startsWith(e.getKey()) && !s.code().endsWith(".Reset")) {
                            e.getValue().complete(s);
                            return true;
                        }
                        return false;
                    });
                    if (listener != null) {
                        listener.onStatus(s);
                    }
                }
                default -> {
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            for (var e : waiting) {
                e.getValue().completeExceptionally(new IllegalStateException("connection closed"));
            }
            waiting.clear();
            if (listener != null) {
                listener.onClose();
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
            for (var e : waiting) {
                e.getValue().completeExceptionally(c);
            }
            waiting.clear();
            ctx.close();
        }
    }
}
