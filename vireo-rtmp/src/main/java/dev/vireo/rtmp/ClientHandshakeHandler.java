package dev.vireo.rtmp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Client side of the RTMP handshake (RTMP spec §5.2): sends C0 and a digest-signed C1 as Flash
 * Player does, reads S0+S1+S2, checks the server's digest when there is one, answers C2 and
 * removes itself. {@link #result()} completes when C2 is sent.
 */
final class ClientHandshakeHandler extends ByteToMessageDecoder {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final CompletableFuture<Handshake.ClientReply> result = new CompletableFuture<>();
    private byte[] c1;
    private boolean done;

    CompletableFuture<Handshake.ClientReply> result() {
        return result;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        c1 = Handshake.clientC1((int) System.currentTimeMillis(), RANDOM);
        ByteBuf out = ctx.alloc().buffer(1 + Handshake.PACKET_SIZE);
        out.writeByte(Handshake.VERSION).writeBytes(c1);
        ctx.writeAndFlush(out);
        super.channelActive(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (done || in.readableBytes() < 1 + 2 * Handshake.PACKET_SIZE) {
            return;
        }
        int version = in.readUnsignedByte();
        if (version != Handshake.VERSION) {
            throw new RtmpProtocolException("server answered with RTMP version " + version);
        }
        byte[] s1 = new byte[Handshake.PACKET_SIZE];
        byte[] s2 = new byte[Handshake.PACKET_SIZE];
        in.readBytes(s1);
        in.readBytes(s2);
        Handshake.ClientReply reply = Handshake.clientReply(c1, s1, s2, RANDOM);
        ctx.writeAndFlush(ctx.alloc().buffer(Handshake.PACKET_SIZE).writeBytes(reply.c2()));
        done = true;
        ctx.pipeline().remove(this);
        result.complete(reply);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        result.completeExceptionally(new RtmpProtocolException("connection closed during the handshake"));
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        result.completeExceptionally(cause);
        ctx.fireExceptionCaught(cause);
    }
}
