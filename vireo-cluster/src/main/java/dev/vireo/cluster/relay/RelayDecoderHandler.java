package dev.vireo.cluster.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Cuts the TCP byte stream into {@link RelayMessage}s with {@link RelayFrameReader}. Starts
 * with the handshake limits; the session raises them once the peer is authenticated.
 */
final class RelayDecoderHandler extends ByteToMessageDecoder {

    private RelayLimits limits = RelayLimits.HANDSHAKE;

    void limits(RelayLimits l) {
        this.limits = l;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        RelayMessage m;
        while ((m = RelayFrameReader.read(in, limits)) != null) {
            out.add(m);
        }
    }
}
