package dev.vireo.media.ts;

import io.netty.buffer.ByteBuf;

/** The duration an Opus packet's TOC byte states (RFC 6716 §3.1), in samples at 48 kHz. */
public final class OpusToc {

    /** §3.1: a packet holds at most 120 ms. */
    static final int MAX_SAMPLES = 5760;

    private OpusToc() {
    }

    /** Samples of the packet at {@code [offset, offset + length)}, or -1 when the TOC is invalid. */
    public static int samples(ByteBuf b, int offset, int length) {
        if (length < 1) {
            return -1;
        }
        int toc = b.getUnsignedByte(offset);
        int frames = switch (toc & 0x03) {
            case 0 -> 1;
            case 1, 2 -> 2;
            default -> length < 2 ? -1 : b.getUnsignedByte(offset + 1) & 0x3F; // §3.2.5 code 3
        };
        if (frames <= 0) {
            return -1;
        }
        int total = frames * frameSamples(toc >>> 3);
        return total > MAX_SAMPLES ? -1 : total;
    }

    /** Table 2: frame sizes by configuration number (SILK, hybrid, CELT). */
    private static int frameSamples(int config) {
        if (config < 12) {
            return new int[] {480, 960, 1920, 2880}[config & 3]; // SILK 10/20/40/60 ms
        }
        if (config < 16) {
            return (config & 1) == 0 ? 480 : 960; // hybrid 10/20 ms
        }
        return new int[] {120, 240, 480, 960}[config & 3]; // CELT 2.5/5/10/20 ms
    }
}
