package dev.vireo.transcode.html5;

import dev.vireo.core.HubListener;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.StreamStats;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * {@code transcode.html5-eager}: watches new publishers and, once a stream's first frames tell
 * what it carries, starts its {@code @html5} variant when browsers will need it (see
 * {@link Html5Variant#keyFor}). B-frames show in the first frames of a GOP and the audio codec
 * with its sequence header, so the check waits for about {@link #FRAMES_SEEN} video frames
 * (at most {@link #MAX_WAIT_MS}, e.g. for a stream without video) before deciding: a variant planned earlier
 * would copy B-frame video it should have transcoded.
 */
public final class EagerHtml5 implements HubListener {

    static final int FRAMES_SEEN = 8;
    static final long CHECK_EVERY_MS = 100;
    static final long MAX_WAIT_MS = 3000;

    private final StreamHub hub;
    private final EventExecutor executor;
    private final Predicate<StreamKey> wanted;
    private final Consumer<StreamKey> start;

    public EagerHtml5(StreamHub hub, EventExecutor executor, Predicate<StreamKey> wanted, Consumer<StreamKey> start) {
        this.hub = hub;
        this.executor = executor;
        this.wanted = wanted;
        this.start = start;
    }

    @Override
    public void onPublish(Stream stream, String sessionId) {
        if (stream.isDerived() || stream.key().stream().endsWith(Html5Variant.SUFFIX)) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_WAIT_MS);
        executor.schedule(() -> check(stream.key(), sessionId, deadline), CHECK_EVERY_MS, TimeUnit.MILLISECONDS);
    }

    private void check(StreamKey key, String sessionId, long deadline) {
        Stream stream = hub.find(key).orElse(null);
        if (stream == null || !stream.isLive() || !sessionId.equals(stream.stats().publisherSession())) {
            return; // gone, or another publisher now (it has its own check)
        }
        StreamStats s = stream.stats();
        // audio and video frames interleave: twice the video frames seen covers both headers
        boolean known = s.videoCodec() != null && s.framesIn() >= 2L * FRAMES_SEEN;
        if (!known && System.nanoTime() < deadline) {
            executor.schedule(() -> check(key, sessionId, deadline), CHECK_EVERY_MS, TimeUnit.MILLISECONDS);
            return;
        }
        Html5Variant.keyFor(stream).filter(v -> wanted.test(key)).ifPresent(start);
    }
}
