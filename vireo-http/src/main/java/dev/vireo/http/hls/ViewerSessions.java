package dev.vireo.http.hls;

import dev.vireo.core.StreamKey;
import java.util.concurrent.ConcurrentHashMap;

/**
 * HLS viewers counted by distinct session id (see {@link SessionTokens}) seen within a window:
 * HTTP has no connection per viewer, so a viewer is a session that keeps asking. Only for the
 * metrics and the per-stream counts of the API; entries are dropped when the count is read or the
 * map grows.
 */
final class ViewerSessions {

    private static final int PRUNE_ABOVE = 100_000;

    private record Seen(StreamKey key, long at) {
    }

    private final ConcurrentHashMap<String, Seen> lastSeen = new ConcurrentHashMap<>();
    private final long windowNanos;

    ViewerSessions(long windowNanos) {
        this.windowNanos = windowNanos;
    }

    void seen(StreamKey key, String sid, long nowNanos) {
        lastSeen.put(sid, new Seen(key, nowNanos));
        if (lastSeen.size() > PRUNE_ABOVE) {
            prune(nowNanos);
        }
    }

    int active(long nowNanos) {
        prune(nowNanos);
        return lastSeen.size();
    }

    /** Sessions of one stream seen within the window. */
    int active(StreamKey key, long nowNanos) {
        int n = 0;
        for (Seen s : lastSeen.values()) {
            if (s.key().equals(key) && nowNanos - s.at() <= windowNanos) {
                n++;
            }
        }
        return n;
    }

    private void prune(long nowNanos) {
        lastSeen.values().removeIf(s -> nowNanos - s.at() > windowNanos);
    }
}
