package dev.vireo.webrtc.rtp;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * The receive-side reorder buffer of one RTP stream: packets come out in sequence-number order
 * (RFC 3550 §A.1 extended sequence numbers), a missing packet is waited for up to {@link
 * #maxWaitNanos} (sized by the caller from the measured interarrival jitter, RFC 3550 §6.4.1) and
 * then skipped, so the depacketizer behind sees the gap. While it waits the buffer says which
 * sequence numbers to ask for again (generic NACK, RFC 4585 §6.2.1): each missing packet at once,
 * then again every retry interval, at most {@link #MAX_NACKS} times, as libwebrtc's receiver does.
 * The time from a NACK to the packet's arrival is measured ({@link #nackRttNanos()}: the sender's
 * response time, network round trip included), for the caller's retry interval and wait.
 *
 * <p>Bounded: at most {@code capacity} (a power of two) sequence numbers between the next packet
 * out and the newest packet in; a packet further ahead (a jump in the sender's numbering, or a
 * long outage) flushes what is older. Not thread-safe: one event loop uses it.
 */
public final class JitterBuffer implements AutoCloseable {

    /** How often one missing packet is asked for. */
    public static final int MAX_NACKS = 10;

    /** What {@link #push} did with a packet. */
    public enum Outcome { ACCEPTED, DUPLICATE, TOO_LATE }

    private final int mask;
    private final ByteBuf[] packets;
    private final long[] arrival;
    private final int[] nacks;
    private final long[] lastNack;
    private long maxWaitNanos;
    /** Extended sequence number of the next packet to hand out; -1 before the first packet. */
    private long next = -1;
    /** Highest extended sequence number received. */
    private long highest = -1;
    private long lost;
    private long recovered;
    /** Sequence numbers noticed missing so far (each gap counts its packets once). */
    private long gapsNoticed;
    /** Smoothed NACK-to-arrival time (RFC 6298 §2 style, gain 1/8); -1 before a sample. */
    private long nackRttNanos = -1;

    /**
     * @param capacity sequence numbers held at most (a power of two, 16..32768)
     * @param maxWaitNanos how long a gap is waited for before it is skipped
     */
    public JitterBuffer(int capacity, long maxWaitNanos) {
        if (capacity < 16 || capacity > 32768 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity " + capacity + " is not a power of two in 16..32768");
        }
        this.mask = capacity - 1;
        this.packets = new ByteBuf[capacity];
        this.arrival = new long[capacity];
        this.nacks = new int[capacity];
        this.lastNack = new long[capacity];
        this.maxWaitNanos = maxWaitNanos;
    }

    /** Changes how long a gap is waited for (e.g. from the measured jitter). */
    public void maxWaitNanos(long nanos) {
        this.maxWaitNanos = nanos;
    }

    public long maxWaitNanos() {
        return maxWaitNanos;
    }

    /** RFC 3550 §A.1: the 16-bit sequence number extended relative to the highest one seen. */
    public long extend(int sequenceNumber) {
        if (highest < 0) {
            return sequenceNumber & 0xFFFF;
        }
        return highest + (short) (sequenceNumber - (int) highest);
    }

    /**
     * Takes a packet (takes ownership of {@code packet}: released when it is not kept).
     *
     * @param sequenceNumber its RTP sequence number
     */
    public Outcome push(ByteBuf packet, int sequenceNumber, long nowNanos) {
        long seq = extend(sequenceNumber);
        if (next < 0) {
            next = seq;
            highest = seq - 1;
        }
        if (seq < next) {
            packet.release();
            return Outcome.TOO_LATE;
        }
        if (seq - next > mask) {
            // Too far ahead: give up on everything before the window that ends at seq.
            long newNext = seq - mask;
            while (next < newNext) {
                skip();
            }
            if (highest < next - 1) {
                highest = next - 1;
            }
        }
        int i = (int) (seq & mask);
        if (packets[i] != null) {
            packet.release();
            return Outcome.DUPLICATE;
        }
        if (seq < highest && nacks[i] > 0) {
            recovered++;
            long sample = nowNanos - lastNack[i];
            nackRttNanos = nackRttNanos < 0 ? sample : nackRttNanos + (sample - nackRttNanos) / 8;
        }
        packets[i] = packet;
        arrival[i] = nowNanos;
        for (long s = highest + 1; s < seq; s++) {
            int j = (int) (s & mask);
            nacks[j] = 0;
            lastNack[j] = Long.MIN_VALUE;
            arrival[j] = nowNanos; // when the gap was noticed
        }
        if (seq > highest + 1) {
            gapsNoticed += seq - highest - 1;
        }
        if (seq > highest) {
            highest = seq;
        }
        return Outcome.ACCEPTED;
    }

    /**
     * The next packet in order, or null when it has not arrived and may still come. A gap that
     * has waited {@link #maxWaitNanos} since it was noticed is skipped (counted lost). The caller
     * owns the returned packet.
     */
    public ByteBuf poll(long nowNanos) {
        while (next >= 0 && next <= highest) {
            int i = (int) (next & mask);
            ByteBuf p = packets[i];
            if (p != null) {
                packets[i] = null;
                nacks[i] = 0;
                next++;
                return p;
            }
            if (nowNanos - arrival[i] < maxWaitNanos) {
                return null;
            }
            skip();
        }
        return null;
    }

    /** The extended sequence number of the next packet {@link #poll} hands out; -1 before any. */
    public long nextSequence() {
        return next;
    }

    private void skip() {
        int i = (int) (next & mask);
        ByteBuf p = packets[i];
        if (p != null) {
            p.release();
            packets[i] = null;
        } else if (next <= highest) {
            lost++;
        }
        nacks[i] = 0;
        next++;
    }

    /**
     * The sequence numbers to ask the sender for now (RFC 4585 §6.2.1): missing ones not asked
     * for within {@code retryNanos} and asked fewer than {@link #MAX_NACKS} times, at most
     * {@code max}; each returned one counts as asked.
     */
    public int[] nacks(long nowNanos, long retryNanos, int max) {
        int[] out = new int[Math.min(max, 64)];
        int n = 0;
        for (long s = Math.max(next, 0); s < highest && n < out.length; s++) {
            int i = (int) (s & mask);
            if (packets[i] != null || nacks[i] >= MAX_NACKS
                    || lastNack[i] != Long.MIN_VALUE && nowNanos - lastNack[i] < retryNanos) {
                continue;
            }
            nacks[i]++;
            lastNack[i] = nowNanos;
            out[n++] = (int) (s & 0xFFFF);
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /** Sequence numbers noticed missing so far: grows when a packet arrives after a gap. */
    public long gapsNoticed() {
        return gapsNoticed;
    }

    /**
     * The smoothed time from the last NACK of a packet to its arrival (the sender's response time:
     * round trip, its pacer and its retransmission), or -1 before a NACKed packet arrived.
     */
    public long nackRttNanos() {
        return nackRttNanos;
    }

    /** Packets given up on (skipped without having arrived). */
    public long lost() {
        return lost;
    }

    /** Packets that arrived after having been NACKed (retransmissions that made it in time). */
    public long recovered() {
        return recovered;
    }

    /** Packets held. */
    public int size() {
        int n = 0;
        for (ByteBuf p : packets) {
            if (p != null) {
                n++;
            }
        }
        return n;
    }

    @Override
    public void close() {
        for (int i = 0; i < packets.length; i++) {
            if (packets[i] != null) {
                packets[i].release();
                packets[i] = null;
            }
        }
    }
}
