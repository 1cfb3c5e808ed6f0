package dev.vireo.media.amf;

import io.netty.buffer.ByteBuf;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the AMF3 values that RTMP commands use (Adobe "AMF 3 Specification", 2013): undefined,
 * null, booleans, integers (returned as {@link Double}, like every number), doubles, strings
 * (with the string reference table), dates, XML (as text), arrays (a {@code List} when purely
 * dense, otherwise a {@code Map} of the associative part followed by the dense part keyed
 * {@code "0"}, {@code "1"}, ...) and objects with sealed and dynamic members (a {@code Map}).
 *
 * <p>Object references are rejected: commands do not need them, and accepting them would let a
 * few bytes describe a cyclic or exponentially shared graph. Byte arrays, vectors, dictionaries
 * and externalizable objects are rejected too. Each AMF3 value starts fresh reference tables,
 * as it does when reached from AMF0 through the avmplus-object marker (AMF0 §3.1).
 */
public final class Amf3Reader {

    // AMF3 §3.1 type markers
    private static final int UNDEFINED = 0x00;
    private static final int NULL = 0x01;
    private static final int FALSE = 0x02;
    private static final int TRUE = 0x03;
    private static final int INTEGER = 0x04;
    private static final int DOUBLE = 0x05;
    private static final int STRING = 0x06;
    private static final int XML_DOC = 0x07;
    private static final int DATE = 0x08;
    private static final int ARRAY = 0x09;
    private static final int OBJECT = 0x0A;
    private static final int XML = 0x0B;
    private static final int BYTE_ARRAY = 0x0C;

    private record Traits(boolean dynamic, List<String> sealedNames) {
    }

    private final AmfInput in;
    private final List<String> strings = new ArrayList<>();
    private final List<Traits> traits = new ArrayList<>();

    private Amf3Reader(AmfInput in) {
        this.in = in;
    }

    /** Reads one AMF3 value from the reader index of {@code buf}. */
    public static Object read(ByteBuf buf) {
        return new Amf3Reader(new AmfInput(buf)).value();
    }

    /** One AMF3 value inside an AMF0 read, sharing its limits. */
    static Object value(AmfInput in) {
        return new Amf3Reader(in).value();
    }

    private Object value() {
        in.countValue();
        int marker = in.u8("AMF3 type marker");
        return switch (marker) {
            case UNDEFINED, NULL -> null;
            case FALSE -> Boolean.FALSE;
            case TRUE -> Boolean.TRUE;
            case INTEGER -> {
                // AMF3 §3.6: U29 holding a 29-bit two's complement integer
                int v = u29();
                yield (double) ((v << 3) >> 3);
            }
            case DOUBLE -> in.f64("AMF3 double");
            case STRING -> string();
            case XML_DOC, XML -> {
                int ref = u29();
                if ((ref & 1) == 0) {
                    throw new AmfException("AMF3 object references are not supported");
                }
                yield in.utf8(ref >>> 1, "AMF3 XML");
            }
            case DATE -> {
                int ref = u29();
                if ((ref & 1) == 0) {
                    throw new AmfException("AMF3 object references are not supported");
                }
                double ms = in.f64("AMF3 date");
                if (!Double.isFinite(ms) || Math.abs(ms) > 8.64e15) {
                    throw new AmfException("AMF3 date out of range: " + ms);
                }
                yield Instant.ofEpochMilli((long) ms);
            }
            case ARRAY -> array();
            case OBJECT -> object();
            case BYTE_ARRAY -> throw new AmfException("AMF3 ByteArray is not supported");
            default -> throw new AmfException("unsupported AMF3 type marker 0x" + Integer.toHexString(marker));
        };
    }

    /** AMF3 §1.3.1 U29: 1 to 4 bytes, 7 bits per byte with a continuation bit, 8 in the 4th. */
    private int u29() {
        int result = 0;
        for (int i = 0; i < 3; i++) {
            int b = in.u8("AMF3 U29");
            result = (result << 7) | (b & 0x7F);
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        return (result << 8) | in.u8("AMF3 U29");
    }

    /** AMF3 §1.3.2 / §3.8 UTF-8-vr: an inline string (remembered unless empty) or a reference. */
    private String string() {
        int ref = u29();
        if ((ref & 1) == 0) {
            int index = ref >>> 1;
            if (index >= strings.size()) {
                throw new AmfException("AMF3 string reference " + index + " out of range ("
                        + strings.size() + " strings)");
            }
            return strings.get(index);
        }
        String s = in.utf8(ref >>> 1, "AMF3 string");
        if (!s.isEmpty()) {
            strings.add(s);
        }
        return s;
    }

    /** AMF3 §3.11: dense count, associative name/value pairs up to an empty name, dense values. */
    private Object array() {
        int ref = u29();
        if ((ref & 1) == 0) {
            throw new AmfException("AMF3 object references are not supported");
        }
        int dense = in.checkCount(ref >>> 1, 1, "AMF3 array");
        in.enter();
        Map<String, Object> assoc = new LinkedHashMap<>();
        for (String key = string(); !key.isEmpty(); key = string()) {
            if (assoc.size() >= AmfInput.MAX_ENTRIES) {
                throw new AmfException("AMF3 array has more than " + AmfInput.MAX_ENTRIES + " entries");
            }
            assoc.put(key, value());
        }
        List<Object> list = new ArrayList<>(Math.min(dense, 16));
        for (int i = 0; i < dense; i++) {
            list.add(value());
        }
        in.exit();
        if (assoc.isEmpty()) {
            return list;
        }
        if (assoc.size() + dense > AmfInput.MAX_ENTRIES) {
            throw new AmfException("AMF3 array has more than " + AmfInput.MAX_ENTRIES + " entries");
        }
        for (int i = 0; i < dense; i++) {
            assoc.put(Integer.toString(i), list.get(i));
        }
        return assoc;
    }

    /** AMF3 §3.12: traits (inline or by reference), sealed member values, dynamic members. */
    private Map<String, Object> object() {
        int ref = u29();
        if ((ref & 1) == 0) {
            throw new AmfException("AMF3 object references are not supported");
        }
        Traits t;
        if ((ref & 2) == 0) {
            int index = ref >>> 2;
            if (index >= traits.size()) {
                throw new AmfException("AMF3 traits reference " + index + " out of range ("
                        + traits.size() + " traits)");
            }
            t = traits.get(index);
        } else if ((ref & 4) != 0) {
            throw new AmfException("AMF3 externalizable objects are not supported");
        } else {
            boolean dynamic = (ref & 8) != 0;
            int sealed = in.checkCount(ref >>> 4, 1, "AMF3 object traits");
            string(); // class name: objects are read as maps
            List<String> names = new ArrayList<>(Math.min(sealed, 16));
            for (int i = 0; i < sealed; i++) {
                names.add(string());
            }
            if (traits.size() >= AmfInput.MAX_ENTRIES) {
                throw new AmfException("more than " + AmfInput.MAX_ENTRIES + " AMF3 traits");
            }
            t = new Traits(dynamic, names);
            traits.add(t);
        }
        in.enter();
        Map<String, Object> map = new LinkedHashMap<>();
        for (String name : t.sealedNames()) {
            map.put(name, value());
        }
        if (t.dynamic()) {
            for (String key = string(); !key.isEmpty(); key = string()) {
                if (map.size() >= AmfInput.MAX_ENTRIES) {
                    throw new AmfException("AMF3 object has more than " + AmfInput.MAX_ENTRIES + " members");
                }
                map.put(key, value());
            }
        }
        in.exit();
        return map;
    }
}
