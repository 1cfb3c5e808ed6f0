package dev.vireo.http.hls;

import java.time.Duration;

/**
 * HLS and LL-HLS settings.
 *
 * @param segmentTarget segments are cut at the first keyframe at least this long after the
 *     segment's start (a longer GOP makes longer segments)
 * @param partTarget LL-HLS Part Target Duration
 * @param windowSegments complete segments listed in a playlist
 * @param tokenTtl how long the session token of segment URLs in a playlist stays valid
 * @param idleTimeout a stream's segmenter stops when no playlist or segment was asked for this long
 * @param maxWaiting blocked requests (blocking reloads, preload hints) parked per stream at most
 */
public record HlsConfig(Duration segmentTarget, Duration partTarget, int windowSegments, Duration tokenTtl,
                        Duration idleTimeout, int maxWaiting) {

    public HlsConfig {
        if (segmentTarget.toMillis() < 500 || partTarget.toMillis() < 50
                || partTarget.toMillis() > segmentTarget.toMillis()) {
            throw new IllegalArgumentException("HLS segment target must be ≥ 0.5 s and part target between 50 ms"
                    + " and the segment target");
        }
        if (windowSegments < 3 || tokenTtl.toSeconds() < 1 || idleTimeout.toMillis() < 1000 || maxWaiting < 1) {
            throw new IllegalArgumentException("HLS window ≥ 3 segments, token lifetime ≥ 1 s, idle timeout ≥ 1 s");
        }
    }

    public static HlsConfig defaults() {
        return new HlsConfig(Duration.ofSeconds(2), Duration.ofMillis(200), 10, Duration.ofSeconds(60),
                Duration.ofSeconds(30), 10_000);
    }

    public HlsConfig withSegmentTarget(Duration d) {
        return new HlsConfig(d, partTarget, windowSegments, tokenTtl, idleTimeout, maxWaiting);
    }

    public HlsConfig withPartTarget(Duration d) {
        return new HlsConfig(segmentTarget, d, windowSegments, tokenTtl, idleTimeout, maxWaiting);
    }

    public HlsConfig withTokenTtl(Duration d) {
        return new HlsConfig(segmentTarget, partTarget, windowSegments, d, idleTimeout, maxWaiting);
    }

    public HlsConfig withIdleTimeout(Duration d) {
        return new HlsConfig(segmentTarget, partTarget, windowSegments, tokenTtl, d, maxWaiting);
    }
}
