package dev.vireo.media.flv;

import io.netty.buffer.ByteBuf;

/** The FLV file header (FLV v10.1 §E.2): signature, version 1, audio/video flags, data offset. */
public record FlvHeader(boolean hasAudio, boolean hasVideo) {

    /** Bytes of the header proper. */
    public static final int SIZE = 9;
    /** Bytes a stream starts with: the header and PreviousTagSize0 (always 0). */
    public static final int SIZE_WITH_PREVIOUS_TAG_SIZE = SIZE + 4;

    /** Writes the header followed by PreviousTagSize0, as every FLV stream starts. */
    public void write(ByteBuf out) {
        out.writeByte('F').writeByte('L').writeByte('V').writeByte(1);
        out.writeByte((hasAudio ? 0x04 : 0) | (hasVideo ? 0x01 : 0));
        out.writeInt(SIZE);
        out.writeInt(0);
    }

    /**
     * Reads the header and skips to the first tag (DataOffset, then PreviousTagSize0). Returns
     * {@code null}, consuming nothing, when fewer bytes than that are readable.
     */
    public static FlvHeader read(ByteBuf in) {
        int start = in.readerIndex();
        if (in.readableBytes() < SIZE) {
            return null;
        }
        if (in.getByte(start) != 'F' || in.getByte(start + 1) != 'L' || in.getByte(start + 2) != 'V') {
            throw new FlvException("not an FLV stream: bad signature");
        }
        int version = in.getUnsignedByte(start + 3);
        if (version != 1) {
            throw new FlvException("unsupported FLV version " + version);
        }
        int flags = in.getUnsignedByte(start + 4);
        long dataOffset = in.getUnsignedInt(start + 5);
        if (dataOffset < SIZE || dataOffset > 1024) {
            throw new FlvException("implausible FLV header DataOffset " + dataOffset);
        }
        if (in.readableBytes() < dataOffset + 4) {
            return null;
        }
        in.skipBytes((int) dataOffset + 4);
        return new FlvHeader((flags & 0x04) != 0, (flags & 0x01) != 0);
    }
}
