package dev.vireo.webrtc.pacing;

import dev.vireo.webrtc.bwe.ProbeCluster;

/**
 * Paces one probe cluster (as libwebrtc's BitrateProber): its packets leave at the cluster's rate
 * — packet {@code k} when the bytes before it have had their time at that rate since the first —
 * until it holds its minimum packets and bytes. Sending a cluster as one burst would make its send
 * span zero and tell nothing of the rate. Pure: the caller sends at {@link #nextSendNanos} and
 * reports each packet ({@link #onSent}). Not thread-safe.
 */
public final class BitrateProber {

    private final ProbeCluster cluster;
    private long firstNanos = Long.MIN_VALUE;
    private long bytes;
    private int packets;

    public BitrateProber(ProbeCluster cluster) {
        this.cluster = cluster;
    }

    public ProbeCluster cluster() {
        return cluster;
    }

    /** When the next packet is due: at once for the first, then when the bytes sent have had their time. */
    public long nextSendNanos(long nowNanos) {
        if (firstNanos == Long.MIN_VALUE) {
            return nowNanos;
        }
        return firstNanos + (long) (bytes * 8e9 / cluster.bps());
    }

    /** A packet of {@code size} bytes left at {@code nowNanos}. */
    public void onSent(int size, long nowNanos) {
        if (firstNanos == Long.MIN_VALUE) {
            firstNanos = nowNanos;
        }
        bytes += size;
        packets++;
    }

    /** Whether the cluster holds its minimum packets and bytes. */
    public boolean done() {
        return packets >= cluster.minPackets() && bytes >= cluster.minBytes();
    }

    public int packets() {
        return packets;
    }

    public long bytes() {
        return bytes;
    }
}
