package dev.vireo.cluster.registry;

import dev.vireo.core.StreamKey;

/**
 * Who publishes a stream in the cluster: the owner node and the epoch of its claim, the fencing
 * token (every new claim of a key gets a higher one; an owner holding a lower one lost it).
 */
public record Claim(StreamKey key, String node, long epoch) {

    /** The value stored at {@code vireo:stream:...}: {@code {epoch}|{node}}. */
    public String value() {
        return epoch + "|" + node;
    }

    /** The claim a stored value describes, or null when it is not one. */
    public static Claim parse(StreamKey key, String value) {
        if (value == null) {
            return null;
        }
        int bar = value.indexOf('|');
        if (bar <= 0 || bar == value.length() - 1) {
            return null;
        }
        try {
            return new Claim(key, value.substring(bar + 1), Long.parseLong(value.substring(0, bar)));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
