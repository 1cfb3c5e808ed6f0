package dev.vireo.media.flv;

import dev.vireo.media.BufferOwner;
import io.netty.buffer.ByteBuf;

/**
 * One FLV tag (FLV v10.1 §E.4.1): type, 32-bit millisecond time stamp and body. A tag from
 * {@link FlvReader} owns its body (a retained slice): release the tag when done.
 */
public record FlvTag(int type, long timestamp, ByteBuf body) implements BufferOwner<FlvTag> {

    public static final int AUDIO = 8;
    public static final int VIDEO = 9;
    public static final int SCRIPT_DATA = 18;

    /** Bytes of the tag header. */
    public static final int HEADER_SIZE = 11;
    /** Largest body a tag can carry: DataSize is UI24. */
    public static final int MAX_DATA_SIZE = 0xFFFFFF;

    /**
     * Writes the 11-byte tag header: TagType (no filter), DataSize UI24, Timestamp UI24 +
     * TimestampExtended UI8 (the upper 8 bits), StreamID UI24 = 0.
     */
    public static void writeHeader(ByteBuf out, int type, int dataSize, long timestamp) {
        if (dataSize < 0 || dataSize > MAX_DATA_SIZE) {
            throw new IllegalArgumentException("FLV tag data size " + dataSize + " out of range");
        }
        out.writeByte(type);
        out.writeMedium(dataSize);
        out.writeMedium((int) timestamp & 0xFFFFFF);
        out.writeByte((int) (timestamp >>> 24) & 0xFF);
        out.writeMedium(0);
    }

    /** Writes a complete tag: header, body (not consumed, not released) and PreviousTagSize. */
    public static void write(ByteBuf out, int type, long timestamp, ByteBuf body) {
        int size = body.readableBytes();
        writeHeader(out, type, size, timestamp);
        out.writeBytes(body, body.readerIndex(), size);
        out.writeInt(HEADER_SIZE + size);
    }

    /** Bytes of a complete tag (header + body + PreviousTagSize) with a body of {@code dataSize}. */
    public static int size(int dataSize) {
        return HEADER_SIZE + dataSize + 4;
    }

    /** The body buffer carries this FlvTag's reference count ({@link BufferOwner}). */
    @Override
    public ByteBuf countedBuffer() {
        return body;
    }
}
