package dev.vireo.media;

import java.io.ByteArrayOutputStream;

/** MSB-first bit writer for crafting test bitstreams. */
public final class BitWriter {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private int current;
    private int bits;

    public BitWriter u(int n, long value) {
        for (int i = n - 1; i >= 0; i--) {
            current = (current << 1) | (int) ((value >>> i) & 1);
            if (++bits == 8) {
                out.write(current);
                current = 0;
                bits = 0;
            }
        }
        return this;
    }

    public BitWriter ue(long value) {
        long v = value + 1;
        int len = 64 - Long.numberOfLeadingZeros(v);
        u(len - 1, 0);
        return u(len, v);
    }

    public BitWriter se(long value) {
        return ue(value <= 0 ? -2 * value : 2 * value - 1);
    }

    /** Pads with zero bits to a byte boundary. */
    public byte[] toBytes() {
        while (bits != 0) {
            u(1, 0);
        }
        return out.toByteArray();
    }

    /** rbsp_trailing_bits then pad. */
    public byte[] toRbsp() {
        u(1, 1);
        return toBytes();
    }
}
