package dev.vireo.webrtc.whep;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * One viewer's recently sent packets of a track by sequence number, so that a NACK (RFC 4585
 * §6.2.1) can be answered with a retransmission (RFC 4588). Each slot references the shared
 * payload buffer of the frame the packet came from ({@link RtpPayloads}, retained) and where the
 * payload sits in it, plus what the RTP header needs; nothing is copied. A ring indexed by
 * sequence number; packets older than {@code maxAgeNanos} are not resent (the browser has given
 * up on them by then). Not thread-safe: the viewer's event loop only.
 */
final class RetransmissionBuffer implements AutoCloseable {

    private final int mask;
    private final long maxAgeNanos;
    private final ByteBuf[] buffers;
    private final int[] sequenceNumbers;
    private final int[] offsets;
    private final int[] lengths;
    private final boolean[] markers;
    private final int[] timestamps;
    private final long[] sentNanos;
    private final long[] resentNanos;

    /**
     * @param capacity a power of two: 1024 slots hold about 2 s of 4 Mbit/s video
     * @param maxAgeNanos how long after sending a packet may be resent
     */
    RetransmissionBuffer(int capacity, long maxAgeNanos) {
        if (capacity <= 0 || (capacity & capacity - 1) != 0 || capacity > 65_536) {
            throw new IllegalArgumentException("capacity must be a power of two up to 65536");
        }
        this.mask = capacity - 1;
        this.maxAgeNanos = maxAgeNanos;
        buffers = new ByteBuf[capacity];
        sequenceNumbers = new int[capacity];
        offsets = new int[capacity];
        lengths = new int[capacity];
        markers = new boolean[capacity];
        timestamps = new int[capacity];
        sentNanos = new long[capacity];
        resentNanos = new long[capacity];
        Arrays.fill(sequenceNumbers, -1);
    }

    /** Records a sent packet whose payload is {@code length} bytes at {@code offset} of {@code buffer} (retained). */
    void put(int sequenceNumber, ByteBuf buffer, int offset, int length, boolean marker, int timestamp, long nowNanos) {
        int slot = sequenceNumber & mask;
        ByteBuf old = buffers[slot];
        buffers[slot] = buffer.retain();
        if (old != null) {
            old.release();
        }
        sequenceNumbers[slot] = sequenceNumber & 0xFFFF;
        offsets[slot] = offset;
        lengths[slot] = length;
        markers[slot] = marker;
        timestamps[slot] = timestamp;
        sentNanos[slot] = nowNanos;
        resentNanos[slot] = Long.MIN_VALUE;
    }

    /** The slot of {@code sequenceNumber} when it is stored and young enough, else -1. */
    int find(int sequenceNumber, long nowNanos) {
        int slot = sequenceNumber & mask;
        if (buffers[slot] == null || sequenceNumbers[slot] != (sequenceNumber & 0xFFFF)
                || nowNanos - sentNanos[slot] > maxAgeNanos) {
            return -1;
        }
        return slot;
    }

    ByteBuf buffer(int slot) {
        return buffers[slot];
    }

    int offset(int slot) {
        return offsets[slot];
    }

    int length(int slot) {
        return lengths[slot];
    }

    boolean marker(int slot) {
        return markers[slot];
    }

    int timestamp(int slot) {
        return timestamps[slot];
    }

    /** When the packet was last resent, or {@code Long.MIN_VALUE}. */
    long resentNanos(int slot) {
        return resentNanos[slot];
    }

    void markResent(int slot, long nowNanos) {
        resentNanos[slot] = nowNanos;
    }

    /** Releases every stored reference. */
    @Override
    public void close() {
        for (int i = 0; i < buffers.length; i++) {
            if (buffers[i] != null) {
                buffers[i].release();
                buffers[i] = null;
            }
            sequenceNumbers[i] = -1;
        }
    }
}
