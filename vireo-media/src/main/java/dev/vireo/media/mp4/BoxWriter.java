package dev.vireo.media.mp4;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Writes ISO/IEC 14496-12 boxes into a buffer: {@link #open} writes a size placeholder and the
 * type, {@link #close} patches the size once the body is written (§4.2: 32-bit size, then the
 * four-character type; a FullBox adds version and 24-bit flags). Boxes nest by nesting the calls.
 */
final class BoxWriter {

    private BoxWriter() {
    }

    /** Starts a box; returns its start offset for {@link #close}. */
    static int open(ByteBuf out, String type) {
        int start = out.writerIndex();
        out.writeInt(0);
        out.writeBytes(fourCc(type));
        return start;
    }

    /** Starts a FullBox (§4.2: version 8 bits, flags 24 bits). */
    static int openFull(ByteBuf out, String type, int version, int flags) {
        int start = open(out, type);
        out.writeInt((version << 24) | (flags & 0xFFFFFF));
        return start;
    }

    /** Ends the box started at {@code start}: writes its size. */
    static void close(ByteBuf out, int start) {
        out.setInt(start, out.writerIndex() - start);
    }

    static byte[] fourCc(String type) {
        byte[] b = type.getBytes(StandardCharsets.ISO_8859_1);
        if (b.length != 4) {
            throw new IllegalArgumentException("box type must be four characters: " + type);
        }
        return b;
    }

    /** A 3x3 transformation matrix, the identity (§8.2.2 mvhd, §8.3.2 tkhd). */
    static void writeUnityMatrix(ByteBuf out) {
        int[] m = {0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000};
        for (int v : m) {
            out.writeInt(v);
        }
    }
}
