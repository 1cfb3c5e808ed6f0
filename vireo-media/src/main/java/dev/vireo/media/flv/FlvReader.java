package dev.vireo.media.flv;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * Incremental FLV stream reader: feed it the accumulated bytes of a file or HTTP-FLV response
 * and take tags out as they complete. Tag bodies are bounded ({@link #DEFAULT_MAX_TAG_SIZE} by
 * default), and encrypted (filtered) tags and unknown tag types are rejected.
 */
public final class FlvReader {

    public static final int DEFAULT_MAX_TAG_SIZE = 16 << 20;

    private final int maxTagSize;
    private FlvHeader header;

    public FlvReader() {
        this(DEFAULT_MAX_TAG_SIZE);
    }

    public FlvReader(int maxTagSize) {
        if (maxTagSize <= 0) {
            throw new IllegalArgumentException("maxTagSize " + maxTagSize);
        }
        this.maxTagSize = maxTagSize;
    }

    /** The file header, once read. */
    public FlvHeader header() {
        return header;
    }

    /**
     * Reads the next complete tag from {@code in}, or returns {@code null} (consuming nothing of
     * a partial tag) when more bytes are needed. The first call(s) consume the file header. The
     * returned tag holds a retained slice of {@code in}: release it, and do not compact
     * ({@code discardReadBytes}) {@code in} while tags are alive, which would move bytes under them
     * (Netty's ByteToMessageDecoder applies the same rule: only when {@code refCnt() == 1}).
     *
     * @throws FlvException on a malformed stream (the reader is then unusable)
     */
    public FlvTag next(ByteBuf in) {
        if (header == null) {
            header = FlvHeader.read(in);
            if (header == null) {
                return null;
            }
        }
        if (in.readableBytes() < FlvTag.HEADER_SIZE) {
            return null;
        }
        int start = in.readerIndex();
        int typeByte = in.getUnsignedByte(start);
        if ((typeByte & 0x20) != 0) {
            throw new FlvException("encrypted (filtered) FLV tags are not supported");
        }
        int type = typeByte & 0x1F;
        if (type != FlvTag.AUDIO && type != FlvTag.VIDEO && type != FlvTag.SCRIPT_DATA) {
            throw new FlvException("unknown FLV tag type " + type + " at offset " + start);
        }
        int size = in.getUnsignedMedium(start + 1);
        if (size > maxTagSize) {
            throw new FlvException("FLV tag of " + size + " bytes exceeds the limit of " + maxTagSize);
        }
        if (in.readableBytes() < FlvTag.size(size)) {
            return null;
        }
        long timestamp = in.getUnsignedMedium(start + 4) | ((long) in.getUnsignedByte(start + 7) << 24);
        in.skipBytes(FlvTag.HEADER_SIZE);
        ByteBuf body = in.readRetainedSlice(size);
        in.skipBytes(4); // PreviousTagSize: redundant, and wrong in enough files not to enforce
        return new FlvTag(type, timestamp, body);
    }

    /** Reads every tag of a complete FLV file; the caller releases the tags. */
    public static List<FlvTag> readAll(ByteBuf file) {
        FlvReader reader = new FlvReader();
        List<FlvTag> tags = new ArrayList<>();
        try {
            for (FlvTag tag = reader.next(file); tag != null; tag = reader.next(file)) {
                tags.add(tag);
            }
            if (file.isReadable()) {
                throw new FlvException("truncated FLV file: " + file.readableBytes() + " trailing bytes");
            }
        } catch (RuntimeException e) {
            tags.forEach(ReferenceCountUtil::release);
            throw e;
        }
        return tags;
    }
}
