package dev.vireo.cluster.registry;

import dev.vireo.core.StreamKey;

/**
 * A hint on the {@code vireo:events} channel. Hints only say "look again": a receiver re-reads
 * the registry key or the store, never trusts the message for state (a hint may be lost, e.g.
 * while a node reconnects; the periodic re-read catches up). Text, tab-separated:
 * {@code type \t from-node \t ...}; at most {@link #MAX_LENGTH} characters.
 */
public sealed interface ClusterMessage {

    int MAX_LENGTH = 2048;

    /** The node that sent it. */
    String from();

    /** Configuration changed in the store (domains, keys, templates, bans): reload it. */
    record ConfigChanged(String from) implements ClusterMessage {
    }

    /** {@code key} was claimed or released: re-read its claim. */
    record ClaimChanged(String from, StreamKey key) implements ClusterMessage {
    }

    /** Node {@code target}, which publishes {@code key}, is asked to end it (forbid, kick). */
    record Kick(String from, String target, StreamKey key, String reason) implements ClusterMessage {
    }

    static String encode(ClusterMessage m) {
        return switch (m) {
            case ConfigChanged c -> "config\t" + c.from();
            case ClaimChanged c -> "claim\t" + c.from() + "\t" + RegistryKeys.name(c.key());
            case Kick k -> "kick\t" + k.from() + "\t" + k.target() + "\t" + RegistryKeys.name(k.key()) + "\t"
                    + clean(k.reason());
        };
    }

    /** @throws IllegalArgumentException with the reason when {@code text} is not a message */
    static ClusterMessage decode(String text) {
        if (text == null || text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("message missing or longer than " + MAX_LENGTH + " characters");
        }
        String[] f = text.split("\t", 5);
        if (f.length < 2 || f[1].isEmpty()) {
            throw new IllegalArgumentException("message without a type and a sender");
        }
        switch (f[0]) {
            case "config":
                return new ConfigChanged(f[1]);
            case "claim":
                if (f.length == 3 && RegistryKeys.parseName(f[2]) != null) {
                    return new ClaimChanged(f[1], RegistryKeys.parseName(f[2]));
                }
                break;
            case "kick":
                if (f.length == 5 && !f[2].isEmpty() && RegistryKeys.parseName(f[3]) != null) {
                    return new Kick(f[1], f[2], RegistryKeys.parseName(f[3]), f[4]);
                }
                break;
            default:
                throw new IllegalArgumentException("unknown message type '" + f[0] + "'");
        }
        throw new IllegalArgumentException("malformed '" + f[0] + "' message");
    }

    private static String clean(String reason) {
        String r = reason == null ? "" : reason.replace('\t', ' ').replace('\n', ' ');
        return r.length() > 512 ? r.substring(0, 512) : r;
    }
}
