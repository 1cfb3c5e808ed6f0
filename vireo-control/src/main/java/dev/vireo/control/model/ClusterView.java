package dev.vireo.control.model;

import dev.vireo.core.StreamKey;
import java.util.Collection;
import java.util.List;

/**
 * What the control plane sees of the other nodes of a cluster (issue 19), given by the cluster
 * registry ({@code vireo-cluster}) through {@link dev.vireo.control.ControlPlane#withCluster}: streams live elsewhere
 * (for the per-domain stream limit and {@code GET /api/v1/streams}), the way to end one (forbid,
 * kick) and what {@code /api/v1/cluster/...} shows. Answers from memory: callable on event loops.
 */
public interface ClusterView {

    /** This node's {@code node.id}. */
    String nodeId();

    /** Streams published on other nodes now (not this one's). */
    Collection<RemoteStream> remoteStreams();

    /**
     * Asks the node that publishes {@code key} to end it with {@code reason}; false when no other
     * node publishes it (or the request could not be sent).
     */
    boolean kickRemote(StreamKey key, String reason);

    /** The nodes with a live lease, for {@code GET /api/v1/cluster/nodes} (serialized as they are). */
    List<?> nodes();

    /** Every stream claim in the registry, for {@code GET /api/v1/cluster/streams} (serialized as they are). */
    List<?> claims();

    /**
     * A stream another node publishes.
     *
     * @param node that node's id
     * @param region that node's region ("" when unset)
     * @param epoch the claim's fencing token
     */
    record RemoteStream(StreamKey key, String node, String region, long epoch) {
    }
}
