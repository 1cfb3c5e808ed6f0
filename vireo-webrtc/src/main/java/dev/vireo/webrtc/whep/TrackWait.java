package dev.vireo.webrtc.whep;

import dev.vireo.core.HubException;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.StreamStats;
import dev.vireo.core.Subscriber;
import dev.vireo.core.Subscription;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Before a WHEP answer is built for a stream whose tracks are not known here yet — an on-demand
 * stream: an edge's pull from its origin, a transcoding template — starts it and waits until its
 * start-up burst (metadata, sequence headers, then the GOP) has reached its first media frame, or
 * {@code max}. Then the answer and the browser-variant choice see what the stream carries, as they
 * do for a stream published on this node (an AAC stream pulled to a cold edge was played as it is,
 * without audio, instead of as its browser variant).
 *
 * <p>It holds the stream as an internal reader (not a viewer); {@link #close()} lets it go once the
 * viewer's own subscription holds it. A stream published here, or nothing that produces the key,
 * needs no wait: {@link #ready()} is complete at once.
 */
final class TrackWait implements Subscriber, AutoCloseable {

    private final String id;
    private final EventExecutor loop;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private volatile Subscription subscription;

    private TrackWait(String id, EventExecutor loop) {
        this.id = id;
        this.loop = loop;
    }

    /**
     * @param loop the event loop the request runs on: {@link #ready()} completes there
     */
    static TrackWait start(StreamHub hub, StreamKey key, String id, EventExecutor loop, Duration max) {
        TrackWait w = new TrackWait(id, loop);
        Optional<Stream> stream = hub.find(key);
        if (stream.isPresent() && known(stream.get())) {
            w.ready.complete(null);
            return w;
        }
        try {
            w.subscription = hub.subscribe(key, w);
        } catch (HubException e) {
            w.ready.complete(null); // not produced here: the offer is refused as before
            return w;
        }
        loop.schedule(() -> w.ready.complete(null), max.toMillis(), TimeUnit.MILLISECONDS);
        return w;
    }

    private static boolean known(Stream s) {
        StreamStats stats = s.stats();
        return stats.videoCodec() != null || stats.audioCodec() != null;
    }

    /** Complete (on the request's event loop) when the stream's tracks are known, or the wait ran out. */
    CompletableFuture<Void> ready() {
        return ready;
    }

    /** Whether the answer had to wait for the stream. */
    boolean waited() {
        return subscription != null;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public EventExecutor executor() {
        return loop;
    }

    @Override
    public void onFrame(MediaFrame frame) {
        if (!frame.isConfig() && !frame.isData()) {
            ready.complete(null); // past the sequence headers: every track's configuration is in
        }
    }

    @Override
    public void onEnd(String reason) {
        ready.complete(null);
    }

    @Override
    public boolean internal() {
        return true;
    }

    @Override
    public void close() {
        Subscription s = subscription;
        if (s != null) {
            s.close();
        }
    }
}
