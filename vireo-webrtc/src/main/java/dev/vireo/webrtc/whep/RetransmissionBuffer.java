package dev.vireo.webrtc.whep;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * One viewer's recently sent packets of a track by sequence number, so that a NACK (RFC 4585
 * §6.2.1) can be answered with a retransmission (RFC 4588). Each slot references the shared
 * payload buffer of the frame the packet came from ({@link RtpPayloads}, retained) and where the
 * payload sits in it, plus what the RTP header needs; nothing is copied. A ring indexed by
 * sequence number that grows with the packet rate; packets older than {@code maxAgeNanos} are
 * not resent (the browser has given up on them by then). Not thread-safe: the viewer's event loop only.
 */
final class RetransmissionBuffer implements AutoCloseable {

    /** Slots a buffer starts with: about 1 s of 600 kbit/s video. */
    static final int INITIAL_CAPACITY = 64;

    private final int maxCapacity;
    private final long maxAgeNanos;
    private int mask;
    private ByteBuf[] buffers;
    private int[] sequenceNumbers;
    private int[] offsets;
    private int[] lengths;
    private boolean[] markers;
    private int[] timestamps;
    private long[] sentNanos;
    private long[] resentNanos;

    /**
     * @param maxCapacity a power of two: 1024 slots hold about 2 s of 4 Mbit/s video
     * @param maxAgeNanos how long after sending a packet may be resent
     */
    RetransmissionBuffer(int maxCapacity, long maxAgeNanos) {
        this(Math.min(INITIAL_CAPACITY, maxCapacity), maxCapacity, maxAgeNanos);
    }

    /**
     * The ring starts with {@code initialCapacity} slots and doubles, up to {@code maxCapacity},
     * whenever a packet would overwrite one younger than {@code maxAgeNanos}: memory follows the
     * viewer's packet rate times the retransmission horizon (a 600 kbit/s viewer needs a few
     * kilobytes, not the 40 KB a 4 Mbit/s one does), and nothing still resendable is dropped
     * below the maximum.
     */
    RetransmissionBuffer(int initialCapacity, int maxCapacity, long maxAgeNanos) {
        if (!powerOfTwo(initialCapacity) || !powerOfTwo(maxCapacity) || initialCapacity > maxCapacity) {
            throw new IllegalArgumentException("capacities must be powers of two up to 65536, initial <= max");
        }
        this.maxCapacity = maxCapacity;
        this.maxAgeNanos = maxAgeNanos;
        allocate(initialCapacity);
    }

    private static boolean powerOfTwo(int n) {
        return n > 0 && (n & n - 1) == 0 && n <= 65_536;
    }

    private void allocate(int capacity) {
        mask = capacity - 1;
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

    /** Slots now (grows up to the maximum). */
    int capacity() {
        return mask + 1;
    }

    /** Records a sent packet whose payload is {@code length} bytes at {@code offset} of {@code buffer} (retained). */
    void put(int sequenceNumber, ByteBuf buffer, int offset, int length, boolean marker, int timestamp, long nowNanos) {
        int slot = sequenceNumber & mask;
        if (buffers[slot] != null && mask + 1 < maxCapacity && nowNanos - sentNanos[slot] <= maxAgeNanos
                && sequenceNumbers[slot] != (sequenceNumber & 0xFFFF)) {
            grow();
            slot = sequenceNumber & mask;
        }
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

    /** Doubles the ring; entries keep their references (distinct old slots stay distinct). */
    private void grow() {
        ByteBuf[] b = buffers;
        int[] seq = sequenceNumbers;
        int[] off = offsets;
        int[] len = lengths;
        boolean[] mark = markers;
        int[] ts = timestamps;
        long[] sent = sentNanos;
        long[] resent = resentNanos;
        allocate(b.length * 2);
        for (int i = 0; i < b.length; i++) {
            if (b[i] != null) {
                int slot = seq[i] & mask;
                buffers[slot] = b[i];
                sequenceNumbers[slot] = seq[i];
                offsets[slot] = off[i];
                lengths[slot] = len[i];
                markers[slot] = mark[i];
                timestamps[slot] = ts[i];
                sentNanos[slot] = sent[i];
                resentNanos[slot] = resent[i];
            }
        }
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
