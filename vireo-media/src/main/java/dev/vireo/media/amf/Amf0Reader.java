package dev.vireo.media.amf;

import io.netty.buffer.ByteBuf;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads AMF0 values (Adobe "Action Message Format -- AMF 0", 2007) as plain Java values:
 * {@link Double}, {@link Boolean}, {@link String}, {@code Map<String,Object>} (a
 * {@link LinkedHashMap}, for anonymous, typed and ECMA-array objects), {@code List<Object>}
 * (strict arrays), {@code null} (null, undefined, unsupported) and {@link Instant} (dates).
 * An avmplus-object marker switches to AMF3 for one value ({@link Amf3Reader}).
 *
 * <p>Values are read from the reader index of the buffer, which is advanced; the buffer is not
 * released. Malformed or over-limit input raises {@link AmfException}, nothing else.
 */
public final class Amf0Reader {

    // AMF0 §2.1 type markers
    static final int NUMBER = 0x00;
    static final int BOOLEAN = 0x01;
    static final int STRING = 0x02;
    static final int OBJECT = 0x03;
    static final int MOVIECLIP = 0x04;
    static final int NULL = 0x05;
    static final int UNDEFINED = 0x06;
    static final int REFERENCE = 0x07;
    static final int ECMA_ARRAY = 0x08;
    static final int OBJECT_END = 0x09;
    static final int STRICT_ARRAY = 0x0A;
    static final int DATE = 0x0B;
    static final int LONG_STRING = 0x0C;
    static final int UNSUPPORTED = 0x0D;
    static final int RECORDSET = 0x0E;
    static final int XML_DOCUMENT = 0x0F;
    static final int TYPED_OBJECT = 0x10;
    static final int AVMPLUS_OBJECT = 0x11;

    private final AmfInput in;

    private Amf0Reader(AmfInput in) {
        this.in = in;
    }

    /** Reads one AMF0 value. */
    public static Object read(ByteBuf in) {
        return new Amf0Reader(new AmfInput(in)).value();
    }

    /** Reads AMF0 values until the buffer has no readable bytes left. */
    public static List<Object> readAll(ByteBuf in) {
        Amf0Reader reader = new Amf0Reader(new AmfInput(in));
        List<Object> values = new ArrayList<>();
        while (in.isReadable()) {
            values.add(reader.value());
        }
        return values;
    }

    private Object value() {
        in.countValue();
        int marker = in.u8("type marker");
        return switch (marker) {
            case NUMBER -> in.f64("number");
            case BOOLEAN -> in.u8("boolean") != 0;
            case STRING -> in.utf8(in.u16("string length"), "string");
            case LONG_STRING, XML_DOCUMENT -> in.utf8(in.u32("long string length"), "long string");
            case NULL, UNDEFINED, UNSUPPORTED -> null;
            case OBJECT -> properties(new LinkedHashMap<>(), 0, "object");
            case TYPED_OBJECT -> {
                // AMF0 §2.18: class-name then anonymous-object properties; the class is dropped.
                in.skip(in.u16("class name length"), "class name");
                yield properties(new LinkedHashMap<>(), 0, "typed object");
            }
            case ECMA_ARRAY -> {
                // AMF0 §2.10: the associative count is only a hint (many encoders write 0), so it is
                // bounded but not trusted; the entries end with the object-end marker.
                long hint = in.u32("ECMA array count");
                if (hint > AmfInput.MAX_ENTRIES) {
                    throw new AmfException("ECMA array claims " + hint + " entries (limit "
                            + AmfInput.MAX_ENTRIES + ")");
                }
                yield properties(new LinkedHashMap<>(), (int) hint, "ECMA array");
            }
            case STRICT_ARRAY -> strictArray();
            case DATE -> {
                // AMF0 §2.13: milliseconds since the epoch (UTC) and a reserved time zone.
                double ms = in.f64("date");
                in.s16("date time zone");
                if (!Double.isFinite(ms) || Math.abs(ms) > 8.64e15) {
                    throw new AmfException("AMF0 date out of range: " + ms);
                }
                yield Instant.ofEpochMilli((long) ms);
            }
            case AVMPLUS_OBJECT -> Amf3Reader.value(in);
            case OBJECT_END -> throw new AmfException("unexpected AMF0 object-end marker");
            case REFERENCE -> throw new AmfException("AMF0 references are not supported");
            case MOVIECLIP, RECORDSET -> throw new AmfException(
                    "reserved AMF0 type marker 0x" + Integer.toHexString(marker));
            default -> throw new AmfException("unknown AMF0 type marker 0x" + Integer.toHexString(marker));
        };
    }

    /** AMF0 §2.5 object-property list, terminated by an empty name and the object-end marker. */
    private Map<String, Object> properties(Map<String, Object> map, int countHint, String what) {
        in.enter();
        while (true) {
            if (!in.isReadable() && countHint > 0 && map.size() >= countHint) {
                // Some encoders end an ECMA array at the end of the message without the
                // object-end marker; the count it declared is then all we get.
                break;
            }
            String key = in.utf8(in.u16(what + " key length"), what + " key");
            if (key.isEmpty() && in.isReadable() && in.peekU8() == OBJECT_END) {
                in.u8("object end");
                break;
            }
            if (map.size() >= AmfInput.MAX_ENTRIES) {
                throw new AmfException(what + " has more than " + AmfInput.MAX_ENTRIES + " entries");
            }
            map.put(key, value());
        }
        in.exit();
        return map;
    }

    /** AMF0 §2.12: a count followed by that many values. */
    private List<Object> strictArray() {
        int count = in.checkCount(in.u32("strict array count"), 1, "strict array");
        in.enter();
        List<Object> list = new ArrayList<>(Math.min(count, 16));
        for (int i = 0; i < count; i++) {
            list.add(value());
        }
        in.exit();
        return list;
    }
}
