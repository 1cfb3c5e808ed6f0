package dev.vireo.media.ts;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Reassembles the PSI sections of one PID (ISO/IEC 13818-1 §2.4.4): a section may span packets,
 * and a packet may end one section and start others (the pointer_field says where the first new
 * one starts). Complete sections whose CRC_32 checks are handed on; bad ones are reported.
 */
final class SectionAssembler {

    /** section_length is at most 1021 for PAT/PMT (§2.4.4.3): 3 + 1021 bytes in all. */
    private static final int MAX_SECTION = 1024;

    private final byte[] buf = new byte[MAX_SECTION + TsPacket.SIZE];
    private final Consumer<byte[]> onSection;
    private final Consumer<String> onProblem;
    private int len;
    private boolean collecting;

    SectionAssembler(Consumer<byte[]> onSection, Consumer<String> onProblem) {
        this.onSection = onSection;
        this.onProblem = onProblem;
    }

    /** The payload bytes {@code [from, to)} of one packet of this PID. */
    void packet(ByteBuf p, int from, int to, boolean unitStart) {
        if (unitStart) {
            int pointer = p.getUnsignedByte(from++);
            if (from + pointer > to) {
                onProblem.accept("PSI pointer_field " + pointer + " points past the packet");
                reset();
                return;
            }
            if (collecting) {
                append(p, from, from + pointer); // the tail of the section in progress
            }
            reset();
            collecting = true;
            from += pointer;
        } else if (!collecting) {
            return; // joined in the middle of a section, or after a loss: wait for the next start
        }
        append(p, from, to);
    }

    /** A lost packet: the section in progress cannot be completed. */
    void reset() {
        len = 0;
        collecting = false;
    }

    private void append(ByteBuf p, int from, int to) {
        int n = to - from;
        if (!collecting || n <= 0) {
            return;
        }
        if (len + n > buf.length) {
            onProblem.accept("PSI section longer than " + MAX_SECTION + " bytes");
            reset();
            return;
        }
        p.getBytes(from, buf, len, n);
        len += n;
        drain();
    }

    /** Hands on every complete section at the start of the buffer. */
    private void drain() {
        while (collecting && len >= 3) {
            int tableId = buf[0] & 0xFF;
            if (tableId == 0xFF) { // stuffing up to the end of the packet: no more sections
                reset();
                return;
            }
            int sectionLength = ((buf[1] & 0x0F) << 8) | (buf[2] & 0xFF);
            if (sectionLength > MAX_SECTION - 3) {
                onProblem.accept("PSI section_length " + sectionLength + " exceeds " + (MAX_SECTION - 3));
                reset();
                return;
            }
            int total = 3 + sectionLength;
            if (len < total) {
                return;
            }
            byte[] section = Arrays.copyOf(buf, total);
            System.arraycopy(buf, total, buf, 0, len - total);
            len -= total;
            boolean syntax = (section[1] & 0x80) != 0;
            if (syntax && (total < 12 || Crc32Mpeg2.compute(section, 0, total) != 0)) {
                onProblem.accept("PSI section (table_id " + tableId + ") with a bad CRC_32 dropped");
                continue;
            }
            onSection.accept(section);
        }
    }
}
