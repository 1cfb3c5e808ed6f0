package dev.vireo.core;

import io.netty.util.concurrent.EventExecutor;

/**
 * A viewer of a stream. All callbacks run on {@link #executor()} (the viewer's channel event
 * loop), so an implementation needs no locking. Viewers on the same event loop share one delivery
 * queue per stream: the hub never schedules one task per viewer per frame.
 */
public interface Subscriber {

    /** Session id, for logs. */
    String id();

    /** The event loop every callback runs on. */
    EventExecutor executor();

    /**
     * A frame of the stream. The frame is valid during the call only: {@code retain()} it (or a
     * duplicate of its encoded bytes) to keep it. The first frames a viewer gets are the current
     * metadata and sequence headers followed by the GOP cache, so it starts on a keyframe.
     */
    void onFrame(MediaFrame frame);

    /** The stream ended (publisher gone past the grace period, kicked, server stopping). */
    void onEnd(String reason);

    /**
     * True for a reader inside the server (a transcoding job reading its source), not a viewer:
     * it gets frames like any viewer, but is not counted in {@link Stream#viewerCount()} and
     * raises no play/stop events (webhooks, metrics).
     */
    default boolean internal() {
        return false;
    }

    /**
     * The delivery protocol, for per-protocol viewer counts ({@code "whep"}, {@code "flv"},
     * {@code "rtmp"}, {@code "srt"}, ...); {@code "other"} when an implementation does not say.
     */
    default String protocol() {
        return "other";
    }
}
