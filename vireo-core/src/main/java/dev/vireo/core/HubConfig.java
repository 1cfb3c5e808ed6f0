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
 * @param onDemandStartTimeout how long viewers of an on-demand stream ({@link StreamSource}) wait
 *     for its first publisher before they are ended
 */
public record HubConfig(Duration reconnectGrace, int gopCacheMaxFrames, long gopCacheMaxBytes,
                        Duration slowViewerMaxLag, Duration onDemandStartTimeout) {

    public static HubConfig defaults() {
        return new HubConfig(Duration.ofSeconds(10), 2_000, 32L << 20, Duration.ofSeconds(10), Duration.ofSeconds(15));
    }

    public HubConfig withReconnectGrace(Duration grace) {
        return new HubConfig(grace, gopCacheMaxFrames, gopCacheMaxBytes, slowViewerMaxLag, onDemandStartTimeout);
    }

    public HubConfig withSlowViewerMaxLag(Duration lag) {
        return new HubConfig(reconnectGrace, gopCacheMaxFrames, gopCacheMaxBytes, lag, onDemandStartTimeout);
    }

    public HubConfig withOnDemandStartTimeout(Duration timeout) {
        return new HubConfig(reconnectGrace, gopCacheMaxFrames, gopCacheMaxBytes, slowViewerMaxLag, timeout);
    }
}
