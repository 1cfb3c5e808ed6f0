package dev.vireo.http.hls;

import dev.vireo.core.HubException;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.Subscription;
import io.netty.util.concurrent.EventExecutor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The running segmenters, one per stream: started by the first playlist request, stopped when
 * idle or when the stream ends. A stream's next segmenter (its publisher back after the grace, a
 * viewer back after the idle stop) goes on from its last Media Sequence Number with a
 * discontinuity: a player holding the playlist's URI never sees the numbering go back.
 */
final class Segmenters {

    private final StreamHub hub;
    private final HlsConfig config;
    /** Streams whose numbering a next segmenter continues, kept for this many keys at most. */
    static final int CONTINUATIONS_KEPT = 4096;

    private final ConcurrentHashMap<StreamKey, Segmenter> running = new ConcurrentHashMap<>();
    /** Where each stopped segmenter left its stream's numbering (oldest first; guarded by itself). */
    private final Map<StreamKey, Segmenter.Continuation> continuations = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<StreamKey, Segmenter.Continuation> eldest) {
            return size() > CONTINUATIONS_KEPT;
        }
    };

    Segmenters(StreamHub hub, HlsConfig config) {
        this.hub = hub;
        this.config = config;
    }

    /** The running segmenter of {@code key}, or null (segment requests never start one). */
    Segmenter find(StreamKey key) {
        Segmenter s = running.get(key);
        return s == null || s.isStopped() ? null : s;
    }

    /**
     * The segmenter of {@code key}, started on {@code loop} when there is none.
     *
     * @throws HubException when the stream is not live (or a source refused to make it)
     */
    Segmenter obtain(StreamKey key, EventExecutor loop) throws HubException {
        Segmenter s = find(key);
        if (s != null) {
            return s;
        }
        long gop = hub.find(key).map(Stream::stats).map(st -> st.gopMillis()).orElse(0L);
        Segmenter.Continuation from;
        synchronized (continuations) {
            from = continuations.getOrDefault(key, Segmenter.Continuation.NONE);
        }
        Segmenter fresh = new Segmenter(key, loop, config, gop, from, this::forget);
        // Subscribed before it is registered: a segmenter that find() returns already gets the
        // stream's frames (its GOP-cache start included), so nothing sent after find() is missed.
        Subscription sub = hub.subscribe(key, fresh);
        Segmenter raced = running.putIfAbsent(key, fresh);
        if (raced != null) {
            if (!raced.isStopped()) {
                sub.close();
                return raced;
            }
            if (!running.replace(key, raced, fresh)) {
                sub.close();
                return obtain(key, loop);
            }
        }
        if (loop.inEventLoop()) {
            fresh.start(sub);
        } else {
            loop.execute(() -> fresh.start(sub));
        }
        return fresh;
    }

    /** On the stopping segmenter's loop. */
    private void forget(Segmenter s) {
        Segmenter.Continuation c = s.continuation();
        if (c.nextMsn() > 0) {
            synchronized (continuations) {
                continuations.remove(s.key()); // re-inserted as the newest
                continuations.put(s.key(), c);
            }
        }
        running.remove(s.key(), s);
    }

    int count() {
        return running.size();
    }

    void stopAll() {
        running.values().forEach(s -> s.stop("server stopping"));
    }
}
