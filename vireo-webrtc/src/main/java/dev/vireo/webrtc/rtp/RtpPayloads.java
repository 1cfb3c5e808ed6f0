package dev.vireo.webrtc.rtp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A frame's RTP payloads in one buffer, the form in which they are cached on the frame
 * (the WHEP encodings' {@code FrameEncoding}) and shared by every viewer: a 16-bit count, then per payload its
 * 16-bit length and a flags byte (bit 0: marker), then the payloads back to back. Viewers walk it
 * in order with absolute reads; nothing is allocated per viewer.
 */
public final class RtpPayloads {

    public static final int COUNT_SIZE = 2;
    public static final int ENTRY_SIZE = 3;

    private RtpPayloads() {
    }

    /** Copies the payloads of {@code frame} into the cached form (the caller still owns {@code frame}). */
    public static ByteBuf of(ByteBufAllocator alloc, PacketizedFrame frame) {
        int n = frame.count();
        if (n > 0xFFFF) {
            throw new IllegalArgumentException("too many RTP packets in one frame: " + n);
        }
        ByteBuf out = alloc.buffer(COUNT_SIZE + ENTRY_SIZE * n + frame.totalPayloadBytes());
        out.writeShort(n);
        for (int i = 0; i < n; i++) {
            out.writeShort(frame.length(i));
            out.writeByte(frame.marker(i) ? 1 : 0);
        }
        for (int i = 0; i < n; i++) {
            frame.writePayload(i, out);
        }
        return out;
    }

    public static int count(ByteBuf payloads) {
        return payloads.getUnsignedShort(payloads.readerIndex());
    }

    public static int length(ByteBuf payloads, int i) {
        return payloads.getUnsignedShort(payloads.readerIndex() + COUNT_SIZE + ENTRY_SIZE * i);
    }

    public static boolean marker(ByteBuf payloads, int i) {
        return (payloads.getByte(payloads.readerIndex() + COUNT_SIZE + ENTRY_SIZE * i + 2) & 1) != 0;
    }

    /** Absolute index of payload {@code i} (walks the lengths before it). */
    public static int offset(ByteBuf payloads, int i) {
        int at = firstPayload(payloads);
        for (int k = 0; k < i; k++) {
            at += length(payloads, k);
        }
        return at;
    }

    /** Absolute index of the first payload. */
    public static int firstPayload(ByteBuf payloads) {
        return payloads.readerIndex() + COUNT_SIZE + ENTRY_SIZE * count(payloads);
    }

    /**
     * Where a run of packets that can leave as one UDP GSO send ends, starting at payload
     * {@code from}: payloads of its size, then at most one shorter (the kernel's rule for
     * {@code UDP_SEGMENT}), {@code maxPackets} at most.
     *
     * @return the index after the run's last payload
     */
    public static int runEnd(ByteBuf payloads, int from, int maxPackets) {
        int n = count(payloads);
        int length = length(payloads, from);
        int end = from + 1;
        while (end < n && end - from < maxPackets && length(payloads, end) == length) {
            end++;
        }
        if (end < n && end - from < maxPackets && length(payloads, end) < length) {
            end++;
        }
        return end;
    }
}
