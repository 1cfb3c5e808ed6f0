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

    /** The stream is gone for good (grace period over, kicked, or shutdown). */
    default void onStreamEnd(Stream stream, String reason) {
    }
}
