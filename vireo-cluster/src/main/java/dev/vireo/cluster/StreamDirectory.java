package dev.vireo.cluster;

import dev.vireo.core.StreamKey;

import java.util.Optional;

/**
 * Where a live stream is published in the cluster: what an edge asks before it pulls. The
 * Redis registry ({@code registry/}) implements it from stream ownership claims; the relay
 * ({@code relay/}) only reads it, and tests may give a fixed map.
 *
 * <p>Implementations answer from memory or with one short bounded lookup; the relay calls it
 * off the event loops.
 */
public interface StreamDirectory {

    /** The node publishing {@code key} now, or empty when no node does (or only this one). */
    Optional<NodeAddress> owner(StreamKey key);

    /**
     * One node as other nodes reach it.
     *
     * @param nodeId the node's {@code node.id}
     * @param region the node's {@code node.region} ("" when unset)
     * @param host the host of its {@code node.internal-address}
     * @param port its relay listener ({@code cluster.port}, as bound)
     */
    record NodeAddress(String nodeId, String region, String host, int port) {
    }
}
