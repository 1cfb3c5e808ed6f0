package dev.vireo.rtmp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Server side of the RTMP handshake (RTMP spec §5.2): reads exactly C0+C1, answers S0+S1+S2 in one
 * write, reads exactly C2, then removes itself; bytes that follow C2 go on to the chunk decoder.
 * A version other than 3 or a handshake not completed within the timeout fails the connection.
 */
final class HandshakeHandler extends ByteToMessageDecoder {

    private static final SecureRandom RANDOM = new SecureRandom();

    private enum State { C0C1, C2, DONE }

    private final SessionLog log;
    private final Duration timeout;
    private State state = State.C0C1;
    private long received;
    private ScheduledFuture<?> timer;

    HandshakeHandler(SessionLog log, Duration timeout) {
        this.log = log;
        this.timeout = timeout;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timer = ctx.executor().schedule(() -> {
            if (state != State.DONE) {
                log.close(ctx.channel(), "handshake not completed within " + timeout.toMillis() + " ms ("
                        + received + " of " + (1 + 2 * Handshake.PACKET_SIZE) + " bytes received)", true);
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof ByteBuf b && state != State.DONE) {
            received += b.readableBytes();
        }
        super.channelRead(ctx, msg);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (state == State.C0C1) {
            if (!in.isReadable()) {
                return;
            }
            int version = in.getUnsignedByte(in.readerIndex());
            if (version != Handshake.VERSION) {
                throw new RtmpProtocolException(version == 6 || version == 8
                        ? "encrypted RTMPE handshake (version " + version + ") is not supported"
                        : "not an RTMP handshake: C0 version byte is 0x" + Integer.toHexString(version)
                                + " (expected 0x03)");
            }
            if (in.readableBytes() < 1 + Handshake.PACKET_SIZE) {
                return;
            }
            in.skipBytes(1);
            byte[] c1 = new byte[Handshake.PACKET_SIZE];
            in.readBytes(c1);
            Handshake.ServerReply reply = Handshake.serverReply(c1, (int) System.currentTimeMillis(), RANDOM);
            ByteBuf s = ctx.alloc().buffer(1 + 2 * Handshake.PACKET_SIZE);
            s.writeByte(Handshake.VERSION).writeBytes(reply.s1()).writeBytes(reply.s2());
            ctx.writeAndFlush(s);
            log.debug("handshake: C1 {}, answered with {} S1/S2", reply.digest() ? "signed" : "plain",
                    reply.digest() ? "signed" : "echo");
            state = State.C2;
        }
        if (state == State.C2) {
            if (in.readableBytes() < Handshake.PACKET_SIZE) {
                return;
            }
            // C2 echoes S1 (or signs it); RTMP servers do not reject on its content.
            in.skipBytes(Handshake.PACKET_SIZE);
            state = State.DONE;
            cancelTimer();
            // Removing this decoder hands the bytes after C2 to the chunk decoder.
            ctx.pipeline().remove(this);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (state != State.DONE) {
            log.peerClosed("peer closed the connection during the handshake after " + received + " bytes");
        }
        cancelTimer();
        super.channelInactive(ctx);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        cancelTimer();
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
