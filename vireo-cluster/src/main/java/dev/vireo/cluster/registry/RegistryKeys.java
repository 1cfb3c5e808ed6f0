package dev.vireo.cluster.registry;

import dev.vireo.core.StreamKey;

/**
 * The registry's names in Redis (one place, so the scripts, the scans and the docs agree):
 * <ul>
 *   <li>{@code vireo:node:{id}} — hash, a node's lease (address, role, region, load), PEXPIRE lease TTL</li>
 *   <li>{@code vireo:stream:{vhost}/{app}/{stream}} — string {@code {epoch}|{node}}, the owner's claim, PX claim TTL</li>
 *   <li>{@code vireo:fence:{vhost}/{app}/{stream}} — the last epoch issued for that key (the fencing token), PX 24 h</li>
 *   <li>{@code vireo:epoch} — the counter epochs come from</li>
 *   <li>{@code vireo:events} — pub/sub channel of hints ({@link ClusterMessage})</li>
 * </ul>
 */
public final class RegistryKeys {

    public static final String PREFIX = "vireo:";
    public static final String NODE = PREFIX + "node:";
    public static final String STREAM = PREFIX + "stream:";
    public static final String FENCE = PREFIX + "fence:";
    public static final String EPOCH = PREFIX + "epoch";
    public static final String CHANNEL = PREFIX + "events";

    private RegistryKeys() {
    }

    public static String node(String id) {
        return NODE + id;
    }

    public static String stream(StreamKey key) {
        return STREAM + name(key);
    }

    public static String fence(StreamKey key) {
        return FENCE + name(key);
    }

    /** {@code vhost/app/stream}: none of the three contains a slash. */
    public static String name(StreamKey key) {
        return key.vhost() + "/" + key.app() + "/" + key.stream();
    }

    /** The key a {@link #name} names, or null when {@code text} is not one. */
    public static StreamKey parseName(String text) {
        if (text == null) {
            return null;
        }
        String[] parts = text.split("/", 3);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
            return null;
        }
        return new StreamKey(parts[0], parts[1], parts[2]);
    }

    /** The stream of a {@code vireo:stream:...} Redis key, or null. */
    public static StreamKey ofStreamKey(String redisKey) {
        return redisKey != null && redisKey.startsWith(STREAM) ? parseName(redisKey.substring(STREAM.length())) : null;
    }
}
