package dev.vireo.media.ts;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.function.Consumer;

/**
 * Reassembles the PES packets of one elementary stream (ISO/IEC 13818-1 §2.4.3.6) from transport
 * packet payloads. A PES is complete when its PES_packet_length is reached, or, when that is 0
 * (unbounded, usual for video), when the next one starts. The buffer is bounded.
 */
final class PesAssembler {

    /** A complete PES: header fields and where its payload lies in {@link #buffer()}. */
    interface Handler {
        /** The payload is valid during the call only. Time stamps are raw 33-bit values. */
        void pes(ByteBuf payload, boolean hasPts, long pts, long dts);
    }

    private final ByteBufAllocator alloc;
    private final int maxSize;
    private final int pid;
    private final Handler handler;
    private final Consumer<String> onProblem;
    private ByteBuf buf;
    private boolean assembling;
    /** 6 + PES_packet_length, or 0 when unbounded or not known yet. */
    private int expected;

    PesAssembler(ByteBufAllocator alloc, int maxSize, int pid, Handler handler, Consumer<String> onProblem) {
        this.alloc = alloc;
        this.maxSize = maxSize;
        this.pid = pid;
        this.handler = handler;
        this.onProblem = onProblem;
    }

    void packet(ByteBuf p, int from, int to, boolean unitStart) {
        if (unitStart) {
            if (assembling) {
                complete();
            }
            assembling = true;
            expected = 0;
            if (buf != null) {
                buf.clear();
            }
        } else if (!assembling) {
            return; // joined mid-PES or after a loss: wait for the next unit start
        }
        int n = to - from;
        if (buf == null) {
            buf = alloc.buffer(Math.min(maxSize, Math.max(n, 4096)));
        }
        if (buf.readableBytes() + n > maxSize) {
            onProblem.accept("PES on PID " + pid + " exceeds " + maxSize + " bytes; dropped");
            drop();
            return;
        }
        buf.writeBytes(p, from, n);
        if (expected == 0 && buf.readableBytes() >= 6) {
            int length = buf.getUnsignedShort(buf.readerIndex() + 4);
            expected = length == 0 ? -1 : 6 + length;
        }
        if (expected > 0 && buf.readableBytes() >= expected) {
            complete();
        }
    }

    /** Packets were lost: the PES in progress is incomplete and must not be used. */
    void drop() {
        assembling = false;
        expected = 0;
        if (buf != null) {
            buf.clear();
        }
    }

    /** End of input: an unbounded PES in progress is complete now. */
    void flush() {
        if (assembling) {
            complete();
        }
    }

    void release() {
        if (buf != null) {
            buf.release();
            buf = null;
        }
        assembling = false;
    }

    private void complete() {
        assembling = false;
        ByteBuf b = buf;
        int start = b.readerIndex();
        int size = b.readableBytes();
        try {
            if (size < 9 || b.getUnsignedMedium(start) != 0x000001) {
                onProblem.accept("PES on PID " + pid + " without packet_start_code_prefix; dropped");
                return;
            }
            int streamId = b.getUnsignedByte(start + 3);
            if (!hasHeaderExtension(streamId)) {
                onProblem.accept("PES on PID " + pid + " with stream_id 0x" + Integer.toHexString(streamId)
                        + " carries no media; dropped");
                return;
            }
            int flags = b.getUnsignedByte(start + 7);
            int headerLength = b.getUnsignedByte(start + 8);
            int payloadStart = 9 + headerLength;
            int end = expected > 0 ? Math.min(size, expected) : size;
            if (payloadStart > end) {
                onProblem.accept("PES header on PID " + pid + " longer than the PES; dropped");
                return;
            }
            int ptsDts = flags >>> 6;
            boolean hasPts = ptsDts >= 2 && headerLength >= 5;
            long pts = hasPts ? timestamp(b, start + 9) : 0;
            long dts = ptsDts == 3 && headerLength >= 10 ? timestamp(b, start + 14) : pts;
            handler.pes(b.slice(start + payloadStart, end - payloadStart), hasPts, pts, dts);
        } finally {
            b.clear();
            expected = 0;
        }
    }

    /** Table 2-21: these stream_ids have no optional PES header (padding, private_stream_2, ...). */
    private static boolean hasHeaderExtension(int streamId) {
        return switch (streamId) {
            case 0xBC, 0xBE, 0xBF, 0xF0, 0xF1, 0xF2, 0xF8, 0xFF -> false;
            default -> true;
        };
    }

    /** A PTS or DTS field (§2.4.3.7): 4 bits prefix, then 3 + 15 + 15 bits separated by marker bits. */
    static long timestamp(ByteBuf b, int i) {
        long hi = (b.getUnsignedByte(i) >>> 1) & 0x07;
        long mid = b.getUnsignedShort(i + 1) >>> 1;
        long lo = b.getUnsignedShort(i + 3) >>> 1;
        return (hi << 30) | (mid << 15) | lo;
    }
}
