package dev.vireo.core;

/**
 * Stream life-cycle events (for webhooks, metrics, logs). Called synchronously from the thread
 * that caused the event: implementations must be quick and must not block (hand work off).
 */
public interface HubListener {

    default void onPublish(Stream stream, String sessionId) {
    }

    default void onUnpublish(Stream stream, String sessionId) {
    }

    default void onPlay(Stream stream, String sessionId) {
    }

    default void onStop(Stream stream, String sessionId) {
    }

    /**
     * A viewer needs a keyframe that the GOP cache does not hold ({@link Stream#requestKeyframe},
     * already coalesced per stream): a publisher that can be asked for one (WHIP: a PLI) should be.
     */
    default void onKeyframeRequest(Stream stream, String viewerId) {
    }

    /** The stream is gone for good (grace period over, kicked, or shutdown). */
    default void onStreamEnd(Stream stream, String reason) {
    }
}
