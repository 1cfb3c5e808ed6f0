package dev.vireo.webrtc.whep.retransmit;

import java.util.Arrays;

/**
 * The sequence numbers (and timestamps) of a viewer's last {@link #SIZE} ULPFEC packets (RFC 5109,
 * sent on the media SSRC): a NACK for one of them is answered with an empty RTX packet of that
 * number ({@link RtxStream#sendEmpty}). libwebrtc's H.264 receiver (no picture ids) needs every
 * sequence number, FEC ones too, before it takes the frames after them as continuous: an FEC
 * packet lost for good would stall the picture until the next keyframe. On the session's loop only.
 */
public final class FecSequences {

    static final int SIZE = 256;

    private final int[] sequences = new int[SIZE];
    private final int[] timestamps = new int[SIZE];
    private int next;

    public FecSequences() {
        Arrays.fill(sequences, -1);
    }

    /** An FEC packet went out under {@code sequence}. */
    public void sent(int sequence, int timestamp) {
        sequences[next] = sequence & 0xFFFF;
        timestamps[next] = timestamp;
        next = (next + 1) % SIZE;
    }

    /** The index of a recent FEC packet's sequence number, or -1. */
    int find(int sequenceNumber) {
        int seq = sequenceNumber & 0xFFFF;
        for (int i = 0; i < SIZE; i++) {
            if (sequences[i] == seq) {
                return i;
            }
        }
        return -1;
    }

    int timestamp(int index) {
        return timestamps[index];
    }
}
