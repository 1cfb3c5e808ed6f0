package dev.vireo.rtmp;

import java.util.Optional;
import dev.vireo.core.Stream;
import dev.vireo.core.Gate;
import dev.vireo.core.HubException;
import dev.vireo.core.Publication;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.Subscription;
import dev.vireo.media.MediaFormatException;
import dev.vireo.media.amf.Amf0Writer;
import dev.vireo.media.amf.AmfEcmaArray;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The server side of one RTMP connection after the handshake: protocol control and user control
 * messages, NetConnection commands (connect, createStream, ...) and NetStream commands (publish,
 * play, ...) per RTMP spec §7.2, with the replies OBS, ffmpeg and Flash expect. A connection
 * either publishes ({@link PublishSession}) or plays ({@link PlaySession}) on its one NetStream.
 */
final class ServerSession extends ChannelInboundHandlerAdapter {

    /** What the server tells clients it is: Flash clients look at fmsVer and capabilities. */
    static final String FMS_VERSION = "FMS/3,5,7,7009";
    /** Enhanced RTMP codecs this server carries (the FOURCCs of {@code fourCcList}). */
    static final Set<String> FOURCCS = Set.of("avc1", "hvc1", "av01", "Opus", "mp4a", ".mp3");

    private final RtmpConfig config;
    private final StreamHub hub;
    private final Gate gate;
    private final SessionLog log;
    private final Function<EventLoop, EgressWindow> egressWindows;
    private final RtmpChunkEncoding encoding;
    private ChannelHandlerContext ctx;
    private ConnectParams connect;
    private PublishSession publisher;
    private PlaySession player;
    private boolean aggregateLogged;
    /** Set once the connection is being refused: later messages are not processed. */
    private boolean closing;

    ServerSession(RtmpConfig config, StreamHub hub, Gate gate, SessionLog log) {
        this(config, hub, gate, log, loop -> new EgressWindow(loop, config));
    }

    private Function<Stream, Optional<StreamKey>> playVariant = st -> Optional.empty();

    /** The variant a player plays instead of a stream it cannot take as it is (Opus → {@code @aac}). */
    ServerSession playVariant(Function<Stream, Optional<StreamKey>> rule) {
        this.playVariant = rule;
        return this;
    }

    /** @param egressWindows the write coalescing of an event loop (one per loop, shared) */
    ServerSession(RtmpConfig config, StreamHub hub, Gate gate, SessionLog log,
                  Function<EventLoop, EgressWindow> egressWindows) {
        this.egressWindows = egressWindows;
        this.config = config;
        this.hub = hub;
        this.gate = gate;
        this.log = log;
        this.encoding = RtmpChunkEncoding.forChunkSize(config.outChunkSize());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof RtmpMessage m)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            if (!closing && ctx.channel().isActive() && log.closeReason() == null) {
                handle(m);
            }
        } catch (RtmpProtocolException e) {
            log.close(ctx.channel(), e.reason(), true);
        } catch (MediaFormatException e) {
            log.close(ctx.channel(), "malformed input: " + e.getMessage(), true);
        } finally {
            m.release();
        }
    }

    private void handle(RtmpMessage m) {
        switch (m.typeId()) {
            case MessageType.USER_CONTROL -> onUserControl(UserControl.parse(m));
            case MessageType.COMMAND_AMF0, MessageType.COMMAND_AMF3 -> onCommand(CommandMessage.decode(m), m);
            case MessageType.AUDIO, MessageType.VIDEO, MessageType.DATA_AMF0, MessageType.DATA_AMF3 -> {
                if (publisher != null) {
                    publisher.onMessage(m, ctx.alloc());
                } else {
                    log.debug("ignoring {} outside of a publish", m);
                }
            }
            case MessageType.AGGREGATE -> {
                if (!aggregateLogged) {
                    aggregateLogged = true;
                    log.warn("aggregate messages are not supported; dropping them");
                }
            }
            // Window Acknowledgement Size is applied by the chunk decoder; acknowledgements, peer
            // bandwidth and shared objects need no action from a server that does not throttle.
            default -> log.debug("ignoring {}", m);
        }
    }

    private void onUserControl(UserControl uc) {
        // RTMP spec §7.1.7: answer a ping request with a ping response carrying its timestamp.
        if (uc.eventType() == UserControl.PING_REQUEST) {
            ctx.writeAndFlush(UserControl.pingResponse(ctx.alloc(), uc.value()));
        } else if (uc.eventType() == UserControl.SET_BUFFER_LENGTH) {
            log.debug("client buffer length {} ms on stream {}", uc.extra(), uc.value());
        }
    }

    private void onCommand(CommandMessage cmd, RtmpMessage m) {
        int msid = m.messageStreamId();
        if (connect == null && !cmd.name().equals("connect")) {
            throw new RtmpProtocolException("command '" + cmd.name() + "' before connect");
        }
        switch (cmd.name()) {
            case "connect" -> onConnect(cmd);
            case "createStream" -> reply(cmd, null, (double) RtmpChunkEncoding.STREAM_ID);
            case "releaseStream", "_checkbw", "call" -> reply(cmd, null);
            case "getStreamLength" -> reply(cmd, null, 0.0);
            case "FCPublish" -> {
                reply(cmd, null);
                send(CommandMessage.of("onFCPublish", 0, null,
                        NetStatus.status("NetStream.Publish.Start", String.valueOf(cmd.argument(0))).toObject()), 0);
                ctx.flush();
            }
            case "FCUnpublish" -> {
                reply(cmd, null);
                stopStream("FCUnpublish");
            }
            case "publish" -> onPublish(cmd, msid);
            case "play" -> onPlay(cmd, msid);
            case "deleteStream", "closeStream" -> stopStream(cmd.name());
            case "receiveAudio" -> {
                if (player != null) {
                    player.receiveAudio(!Boolean.FALSE.equals(cmd.argument(0)));
                }
            }
            case "receiveVideo" -> {
                if (player != null) {
                    player.receiveVideo(!Boolean.FALSE.equals(cmd.argument(0)));
                }
            }
            case "pause", "seek" -> log.debug("ignoring {} on a live stream", cmd.name());
            default -> {
                if (cmd.transactionId() != 0) {
                    send(CommandMessage.of("_error", cmd.transactionId(), null,
                            NetStatus.error("NetConnection.Call.Failed", "unknown command " + cmd.name()).toObject()),
                            msid);
                    ctx.flush();
                }
                log.debug("unknown command {}", cmd.name());
            }
        }
    }

    // RTMP spec §7.2.1.1: Window Acknowledgement Size, Set Peer Bandwidth, then the _result.
    private void onConnect(CommandMessage cmd) {
        if (connect != null) {
            throw new RtmpProtocolException("second connect on one connection");
        }
        connect = ConnectParams.from(cmd);
        // The query (auth_key, ...) stays out of the log.
        String tcUrl = connect.tcUrl();
        log.info("connect app={} tcUrl={} from {}", connect.app(),
                tcUrl.indexOf('?') >= 0 ? tcUrl.substring(0, tcUrl.indexOf('?')) + "?..." : tcUrl, log.peer());
        send(ProtocolControl.windowAckSize(ctx.alloc(), config.windowAckSize()));
        send(ProtocolControl.setPeerBandwidth(ctx.alloc(), config.windowAckSize(), ProtocolControl.LIMIT_DYNAMIC));
        send(ProtocolControl.setChunkSize(ctx.alloc(), encoding.chunkSize()));
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("fmsVer", FMS_VERSION);
        props.put("capabilities", 31.0);
        props.put("mode", 1.0);
        if (!connect.fourCcList().isEmpty()) {
            // Enhanced RTMP: answer with the codecs of the client's list that we carry.
            List<Object> ours = new ArrayList<>();
            for (String f : connect.fourCcList()) {
                if (FOURCCS.contains(f) || f.equals("*")) {
                    ours.add(f.equals("*") ? List.copyOf(FOURCCS) : f);
                }
            }
            props.put("fourCcList", flatten(ours));
        }
        Map<String, Object> info = NetStatus.status("NetConnection.Connect.Success", "Connection succeeded.")
                .toObject("objectEncoding", connect.objectEncoding(),
                        "data", new AmfEcmaArray(Map.of("version", "3,5,7,7009")));
        send(CommandMessage.of("_result", cmd.transactionId(), props, info), 0);
        ctx.flush();
    }

    private static List<Object> flatten(List<Object> in) {
        List<Object> out = new ArrayList<>();
        for (Object o : in) {
            if (o instanceof List<?> l) {
                for (Object x : l) {
                    if (!out.contains(x)) {
                        out.add(x);
                    }
                }
            } else if (!out.contains(o)) {
                out.add(o);
            }
        }
        return out;
    }

    private void onPublish(CommandMessage cmd, int msid) {
        String name = cmd.stringArgument(0);
        if (publisher != null || player != null) {
            refuse(msid, NetStatus.error("NetStream.Publish.BadName", "this connection already has an active stream"));
            return;
        }
        if (name == null || name.isEmpty() || name.length() > ConnectParams.MAX_URL_LENGTH) {
            refuse(msid, NetStatus.error("NetStream.Publish.BadName", "publish needs a stream name"));
            return;
        }
        StreamKey key = admit(Gate.Action.PUBLISH, name, msid, "NetStream.Publish.Unauthorized");
        if (key == null) {
            return;
        }
        log.streamKey(key.toString());
        Publication publication;
        try {
            publication = hub.publish(key, log.sessionId(), reason -> ctx.executor().execute(
                    () -> log.close(ctx.channel(), "publication revoked: " + reason, false)));
        } catch (HubException e) {
            refuse(msid, NetStatus.error("NetStream.Publish.BadName", e.getMessage()));
            return;
        }
        publisher = new PublishSession(publication, log);
        log.info("publishing {} ({})", key, cmd.argument(1));
        send(UserControl.streamBegin(ctx.alloc(), msid));
        send(NetStatus.status("NetStream.Publish.Start", key.path() + " is now published.")
                .onStatus("details", name, "clientid", log.sessionId()), msid);
        ctx.flush();
    }

    private void onPlay(CommandMessage cmd, int msid) {
        String name = cmd.stringArgument(0);
        if (publisher != null || player != null) {
            refuse(msid, NetStatus.error("NetStream.Play.Failed", "this connection already has an active stream"));
            return;
        }
        if (name == null || name.isEmpty() || name.length() > ConnectParams.MAX_URL_LENGTH) {
            refuse(msid, NetStatus.error("NetStream.Play.StreamNotFound", "play needs a stream name"));
            return;
        }
        StreamKey admitted = admit(Gate.Action.PLAY, name, msid, "NetStream.Play.Unauthorized");
        if (admitted == null) {
            return;
        }
        StreamKey key = hub.find(admitted).flatMap(playVariant).orElse(admitted);
        log.streamKey(key.toString());
        PlaySession session = new PlaySession(ctx.channel(), log, encoding,
                hub.config().slowViewerMaxLag().toNanos(), egressWindows.apply(ctx.channel().eventLoop()));
        Subscription sub;
        try {
            sub = hub.subscribe(key, session);
        } catch (HubException e) {
            refuse(msid, NetStatus.error("NetStream.Play.StreamNotFound", e.getMessage()));
            return;
        }
        session.attach(sub);
        player = session;
        // Live only: start (-2/-1000/0...), duration and the recorded-stream semantics of play do
        // not apply; reset decides whether NetStream.Play.Reset is sent (RTMP spec §7.2.2.1).
        log.info("playing {} (start={})", key, cmd.argument(1));
        // The hub hands over the start-up burst in a task on this event loop, so these statuses
        // reach the player before any media (RTMP spec §7.2.2.1 play sequence).
        send(UserControl.streamBegin(ctx.alloc(), msid));
        boolean reset = !(cmd.argument(3) instanceof Boolean b) || b;
        if (reset) {
            send(NetStatus.status("NetStream.Play.Reset", "Playing and resetting " + name + ".")
                    .onStatus("details", name, "clientid", log.sessionId()), msid);
        }
        send(NetStatus.status("NetStream.Play.Start", "Started playing " + name + ".")
                .onStatus("details", name, "clientid", log.sessionId()), msid);
        send(sampleAccess(msid));
        send(NetStatus.status("NetStream.Data.Start", "Started playing " + name + ".").onStatus(), msid);
        ctx.flush();
    }

    /** {@code |RtmpSampleAccess(true, true)}: lets a Flash player read the audio and video data. */
    private RtmpMessage sampleAccess(int msid) {
        ByteBuf b = ctx.alloc().buffer(32);
        Amf0Writer.writeAll(b, "|RtmpSampleAccess", true, true);
        return new RtmpMessage(RtmpMessage.CSID_DATA, MessageType.DATA_AMF0, 0, msid, b);
    }

    /** Asks the gate; on a refusal sends {@code deniedCode} with the gate's reason and closes. */
    private StreamKey admit(Gate.Action action, String name, int msid, String deniedCode) {
        Gate.AccessRequest req = connect.accessRequest(action, name, log.peer());
        Gate.Verdict verdict = gate.admit(req);
        return switch (verdict) {
            case Gate.Allow a -> a.key();
            case Gate.Deny d -> {
                refuse(msid, NetStatus.error(deniedCode, d.reason()));
                yield null;
            }
        };
    }

    /** Sends an error status, then closes the connection once it is written. */
    private void refuse(int msid, NetStatus status) {
        closing = true;
        String reason = status.code() + ": " + status.description();
        ctx.writeAndFlush(status.onStatus().encode(ctx.alloc(), msid)).addListener(
                (ChannelFutureListener) f -> log.close(ctx.channel(), reason, false));
    }

    private void stopStream(String why) {
        if (publisher != null) {
            log.info("unpublish ({}): {} frames, {} bytes", why, publisher.frames(), publisher.bytes());
            publisher.close();
            publisher = null;
        }
        if (player != null) {
            log.info("stop playing ({}): {} frames / {} bytes sent, {} frames skipped", why, player.framesSent(),
                    player.bytesSent(), player.framesSkipped());
            player.stop();
            player = null;
        }
    }

    private void reply(CommandMessage cmd, Object commandObject, Object... args) {
        if (cmd.transactionId() == 0) {
            return;
        }
        send(CommandMessage.of("_result", cmd.transactionId(), commandObject, args), 0);
        ctx.flush();
    }

    private void send(CommandMessage cmd, int msid) {
        ctx.write(cmd.encode(ctx.alloc(), msid));
    }

    private void send(RtmpMessage msg) {
        ctx.write(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent && player == null) {
            log.close(ctx.channel(), (publisher != null ? "publisher sent nothing" : "no command received")
                    + " for " + config.idleTimeout().toMillis() + " ms", true);
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        log.peerClosed(connect == null ? "peer disconnected before connect" : "peer disconnected");
        stopStream("disconnect");
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        switch (c) {
            case RtmpProtocolException e -> log.close(ctx.channel(), e.reason(), true);
            case MediaFormatException e -> log.close(ctx.channel(), "malformed input: " + e.getMessage(), true);
            case IOException e -> {
                log.peerClosed("connection error: " + e.getMessage());
                ctx.close();
            }
            default -> {
                log.warn("unexpected error; closing", c);
                log.close(ctx.channel(), "internal error: " + c, false);
            }
        }
    }
}
