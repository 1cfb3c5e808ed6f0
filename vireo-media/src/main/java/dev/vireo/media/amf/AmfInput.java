package dev.vireo.media.amf;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * A bounded cursor over untrusted AMF bytes, shared by the AMF0 and AMF3 readers of one read
 * call. Every primitive read checks the readable bytes first, and the nesting depth and value
 * count are capped, so a hostile message (an "AMF bomb") fails fast with {@link AmfException}
 * and costs at most a small, bounded allocation.
 */
final class AmfInput {

    /** Deepest nesting of objects/arrays accepted. */
    static final int MAX_DEPTH = 32;
    /** Most entries in one object, ECMA array, strict array or AMF3 array/object. */
    static final int MAX_ENTRIES = 4096;
    /** Most values (at any depth) in one read call. */
    static final int MAX_VALUES = 65_536;

    final ByteBuf in;
    private int depth;
    private int values;

    AmfInput(ByteBuf in) {
        this.in = in;
    }

    /** Counts one value against the per-call budget. */
    void countValue() {
        if (++values > MAX_VALUES) {
            throw new AmfException("more than " + MAX_VALUES + " AMF values in one message");
        }
    }

    void enter() {
        if (++depth > MAX_DEPTH) {
            throw new AmfException("AMF nesting deeper than " + MAX_DEPTH);
        }
    }

    void exit() {
        depth--;
    }

    /**
     * Checks a count read from the wire: at most {@link #MAX_ENTRIES}, and at most the readable
     * bytes (each entry takes at least {@code minBytesEach} bytes), so no allocation is sized by
     * an unchecked length.
     */
    int checkCount(long count, int minBytesEach, String what) {
        if (count < 0 || count > MAX_ENTRIES) {
            throw new AmfException(what + " claims " + count + " entries (limit " + MAX_ENTRIES + ")");
        }
        if (count * minBytesEach > in.readableBytes()) {
            throw new AmfException(what + " claims " + count + " entries but only "
                    + in.readableBytes() + " bytes remain");
        }
        return (int) count;
    }

    boolean isReadable() {
        return in.isReadable();
    }

    private void need(int n, String what) {
        if (in.readableBytes() < n) {
            throw new AmfException("truncated AMF " + what + ": need " + n + " bytes, have "
                    + in.readableBytes());
        }
    }

    int u8(String what) {
        need(1, what);
        return in.readUnsignedByte();
    }

    int peekU8() {
        return in.getUnsignedByte(in.readerIndex());
    }

    int u16(String what) {
        need(2, what);
        return in.readUnsignedShort();
    }

    short s16(String what) {
        need(2, what);
        return in.readShort();
    }

    long u32(String what) {
        need(4, what);
        return in.readUnsignedInt();
    }

    double f64(String what) {
        need(8, what);
        return in.readDouble();
    }

    /** UTF-8 text of a wire length; the length is bounded by the bytes actually present. */
    String utf8(long length, String what) {
        if (length > in.readableBytes()) {
            throw new AmfException("truncated AMF " + what + ": length " + length + ", "
                    + in.readableBytes() + " bytes remain");
        }
        int n = (int) length;
        String s = in.toString(in.readerIndex(), n, StandardCharsets.UTF_8);
        in.skipBytes(n);
        return s;
    }

    void skip(long length, String what) {
        if (length > in.readableBytes()) {
            throw new AmfException("truncated AMF " + what + ": length " + length + ", "
                    + in.readableBytes() + " bytes remain");
        }
        in.skipBytes((int) length);
    }
}
