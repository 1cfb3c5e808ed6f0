package dev.vireo.rtmp;

import io.netty.buffer.ByteBuf;

/**
 * Splits RTMP messages into chunks (RTMP spec §5.3). Every message starts with a type-0 chunk
 * carrying the absolute timestamp, followed by type-3 continuation chunks; the server never relies
 * on header compression across messages, so any number of writers (control messages, commands,
 * pre-chunked shared media) can interleave whole messages on one connection without shared state.
 * No sockets, no threads.
 */
final class ChunkEncoder {

    private int chunkSize = ChunkHeader.DEFAULT_CHUNK_SIZE;

    int chunkSize() {
        return chunkSize;
    }

    /** The chunk size announced to the peer with Set Chunk Size; applies to the next message. */
    void chunkSize(int size) {
        if (size < 1 || size > 0x7FFF_FFFF) {
            throw new IllegalArgumentException("chunk size out of range: " + size);
        }
        this.chunkSize = size;
    }

    void encode(RtmpMessage msg, ByteBuf out) {
        ByteBuf p = msg.payload();
        writeChunks(out, msg.chunkStreamId(), msg.typeId(), msg.timestamp(), msg.messageStreamId(),
                p, p.readerIndex(), p.readableBytes(), chunkSize);
    }

    /** Exact number of bytes {@link #writeChunks} produces. */
    static int encodedLength(int csid, long timestamp, int length, int chunkSize) {
        int chunks = length == 0 ? 1 : (length + chunkSize - 1) / chunkSize;
        int basic = ChunkHeader.basicHeaderLength(csid);
        int ext = (timestamp & 0xFFFF_FFFFL) >= ChunkHeader.EXTENDED_TIMESTAMP ? 4 : 0;
        // One type-0 header, then (chunks - 1) type-3 headers; the extended timestamp repeats on
        // each continuation chunk (RTMP spec §5.3.1.3).
        return basic + 11 + ext + (chunks - 1) * (basic + ext) + length;
    }

    /**
     * Writes one message as a type-0 chunk plus type-3 continuations of {@code chunkSize} bytes.
     * Does not move {@code payload}'s reader index.
     */
    static void writeChunks(ByteBuf out, int csid, int typeId, long timestamp, int messageStreamId,
                            ByteBuf payload, int from, int length, int chunkSize) {
        if (length > 0xFFFFFF) {
            // The message length field has 24 bits (RTMP spec §5.3.1.2.1).
            throw new IllegalArgumentException("RTMP message of " + length + " bytes exceeds 16 MiB - 1");
        }
        long ts = timestamp & 0xFFFF_FFFFL;
        boolean extended = ts >= ChunkHeader.EXTENDED_TIMESTAMP;
        out.ensureWritable(encodedLength(csid, ts, length, chunkSize));
        // RTMP spec §5.3.1.2.1: type 0 = timestamp(3) length(3) type(1) stream id(4, little endian).
        ChunkHeader.writeBasicHeader(out, ChunkHeader.FMT_FULL, csid);
        out.writeMedium(extended ? ChunkHeader.EXTENDED_TIMESTAMP : (int) ts);
        out.writeMedium(length);
        out.writeByte(typeId);
        out.writeIntLE(messageStreamId);
        if (extended) {
            out.writeInt((int) ts);
        }
        int offset = 0;
        while (true) {
            int n = Math.min(chunkSize, length - offset);
            out.writeBytes(payload, from + offset, n);
            offset += n;
            if (offset >= length) {
                break;
            }
            ChunkHeader.writeBasicHeader(out, ChunkHeader.FMT_CONTINUATION, csid);
            if (extended) {
                out.writeInt((int) ts);
            }
        }
    }
}
