package dev.vireo.media.bits;

import dev.vireo.media.MediaFormatException;

/**
 * MSB-first bit reader over a byte array (an RBSP, i.e. with emulation prevention already
 * removed), with the Exp-Golomb codes of H.264/H.265 (ITU-T H.264 §9.1) and AV1's uvlc/leb128.
 * Reading past the end throws {@link MediaFormatException}; nothing loops on bad data.
 */
public final class BitReader {

    private final byte[] data;
    private final int end;
    private long pos; // in bits
    private final String what;

    public BitReader(byte[] data, String what) {
        this(data, 0, data.length, what);
    }

    public BitReader(byte[] data, int offset, int length, String what) {
        this.data = data;
        this.end = offset + length;
        this.pos = (long) offset * 8;
        this.what = what;
    }

    public int bitsLeft() {
        return (int) ((long) end * 8 - pos);
    }

    public long bitPosition() {
        return pos;
    }

    private MediaFormatException overrun() {
        return new MediaFormatException("truncated " + what);
    }

    public boolean flag() {
        return bits(1) == 1;
    }

    /** Reads {@code n} (0..32) bits as an unsigned value. */
    public long bits(int n) {
        if (n < 0 || n > 32) {
            throw new IllegalArgumentException("bits " + n);
        }
        if (bitsLeft() < n) {
            throw overrun();
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            int b = data[(int) (pos >>> 3)] >>> (7 - (int) (pos & 7)) & 1;
            v = (v << 1) | b;
            pos++;
        }
        return v;
    }

    /** Reads {@code n} (0..31) bits as an int. */
    public int u(int n) {
        if (n > 31) {
            throw new IllegalArgumentException("u(" + n + ")");
        }
        return (int) bits(n);
    }

    public void skip(long n) {
        if (n < 0 || bitsLeft() < n) {
            throw overrun();
        }
        pos += n;
    }

    /** ue(v), H.264 §9.1; values needing more than 31 leading zeros are rejected. */
    public long ue() {
        int zeros = 0;
        while (bits(1) == 0) {
            if (++zeros > 31) {
                throw new MediaFormatException("Exp-Golomb code too long in " + what);
            }
        }
        return ((1L << zeros) - 1) + bits(zeros);
    }

    /** ue(v) that must not exceed {@code max} (a range the spec gives for the syntax element). */
    public int ue(int max, String element) {
        long v = ue();
        if (v > max) {
            throw new MediaFormatException(element + " = " + v + " exceeds " + max + " in " + what);
        }
        return (int) v;
    }

    /** se(v), H.264 §9.1.1. */
    public long se() {
        long k = ue();
        return (k & 1) != 0 ? (k + 1) / 2 : -(k / 2);
    }

    /** AV1 uvlc() (AV1 §4.10.3). */
    public long uvlc() {
        int zeros = 0;
        while (bits(1) == 0) {
            if (++zeros >= 32) {
                return (1L << 32) - 1;
            }
        }
        return bits(zeros) + (1L << zeros) - 1;
    }

    /** Whether RBSP data remains before rbsp_trailing_bits (H.264 §7.2 more_rbsp_data()). */
    public boolean moreRbspData() {
        if (bitsLeft() <= 0) {
            return false;
        }
        // the last 1 bit in the buffer is the stop bit
        int last = end - 1;
        while (last >= 0 && data[last] == 0) {
            last--;
        }
        if (last < 0) {
            return false;
        }
        long stopBit = (long) last * 8 + 7 - Integer.numberOfTrailingZeros(data[last] & 0xFF);
        return pos < stopBit;
    }
}
