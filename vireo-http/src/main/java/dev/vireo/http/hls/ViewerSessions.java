package dev.vireo.http.hls;

import java.util.concurrent.ConcurrentHashMap;

/**
 * HLS viewers counted by distinct session id (see {@link SessionTokens}) seen within a window:
 * HTTP has no connection per viewer, so a viewer is a session that keeps asking. Only for the
 * metrics; entries are dropped when the count is read or the map grows.
 */
final class ViewerSessions {

    private static final int PRUNE_ABOVE = 100_000;

    private final ConcurrentHashMap<String, Long> lastSeen = new ConcurrentHashMap<>();
    private final long windowNanos;

    ViewerSessions(long windowNanos) {
        this.windowNanos = windowNanos;
    }

    void seen(String sid, long nowNanos) {
        lastSeen.put(sid, nowNanos);
        if (lastSeen.size() > PRUNE_ABOVE) {
            prune(nowNanos);
        }
    }

    int active(long nowNanos) {
        prune(nowNanos);
        return lastSeen.size();
    }

    private void prune(long nowNanos) {
        lastSeen.values().removeIf(t -> nowNanos - t > windowNanos);
    }
}
