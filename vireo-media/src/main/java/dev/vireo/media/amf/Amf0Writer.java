package dev.vireo.media.amf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Writes Java values as AMF0: {@link Number} as number, {@link Boolean}, {@link CharSequence} as
 * string (long string when longer than 65535 UTF-8 bytes), {@link Map} as anonymous object,
 * {@link AmfEcmaArray} as ECMA array, {@link List} as strict array, {@link Instant} as date and
 * {@code null} as null. Anything else is a programming error ({@link IllegalArgumentException}).
 */
public final class Amf0Writer {

    private static final int MAX_SHORT_STRING = 0xFFFF;

    private Amf0Writer() {
    }

    public static void writeAll(ByteBuf out, Object... values) {
        for (Object v : values) {
            write(out, v);
        }
    }

    public static void write(ByteBuf out, Object value) {
        switch (value) {
            case null -> out.writeByte(Amf0Reader.NULL);
            case Number n -> out.writeByte(Amf0Reader.NUMBER).writeDouble(n.doubleValue());
            case Boolean b -> out.writeByte(Amf0Reader.BOOLEAN).writeByte(b ? 1 : 0);
            case CharSequence s -> {
                int len = ByteBufUtil.utf8Bytes(s);
                if (len > MAX_SHORT_STRING) {
                    out.writeByte(Amf0Reader.LONG_STRING).writeInt(len);
                } else {
                    out.writeByte(Amf0Reader.STRING).writeShort(len);
                }
                ByteBufUtil.reserveAndWriteUtf8(out, s, len);
            }
            case Map<?, ?> m -> {
                out.writeByte(Amf0Reader.OBJECT);
                properties(out, m);
            }
            case AmfEcmaArray a -> {
                out.writeByte(Amf0Reader.ECMA_ARRAY).writeInt(a.entries().size());
                properties(out, a.entries());
            }
            case List<?> l -> {
                out.writeByte(Amf0Reader.STRICT_ARRAY).writeInt(l.size());
                for (Object v : l) {
                    write(out, v);
                }
            }
            case Instant t -> out.writeByte(Amf0Reader.DATE).writeDouble(t.toEpochMilli()).writeShort(0);
            default -> throw new IllegalArgumentException("no AMF0 encoding for " + value.getClass().getName());
        }
    }

    /** Writes a property name (UTF-8-empty form, no marker) as used by objects. */
    private static void key(ByteBuf out, String key) {
        int len = ByteBufUtil.utf8Bytes(key);
        if (len > MAX_SHORT_STRING) {
            throw new IllegalArgumentException("AMF0 property name longer than 65535 bytes");
        }
        out.writeShort(len);
        ByteBufUtil.reserveAndWriteUtf8(out, key, len);
    }

    private static void properties(ByteBuf out, Map<?, ?> map) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            key(out, String.valueOf(e.getKey()));
            write(out, e.getValue());
        }
        out.writeShort(0).writeByte(Amf0Reader.OBJECT_END);
    }
}
