package dev.vireo.media.mp4;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A minimal ISO BMFF box reader for the tests: the boxes at a level, and paths into them. */
record Boxes(String type, int start, int size, ByteBuf file) {

    /** Box types whose body holds child boxes (after a fixed header of {@code skip} bytes). */
    static int childOffset(String type) {
        return switch (type) {
            case "moov", "trak", "mdia", "minf", "dinf", "stbl", "mvex", "moof", "traf" -> 8;
            case "stsd" -> 16;
            case "avc1", "hvc1", "av01" -> 8 + 78;
            case "mp4a", "Opus" -> 8 + 28;
            default -> -1;
        };
    }

    static List<Boxes> level(ByteBuf file, int from, int to) {
        List<Boxes> out = new ArrayList<>();
        int i = from;
        while (i < to) {
            int size = file.getInt(i);
            if (size < 8 || i + size > to) {
                throw new AssertionError("bad box size " + size + " at " + i);
            }
            String type = file.toString(i + 4, 4, StandardCharsets.ISO_8859_1);
            out.add(new Boxes(type, i, size, file));
            i += size;
        }
        if (i != to) {
            throw new AssertionError("boxes overrun their parent at " + i);
        }
        return out;
    }

    static List<Boxes> top(ByteBuf file) {
        return level(file, file.readerIndex(), file.writerIndex());
    }

    List<Boxes> children() {
        int off = childOffset(type);
        if (off < 0) {
            throw new AssertionError(type + " has no children here");
        }
        return level(file, start + off, start + size);
    }

    /** The first box at a path below this one ("mdia/minf/stbl"). */
    Boxes at(String path) {
        Boxes b = this;
        for (String t : path.split("/")) {
            b = b.children().stream().filter(c -> c.type.equals(t)).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + t + " in " + path));
        }
        return b;
    }

    /** The box body after its 8-byte header. */
    byte[] body() {
        byte[] b = new byte[size - 8];
        file.getBytes(start + 8, b);
        return b;
    }

    int intAt(int offsetInBox) {
        return file.getInt(start + offsetInBox);
    }
}
