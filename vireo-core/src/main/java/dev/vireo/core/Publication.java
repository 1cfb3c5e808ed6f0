package dev.vireo.core;

/**
 * A publisher's attachment to a stream, granted by {@link StreamHub#publish}. Only one
 * publication is live per {@link StreamKey} at a time.
 */
public interface Publication extends AutoCloseable {

    Stream stream();

    /**
     * Publishes one frame to every viewer. Takes ownership of {@code frame} (the hub releases it).
     * Call from one thread at a time (the publisher's event loop).
     */
    void send(MediaFrame frame);

    /** True once the hub has revoked this publication (kicked, or server stopping). */
    boolean isRevoked();

    /**
     * The publisher is gone. Viewers stay attached for the reconnect grace period, so a publisher
     * that comes back on the same key keeps them.
     */
    @Override
    void close();
}
