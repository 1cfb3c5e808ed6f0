package dev.vireo.rtmp;

import io.netty.buffer.ByteBuf;

/** Constants and the basic header of the RTMP chunk format (RTMP spec §5.3.1). */
final class ChunkHeader {

    /** Largest chunk stream id the 3-byte basic header can carry (RTMP spec §5.3.1.1). */
    static final int MAX_CSID = 65599;
    /** Chunk size every RTMP connection starts with in both directions (RTMP spec §5.4.1). */
    static final int DEFAULT_CHUNK_SIZE = 128;
    /** Timestamp field value that announces an extended timestamp (RTMP spec §5.3.1.3). */
    static final int EXTENDED_TIMESTAMP = 0xFFFFFF;

    static final int FMT_FULL = 0;
    static final int FMT_SAME_STREAM = 1;
    static final int FMT_TIMESTAMP_ONLY = 2;
    static final int FMT_CONTINUATION = 3;

    private ChunkHeader() {
    }

    /** Writes the basic header: 1, 2 or 3 bytes depending on the csid (RTMP spec §5.3.1.1). */
    static void writeBasicHeader(ByteBuf out, int fmt, int csid) {
        if (csid < 64) {
            out.writeByte(fmt << 6 | csid);
        } else if (csid < 320) {
            out.writeByte(fmt << 6);
            out.writeByte(csid - 64);
        } else {
            out.writeByte(fmt << 6 | 1);
            int v = csid - 64;
            out.writeByte(v & 0xFF);
            out.writeByte(v >>> 8);
        }
    }

    static int basicHeaderLength(int csid) {
        return csid < 64 ? 1 : csid < 320 ? 2 : 3;
    }

    /** Size of the message header for a chunk format (RTMP spec §5.3.1.2). */
    static int messageHeaderLength(int fmt) {
        return switch (fmt) {
            case FMT_FULL -> 11;
            case FMT_SAME_STREAM -> 7;
            case FMT_TIMESTAMP_ONLY -> 3;
            default -> 0;
        };
    }
}
