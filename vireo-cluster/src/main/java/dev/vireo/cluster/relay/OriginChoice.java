package dev.vireo.cluster.relay;

import dev.vireo.cluster.StreamDirectory.NodeAddress;
import java.util.List;
import java.util.Optional;

/**
 * Which node an edge pulls from when several could serve a stream: the first in the edge's own
 * region, else the first. Today the directory names one owner per stream, so this only matters
 * once it offers more (other edges already pulling, origins in several regions); it is the one
 * place that policy lives.
 */
final class OriginChoice {

    private OriginChoice() {
    }

    static Optional<NodeAddress> prefer(String region, List<NodeAddress> candidates) {
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        if (region != null && !region.isEmpty()) {
            for (NodeAddress n : candidates) {
                if (region.equals(n.region())) {
                    return Optional.of(n);
                }
            }
        }
        return Optional.of(candidates.getFirst());
    }
}
