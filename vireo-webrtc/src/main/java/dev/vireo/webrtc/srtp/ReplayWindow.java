package dev.vireo.webrtc.srtp;

/**
 * The replay list of RFC 3711 §3.3.2: a sliding window of the last {@code size} packet indices
 * (a bitmap in a ring indexed by index mod size). An index above the highest seen is new; one
 * more than {@code size - 1} below it is too old; others are replays when their bit is set.
 */
final class ReplayWindow {

    private final long[] bits;
    private final int size;
    private long top = -1; // highest accepted index, -1 before the first

    ReplayWindow(int size) {
        if (size <= 0 || size % 64 != 0) {
            throw new IllegalArgumentException("replay window size " + size + " is not a positive multiple of 64");
        }
        this.size = size;
        this.bits = new long[size / 64];
    }

    /** Whether {@code index} may be accepted (neither replayed nor too old). Does not record it. */
    boolean check(long index) {
        if (index > top) {
            return true;
        }
        if (top - index >= size) {
            return false;
        }
        int pos = (int) (index % size);
        return (bits[pos >>> 6] & 1L << pos) == 0;
    }

    /** Records {@code index} as received; call only after the packet authenticated. */
    void accept(long index) {
        if (index > top) {
            long advance = top < 0 ? size : index - top;
            if (advance >= size) {
                java.util.Arrays.fill(bits, 0);
            } else {
                for (long i = top + 1; i < index; i++) {
                    int pos = (int) (i % size);
                    bits[pos >>> 6] &= ~(1L << pos);
                }
            }
            top = index;
        }
        int pos = (int) (index % size);
        bits[pos >>> 6] |= 1L << pos;
    }

    long top() {
        return top;
    }
}
