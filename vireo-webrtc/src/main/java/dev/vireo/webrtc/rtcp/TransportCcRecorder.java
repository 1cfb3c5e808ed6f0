package dev.vireo.webrtc.rtcp;

import java.util.Arrays;

/**
 * The receiver's half of transport-wide congestion control
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3): records the arrival time of every
 * packet by its transport-wide sequence number, and turns what arrived since the last feedback
 * into a {@link TransportCcFeedback} (sent about every 100 ms), from which the sender's
 * congestion controller (Chromium's GCC) estimates the bandwidth and sets its encoder's bitrate.
 * Bounded to {@link #MAX_PENDING} sequence numbers per feedback. Not thread-safe.
 */
public final class TransportCcRecorder {

    /** Sequence numbers one feedback covers at most; older ones are reported missing. */
    public static final int MAX_PENDING = 1024;

    private final long originNanos;
    private final long[] arrivalMicros = new long[MAX_PENDING];
    private long highest = -1;
    /** First extended sequence number not yet reported; -1 before any packet. */
    private long base = -1;
    private int feedbackCount;

    /** @param originNanos the {@link System#nanoTime()} reference times count from */
    public TransportCcRecorder(long originNanos) {
        this.originNanos = originNanos;
        Arrays.fill(arrivalMicros, -1);
    }

    /** A packet with transport-wide sequence number {@code sequence} arrived at {@code arrivalNanos}. */
    public void record(int sequence, long arrivalNanos) {
        long seq = highest < 0 ? sequence & 0xFFFF : highest + (short) (sequence - (int) highest);
        if (base < 0) {
            base = seq;
        }
        if (seq < base) {
            return; // already reported (as lost)
        }
        if (seq - base >= MAX_PENDING) {
            // Too many since the last feedback: what did not fit is reported missing by skipping it.
            long newBase = seq - MAX_PENDING + 1;
            for (long s = base; s < Math.min(newBase, base + MAX_PENDING); s++) {
                arrivalMicros[(int) (s % MAX_PENDING)] = -1;
            }
            base = newBase;
        }
        arrivalMicros[(int) (seq % MAX_PENDING)] = Math.max(0, (arrivalNanos - originNanos) / 1000);
        if (seq > highest) {
            highest = seq;
        }
    }

    /**
     * The feedback for everything recorded since the last one, or null when nothing arrived;
     * clears it.
     */
    public TransportCcFeedback feedback(int senderSsrc, int mediaSsrc) {
        if (base < 0 || highest < base) {
            return null;
        }
        int count = (int) (highest - base + 1);
        byte[] statuses = new byte[count];
        int[] deltas = new int[count];
        long first = -1;
        for (int i = 0; i < count; i++) {
            long t = arrivalMicros[(int) ((base + i) % MAX_PENDING)];
            if (t >= 0 && first < 0) {
                first = t;
            }
        }
        if (first < 0) {
            return null;
        }
        // §3.1: the reference time in multiples of 64 ms, signed 24 bits
        int reference = (int) (first / 64_000) & 0x7F_FFFF;
        long previous = (first / 64_000) * 64_000; // in µs, the time deltas count from
        for (int i = 0; i < count; i++) {
            int slot = (int) ((base + i) % MAX_PENDING);
            long t = arrivalMicros[slot];
            arrivalMicros[slot] = -1;
            if (t < 0) {
                statuses[i] = TransportCcFeedback.NOT_RECEIVED;
                continue;
            }
            long delta = Math.round((t - previous) / (double) TransportCcFeedback.DELTA_MICROS);
            delta = Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, delta));
            statuses[i] = delta >= 0 && delta <= 255 ? TransportCcFeedback.SMALL_DELTA : TransportCcFeedback.LARGE_DELTA;
            deltas[i] = (int) delta;
            previous += delta * TransportCcFeedback.DELTA_MICROS;
        }
        int baseSeq = (int) (base & 0xFFFF);
        base = highest + 1;
        int fb = feedbackCount;
        feedbackCount = feedbackCount + 1 & 0xFF;
        return new TransportCcFeedback(senderSsrc, mediaSsrc, baseSeq, reference, fb, statuses, deltas);
    }
}
