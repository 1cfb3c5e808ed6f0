package dev.vireo.core;

/**
 * A check an ingest publisher passes before {@link StreamHub#publish} attaches it, beside the hub's
 * own one-publisher-per-key rule: the one admission point every protocol goes through. A cluster
 * registry refuses a key another node publishes ({@link HubException#busy}, the same message as
 * locally) and new streams while the registry is unreachable ({@code CLUSTER_UNAVAILABLE}).
 * Called on the publisher's thread (often an event loop): answers from memory, never blocks.
 */
@FunctionalInterface
public interface PublishGuard {

    /** Lets everything through (a single node). */
    PublishGuard NONE = (key, sessionId) -> { };

    /** @throws HubException the refusal, with the reason for the peer and the log */
    void admit(StreamKey key, String sessionId) throws HubException;
}
