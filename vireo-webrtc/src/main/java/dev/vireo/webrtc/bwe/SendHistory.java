package dev.vireo.webrtc.bwe;

import dev.vireo.webrtc.rtcp.TransportCcFeedback;
import java.util.ArrayList;
import java.util.List;

/**
 * The sender's record of what it sent under transport-wide sequence numbers
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2: the header extension numbers every
 * packet of the session in one 16-bit space), and the matching of a {@link TransportCcFeedback}
 * against it into {@link PacketResult}s (§3.1: statuses and receive deltas from a base sequence
 * number and a 24-bit reference time in 64 ms units).
 *
 * <p>A ring of {@link #CAPACITY} entries (2 s at 1 000 packets/s, 8 s at 2.5 Mbps of 1200-byte
 * packets; about 40 KB per viewer; Chromium reports every 50–100 ms): feedback for
 * older packets, or for sequence numbers never sent, is ignored. Sequence numbers and the
 * reference time are unwrapped against the newest seen. Each packet is reported once: a second
 * report of a received packet (a feedback resent) is dropped. Not thread-safe; no clock of its
 * own (times are arguments).
 */
public final class SendHistory {

    /** Packets remembered. */
    public static final int CAPACITY = 2048;

    private final long[] sendNanos = new long[CAPACITY];
    private final int[] sizes = new int[CAPACITY];
    private final long[] sequences = new long[CAPACITY];
    private final boolean[] acked = new boolean[CAPACITY];
    private final int[] clusters = new int[CAPACITY];
    private long highest = -1;
    /** Unwrapped reference time (64 ms units) of the last feedback, or Long.MIN_VALUE. */
    private long lastReference = Long.MIN_VALUE;

    public SendHistory() {
        java.util.Arrays.fill(sequences, -1);
    }

    /** We sent {@code size} bytes under transport-wide sequence number {@code sequence} (16-bit) at {@code nowNanos}. */
    public void onPacketSent(int sequence, int size, long nowNanos) {
        onPacketSent(sequence, size, nowNanos, -1);
    }

    /** The same, for a packet of probe cluster {@code probeCluster} (-1: none). */
    public void onPacketSent(int sequence, int size, long nowNanos, int probeCluster) {
        long seq = unwrap(sequence);
        if (seq > highest) {
            highest = seq;
        }
        int slot = (int) (seq & CAPACITY - 1);
        sequences[slot] = seq;
        sendNanos[slot] = nowNanos;
        sizes[slot] = size;
        acked[slot] = false;
        clusters[slot] = probeCluster;
    }

    /**
     * The packets {@code feedback} reports on that this history knows, in sequence order, lost
     * ones included (arrival {@link PacketResult#LOST}); arrival times count from an arbitrary
     * origin on the receiver's clock, continuous across feedbacks.
     */
    public List<PacketResult> onFeedback(TransportCcFeedback feedback) {
        List<PacketResult> out = new ArrayList<>(feedback.packetStatusCount());
        if (highest < 0) {
            return out;
        }
        // §3.1: reference time, signed 24 bits in 64 ms: unwrap against the previous feedback's
        long reference = feedback.referenceTime() & 0xFF_FFFF;
        if (lastReference != Long.MIN_VALUE) {
            int diff = (int) ((reference - lastReference) << 40 >> 40); // sign-extend 24 bits
            reference = lastReference + diff;
        }
        lastReference = reference;
        long[] arrivals = feedback.arrivalTimesMicros();
        byte[] statuses = feedback.statuses();
        long base = unwrap(feedback.baseSequence());
        long shiftMicros = reference * 64_000L - feedback.referenceTimeMicros(); // the unwrapping
        for (int i = 0; i < arrivals.length; i++) {
            long seq = base + i;
            int slot = (int) (seq & CAPACITY - 1);
            if (seq < 0 || sequences[slot] != seq || acked[slot]) {
                continue;
            }
            long arrival = PacketResult.LOST;
            if (statuses[i] != TransportCcFeedback.NOT_RECEIVED) {
                arrival = (arrivals[i] + shiftMicros) * 1000;
                acked[slot] = true;
            }
            out.add(new PacketResult(seq, sendNanos[slot], sizes[slot], arrival, clusters[slot]));
        }
        return out;
    }

    private long unwrap(int sequence) {
        if (highest < 0) {
            return sequence & 0xFFFF;
        }
        return highest + (short) (sequence - (int) highest);
    }
}
