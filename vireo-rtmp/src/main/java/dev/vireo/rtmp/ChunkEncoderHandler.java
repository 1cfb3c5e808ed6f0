package dev.vireo.rtmp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Writes {@link RtmpMessage}s as chunks. When it writes a Set Chunk Size, the new size applies from
 * the next message on (RTMP spec §5.4.1), in write order. Pre-chunked buffers (shared media chunks)
 * pass through untouched.
 */
final class ChunkEncoderHandler extends MessageToByteEncoder<RtmpMessage> {

    private final ChunkEncoder encoder = new ChunkEncoder();

    ChunkEncoderHandler() {
        super(RtmpMessage.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, RtmpMessage msg, ByteBuf out) {
        encoder.encode(msg, out);
        if (msg.typeId() == MessageType.SET_CHUNK_SIZE && msg.length() >= 4) {
            encoder.chunkSize(msg.payload().getInt(msg.payload().readerIndex()));
        }
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, RtmpMessage msg, boolean preferDirect) {
        int size = ChunkEncoder.encodedLength(msg.chunkStreamId(), msg.timestamp(), msg.length(), encoder.chunkSize());
        return preferDirect ? ctx.alloc().ioBuffer(size) : ctx.alloc().heapBuffer(size);
    }
}
