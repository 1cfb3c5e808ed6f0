package dev.vireo.webrtc.rtp;

import java.util.Arrays;

/**
 * Recently sent RTP packets by sequence number, for retransmission on NACK (RFC 4585 §6.2.1,
 * resent as RTX, RFC 4588). A ring of {@code capacity} slots indexed by sequence number, each
 * holding a reference to the shared {@link PacketizedFrame} and the index of the packet in it,
 * so nothing is copied; entries older than {@code maxAgeNanos} are not returned.
 *
 * <p>Holds one reference per stored packet (retained on {@link #put}, released when the slot is
 * reused or on {@link #clear()}). Not thread-safe.
 */
public final class PacketHistory implements AutoCloseable {

    private final int mask;
    private final long maxAgeNanos;
    private final PacketizedFrame[] frames;
    private final int[] sequenceNumbers;
    private final int[] packetIndices;
    private final long[] sentNanos;
    private final long[] resentNanos;

    /**
     * @param capacity    slots, a power of two (e.g. 512 covers ~1.5 s of 3 Mbit/s video)
     * @param maxAgeNanos how long a packet may be retransmitted after it was sent
     */
    public PacketHistory(int capacity, long maxAgeNanos) {
        if (capacity <= 0 || (capacity & capacity - 1) != 0 || capacity > 65536) {
            throw new IllegalArgumentException("capacity " + capacity + " is not a power of two up to 65536");
        }
        this.mask = capacity - 1;
        this.maxAgeNanos = maxAgeNanos;
        this.frames = new PacketizedFrame[capacity];
        this.sequenceNumbers = new int[capacity];
        this.packetIndices = new int[capacity];
        this.sentNanos = new long[capacity];
        this.resentNanos = new long[capacity];
        Arrays.fill(sequenceNumbers, -1);
    }

    /** Records that packet {@code packetIndex} of {@code frame} went out as {@code sequenceNumber}; retains the frame. */
    public void put(int sequenceNumber, PacketizedFrame frame, int packetIndex, long nowNanos) {
        if (packetIndex < 0 || packetIndex >= frame.count()) {
            throw new IndexOutOfBoundsException("packet " + packetIndex + " of " + frame.count());
        }
        int slot = sequenceNumber & mask;
        PacketizedFrame old = frames[slot];
        frames[slot] = frame.retain();
        if (old != null) {
            old.release();
        }
        sequenceNumbers[slot] = sequenceNumber & 0xFFFF;
        packetIndices[slot] = packetIndex;
        sentNanos[slot] = nowNanos;
        resentNanos[slot] = Long.MIN_VALUE;
    }

    /** The slot holding {@code sequenceNumber} if it is stored and young enough, else -1. */
    public int find(int sequenceNumber, long nowNanos) {
        int slot = sequenceNumber & mask;
        if (frames[slot] == null || sequenceNumbers[slot] != (sequenceNumber & 0xFFFF)
                || nowNanos - sentNanos[slot] > maxAgeNanos) {
            return -1;
        }
        return slot;
    }

    /** The frame of a slot returned by {@link #find} (not retained: valid until the slot is reused). */
    public PacketizedFrame frame(int slot) {
        return frames[slot];
    }

    /** The packet index within {@link #frame(int)} of a slot returned by {@link #find}. */
    public int packetIndex(int slot) {
        return packetIndices[slot];
    }

    /** When the packet of a slot was first sent. */
    public long sentNanos(int slot) {
        return sentNanos[slot];
    }

    /**
     * When the packet of a slot was last retransmitted, or {@link Long#MIN_VALUE} if never: lets
     * the sender ignore repeated NACKs for a packet it resent less than a round trip ago.
     */
    public long resentNanos(int slot) {
        return resentNanos[slot];
    }

    /** Records a retransmission of the packet of a slot. */
    public void markResent(int slot, long nowNanos) {
        resentNanos[slot] = nowNanos;
    }

    public int capacity() {
        return mask + 1;
    }

    /** Releases every stored frame. */
    public void clear() {
        for (int i = 0; i < frames.length; i++) {
            if (frames[i] != null) {
                frames[i].release();
                frames[i] = null;
            }
            sequenceNumbers[i] = -1;
        }
    }

    @Override
    public void close() {
        clear();
    }
}
