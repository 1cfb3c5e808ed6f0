package dev.vireo.rtmp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Turns the byte stream after the handshake into {@link RtmpMessage}s with a {@link ChunkDecoder},
 * and acknowledges received bytes whenever the peer's announced window is crossed (RTMP spec
 * §5.4.3, §5.4.4). Sits after {@link ChunkEncoderHandler} so its acknowledgements are chunked.
 */
final class ChunkDecoderHandler extends ByteToMessageDecoder {

    private final ChunkDecoder.Limits limits;
    private ChunkDecoder decoder;
    private long bytesReceived;
    private long lastAcked;
    /** 0 until the peer sends Window Acknowledgement Size: no acknowledgements before that. */
    private long ackWindow;

    ChunkDecoderHandler(ChunkDecoder.Limits limits) {
        this.limits = limits;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        decoder = new ChunkDecoder(ctx.alloc(), limits);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof ByteBuf b) {
            bytesReceived += b.readableBytes();
        }
        super.channelRead(ctx, msg);
        if (ackWindow > 0 && bytesReceived - lastAcked >= ackWindow && ctx.channel().isActive()) {
            lastAcked = bytesReceived;
            ctx.writeAndFlush(ProtocolControl.acknowledgement(ctx.alloc(), bytesReceived));
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int before = out.size();
        decoder.decode(in, out);
        for (int i = before; i < out.size(); i++) {
            if (out.get(i) instanceof RtmpMessage m && m.typeId() == MessageType.WINDOW_ACK_SIZE) {
                ackWindow = ProtocolControl.readUnsignedInt(m, "Window Acknowledgement Size");
            }
        }
    }

    long bytesReceived() {
        return bytesReceived;
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (decoder != null) {
            decoder.release();
        }
    }
}
