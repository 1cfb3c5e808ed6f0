package dev.vireo.webrtc.whep.retransmit;

import dev.vireo.webrtc.rtp.RtpPayloads;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * One viewer's recently sent video, so that a NACK (RFC 4585 §6.2.1) can be answered with a
 * retransmission (RFC 4588). Kept per frame, not per packet: a frame goes out as packets with
 * consecutive sequence numbers, so an entry is the frame's shared payloads ({@link RtpPayloads},
 * retained once), its first sequence number and packet count, timestamp and send time; a lost
 * packet is found by its sequence number's offset in the entry. That is a few hundred bytes for
 * seconds of video per viewer instead of tens of kilobytes, and one reference count update per
 * frame instead of one per packet on the stream's shared buffers.
 *
 * <p>A ring of entries in send order that grows with the frame rate; frames older than
 * {@code maxAgeNanos} are not resent (the browser has given up on them by then). The time of the
 * last retransmission of each packet is kept in a small separate ring (a collision only means a
 * NACK repeated within a round trip may be answered twice). Not thread-safe: the viewer's event
 * loop only.
 */
public final class RetransmissionBuffer implements AutoCloseable {

    /** Entries a buffer starts with: about half a second of 30 fps video. */
    static final int INITIAL_CAPACITY = 16;
    private static final int RESENT_SLOTS = 64;

    private final int maxCapacity;
    private final long maxAgeNanos;
    private ByteBuf[] payloads;
    private int[] firstSequences;
    private int[] counts;
    private boolean[] noMarkers;
    private int[] timestamps;
    private long[] sentNanos;
    /** Index of the next entry to write; entries before it (wrapping) are newest first. */
    private int head;
    private int size;
    private final int[] resentSequences = new int[RESENT_SLOTS];
    private final long[] resentNanos = new long[RESENT_SLOTS];

    /**
     * @param maxCapacity a power of two: the most frames kept (256 hold 4 s of 60 fps video)
     * @param maxAgeNanos how long after sending a packet may be resent
     */
    public RetransmissionBuffer(int maxCapacity, long maxAgeNanos) {
        this(Math.min(INITIAL_CAPACITY, maxCapacity), maxCapacity, maxAgeNanos);
    }

    /**
     * The ring starts with {@code initialCapacity} entries and doubles, up to {@code maxCapacity},
     * whenever a frame would overwrite one younger than {@code maxAgeNanos} (the start-up GOP
     * burst, a high frame rate): memory follows the frame rate times the retransmission horizon.
     */
    public RetransmissionBuffer(int initialCapacity, int maxCapacity, long maxAgeNanos) {
        if (!powerOfTwo(initialCapacity) || !powerOfTwo(maxCapacity) || initialCapacity > maxCapacity) {
            throw new IllegalArgumentException("capacities must be powers of two up to 65536, initial <= max");
        }
        this.maxCapacity = maxCapacity;
        this.maxAgeNanos = maxAgeNanos;
        allocate(initialCapacity);
        Arrays.fill(resentSequences, -1);
    }

    private static boolean powerOfTwo(int n) {
        return n > 0 && (n & n - 1) == 0 && n <= 65_536;
    }

    private void allocate(int capacity) {
        payloads = new ByteBuf[capacity];
        firstSequences = new int[capacity];
        counts = new int[capacity];
        noMarkers = new boolean[capacity];
        timestamps = new int[capacity];
        sentNanos = new long[capacity];
    }

    /** Entries now (grows up to the maximum). */
    int capacity() {
        return payloads.length;
    }

    /**
     * Records a frame sent as {@code count} packets numbered from {@code firstSequence}, whose
     * payloads are the {@link RtpPayloads} {@code frame} (retained).
     *
     * @param noMarker the marker bit was cleared on every packet
     */
    public void put(int firstSequence, int count, ByteBuf frame, boolean noMarker, int timestamp, long nowNanos) {
        if (count <= 0) {
            return;
        }
        if (size == payloads.length) {
            if (payloads.length < maxCapacity && nowNanos - sentNanos[head] <= maxAgeNanos) {
                grow();
            } else {
                payloads[head].release();
                size--;
            }
        }
        int slot = head;
        payloads[slot] = frame.retain();
        firstSequences[slot] = firstSequence & 0xFFFF;
        counts[slot] = count;
        noMarkers[slot] = noMarker;
        timestamps[slot] = timestamp;
        sentNanos[slot] = nowNanos;
        head = (slot + 1) & payloads.length - 1;
        size++;
    }

    /** Doubles the ring (only when full), oldest entry first. */
    private void grow() {
        ByteBuf[] p = payloads;
        int[] first = firstSequences;
        int[] n = counts;
        boolean[] nm = noMarkers;
        int[] ts = timestamps;
        long[] sent = sentNanos;
        int old = p.length;
        allocate(old * 2);
        for (int k = 0; k < old; k++) {
            int from = (head + k) & old - 1; // head is the oldest entry of a full ring
            payloads[k] = p[from];
            firstSequences[k] = first[from];
            counts[k] = n[from];
            noMarkers[k] = nm[from];
            timestamps[k] = ts[from];
            sentNanos[k] = sent[from];
        }
        head = old;
    }

    /** The entry holding packet {@code sequenceNumber} when it is stored and young enough, else -1. */
    public int find(int sequenceNumber, long nowNanos) {
        int seq = sequenceNumber & 0xFFFF;
        int mask = payloads.length - 1;
        for (int k = 1; k <= size; k++) {
            int slot = (head - k) & mask;
            if (nowNanos - sentNanos[slot] > maxAgeNanos) {
                return -1; // older entries are older still
            }
            if ((seq - firstSequences[slot] & 0xFFFF) < counts[slot]) {
                return slot;
            }
        }
        return -1;
    }

    /** The packet's index within the frame of entry {@code slot}. */
    public int index(int slot, int sequenceNumber) {
        return sequenceNumber - firstSequences[slot] & 0xFFFF;
    }

    /** The frame's payloads ({@link RtpPayloads} form). */
    public ByteBuf payloads(int slot) {
        return payloads[slot];
    }

    public boolean noMarker(int slot) {
        return noMarkers[slot];
    }

    public int timestamp(int slot) {
        return timestamps[slot];
    }

    /** When packet {@code sequenceNumber} was last resent, or {@code Long.MIN_VALUE}. */
    public long resentNanos(int sequenceNumber) {
        int i = sequenceNumber & RESENT_SLOTS - 1;
        return resentSequences[i] == (sequenceNumber & 0xFFFF) ? resentNanos[i] : Long.MIN_VALUE;
    }

    public void markResent(int sequenceNumber, long nowNanos) {
        int i = sequenceNumber & RESENT_SLOTS - 1;
        resentSequences[i] = sequenceNumber & 0xFFFF;
        resentNanos[i] = nowNanos;
    }

    /** Releases every stored reference. */
    @Override
    public void close() {
        for (int i = 0; i < payloads.length; i++) {
            if (payloads[i] != null) {
                payloads[i].release();
                payloads[i] = null;
            }
        }
        size = 0;
    }
}
