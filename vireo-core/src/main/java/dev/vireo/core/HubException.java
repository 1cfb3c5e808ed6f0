package dev.vireo.core;

/**
 * A refusal by the hub with a reason meant for the peer and the log, e.g. a second publisher on a
 * live key or a play request for a stream that is not live.
 */
public final class HubException extends Exception {

    /** Why the hub refused. */
    public enum Reason {
        /** Another publisher is live on this key. */
        STREAM_BUSY,
        /** Nothing is published on this key. */
        STREAM_NOT_FOUND,
        /** An on-demand source refused to produce the stream (unknown template, capacity). */
        SOURCE_REFUSED,
        /** The hub is shutting down. */
        SHUTTING_DOWN,
        /** A cluster-wide check could not be made (the registry is unreachable): no new streams. */
        CLUSTER_UNAVAILABLE
    }

    /** The refusal of a second publisher on a live key, the same wherever the first one is. */
    public static HubException busy(StreamKey key) {
        return new HubException(Reason.STREAM_BUSY, "stream " + key.path() + " is already being published");
    }

    private final Reason reason;

    public HubException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
