package dev.vireo.core;

import java.time.Duration;

/**
 * Hub limits and timing.
 *
 * @param reconnectGrace how long viewers stay attached after the publisher leaves, waiting for it to
 *     come back on the same key
 * @param gopCacheMaxFrames upper bound on frames kept since the last keyframe (a stream with a huge
 *     or no GOP must not grow the cache without bound)
 * @param gopCacheMaxBytes upper bound on payload bytes kept in the GOP cache
 * @param slowViewerMaxLag how long a viewer may stay unable to take data before it is disconnected
 */
public record HubConfig(Duration reconnectGrace, int gopCacheMaxFrames, long gopCacheMaxBytes,
                        Duration slowViewerMaxLag) {

    public static HubConfig defaults() {
        return new HubConfig(Duration.ofSeconds(10), 2_000, 32L << 20, Duration.ofSeconds(10));
    }

    public HubConfig withReconnectGrace(Duration grace) {
        return new HubConfig(grace, gopCacheMaxFrames, gopCacheMaxBytes, slowViewerMaxLag);
    }

    public HubConfig withSlowViewerMaxLag(Duration lag) {
        return new HubConfig(reconnectGrace, gopCacheMaxFrames, gopCacheMaxBytes, lag);
    }
}
