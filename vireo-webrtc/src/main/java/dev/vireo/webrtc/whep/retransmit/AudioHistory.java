package dev.vireo.webrtc.whep.retransmit;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * The last audio packets of a viewer, as they went on the wire (SRTP-protected), for a peer that
 * negotiated generic NACK on its audio (RFC 4585 §6.2.1; Chromium does not, aiortc and pion-like
 * clients may). Without RTX for audio a lost packet is resent as it was, byte for byte: the same
 * SRTP index with the same header and payload gives the same ciphertext and tag, where a rebuilt
 * header (a new transport-wide number or send time) under the same AES-GCM nonce would give the
 * peer two tags for one nonce (RFC 7714 §8.1 forbids reusing an IV with different data).
 *
 * <p>A ring of {@link #PACKETS} packets (1.3 s of 20 ms Opus) of at most {@link #MAX_BYTES}
 * bytes each, preallocated only when the peer asked for audio NACK. On the session's loop only.
 */
final class AudioHistory {

    /** Packets kept: audio older than about a second is not worth resending (its playout is past). */
    static final int PACKETS = 64;
    /** Bytes kept per packet at most (an Opus RED packet with its SRTP tag is a few hundred). */
    static final int MAX_BYTES = 1400;
    /** A packet is resent at most once per this interval (a NACK repeated before the resend arrived). */
    private static final long MIN_RESEND_INTERVAL_NANOS = 20_000_000L;

    private final byte[][] packets = new byte[PACKETS][MAX_BYTES];
    private final int[] lengths = new int[PACKETS];
    private final int[] sequences = new int[PACKETS];
    private final long[] sentNanos = new long[PACKETS];
    private final long[] resentNanos = new long[PACKETS];
    private final long maxAgeNanos;

    /** @param maxAgeNanos how long after sending a packet may be resent */
    AudioHistory(long maxAgeNanos) {
        this.maxAgeNanos = maxAgeNanos;
        Arrays.fill(sequences, -1);
    }

    /** Keeps the protected packet {@code buf[start, start+length)} sent under {@code sequence}. */
    void put(int sequence, ByteBuf buf, int start, int length, long nowNanos) {
        int slot = sequence & PACKETS - 1;
        if (length > MAX_BYTES) {
            sequences[slot] = -1;
            return;
        }
        buf.getBytes(start, packets[slot], 0, length);
        lengths[slot] = length;
        sequences[slot] = sequence & 0xFFFF;
        sentNanos[slot] = nowNanos;
        resentNanos[slot] = Long.MIN_VALUE;
    }

    /**
     * Writes packet {@code sequence} as it was sent into {@code out} and marks it resent.
     *
     * @return its length, or -1 when it is not kept (any more), or was resent very recently
     */
    int resend(int sequence, ByteBuf out, long nowNanos) {
        int slot = sequence & PACKETS - 1;
        if (sequences[slot] != (sequence & 0xFFFF) || nowNanos - sentNanos[slot] > maxAgeNanos) {
            return -1;
        }
        if (resentNanos[slot] != Long.MIN_VALUE && nowNanos - resentNanos[slot] < MIN_RESEND_INTERVAL_NANOS) {
            return -1;
        }
        resentNanos[slot] = nowNanos;
        out.writeBytes(packets[slot], 0, lengths[slot]);
        return lengths[slot];
    }
}
