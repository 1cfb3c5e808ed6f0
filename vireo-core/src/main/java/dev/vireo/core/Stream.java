package dev.vireo.core;

import dev.vireo.media.Codec;
import dev.vireo.media.CodecConfigs;
import dev.vireo.media.TrackInfo;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One live stream: the current publisher, its latest metadata and sequence headers, the GOP cache
 * and the viewers grouped by event loop.
 *
 * <p>Concurrency: publish, subscribe and detach take the stream's monitor. It is uncontended in
 * the steady state (only the publisher's thread publishes), costs tens of nanoseconds per frame,
 * and makes the start-up snapshot for a new viewer atomic with its registration. Delivery to
 * viewers happens outside of it, on the viewers' own event loops ({@link LoopQueue}).
 */
public final class Stream {

    private static final Logger log = LoggerFactory.getLogger(Stream.class);
    /** Keyframe requests to the publisher are coalesced per stream to one per this interval. */
    static final long KEYFRAME_REQUEST_INTERVAL_MILLIS = 500;
    private static final TrackInfo NO_INFO = new TrackInfo(null, 0, 0, "", "", 0, 0, 0);

    private final StreamKey key;
    private final StreamHub hub;
    private final HubConfig config;
    private final GopCache gop;
    private final StreamMeter meter = new StreamMeter();
    private final Map<EventExecutor, LoopQueue> loops = new IdentityHashMap<>();
    private final Instant startedAt = Instant.now();

    private MediaFrame metadata;
    private MediaFrame videoConfig;
    private MediaFrame audioConfig;
    private Codec videoCodec;
    private Codec audioCodec;
    private TrackInfo video = NO_INFO;
    private TrackInfo audio = NO_INFO;

    private PublicationImpl publisher;
    /** The producer that attached last, kept through its reconnect grace; null before the first. */
    private PublicationImpl holder;
    /** Highest dts sent to viewers, on their time line; -1 before the first frame. */
    private long lastDts = -1;
    /** Added to the publisher's time stamps so that viewers see one continuous time line. */
    private long dtsOffset;
    private boolean rebasePending;
    private ScheduledFuture<?> graceTimer;
    private int viewers;
    private boolean ended;
    private long lastKeyframeRequestNanos = Long.MIN_VALUE;
    /** Produced on this server from another stream (a transcoding output), not ingested. */
    private volatile boolean derived;

    Stream(StreamKey key, StreamHub hub, HubConfig config) {
        this.key = key;
        this.hub = hub;
        this.config = config;
        this.gop = new GopCache(config.gopCacheMaxFrames(), config.gopCacheMaxBytes());
    }

    public StreamKey key() {
        return key;
    }

    /** True when the stream carries (or announced) video. */
    public synchronized boolean hasVideo() {
        return videoCodec != null;
    }

    public synchronized boolean hasAudio() {
        return audioCodec != null;
    }

    /** The video's codec (from its sequence header or frames), or null: no frame to retain for it. */
    public synchronized Codec videoCodec() {
        return videoCodec;
    }

    /** The audio's codec, as {@link #videoCodec()}, or null. */
    public synchronized Codec audioCodec() {
        return audioCodec;
    }

    /**
     * Whether this stream is produced on this server from another one (a transcoding output,
     * published by a {@link StreamSource}) rather than ingested from a publisher: ingest metrics
     * and publish webhooks leave it out.
     */
    public boolean isDerived() {
        return derived;
    }

    void markDerived() {
        derived = true;
    }

    /** Viewers attached now; server-internal readers ({@link Subscriber#internal()}) are not counted. */
    public synchronized int viewerCount() {
        return viewers;
    }

    /** True while a publisher is attached (false during the reconnect grace period). */
    public synchronized boolean isLive() {
        return publisher != null;
    }

    /**
     * The current video sequence header, or null. Retained for the caller, who owns that
     * reference and must release it, also on every error path ({@code try/finally}): the stream
     * replaces and releases its own reference on another thread, so there is no borrowed,
     * unretained view. A reference never released keeps the frame, its payload and every
     * encoding cached on it ({@link MediaFrame#encoded}) alive until the GC, which Netty's leak
     * detector reports and the tests' leak guard fails on (docs/RELIABILITY.md).
     */
    public synchronized MediaFrame videoConfig() {
        return videoConfig == null ? null : videoConfig.retain();
    }

    /** The current audio sequence header, or null; retained for the caller, as {@link #videoConfig()}. */
    public synchronized MediaFrame audioConfig() {
        return audioConfig == null ? null : audioConfig.retain();
    }

    /**
     * The GOP cache now: retained copies of the latest keyframe and the frames after it, oldest
     * first (the caller releases them); empty when no keyframe is cached (audio only, a GOP over
     * the cache's bounds, or none seen yet). For a viewer that must restart decoding (a WebRTC
     * viewer's start after its handshake, or its keyframe request).
     */
    public synchronized List<MediaFrame> cachedGop() {
        List<MediaFrame> out = new ArrayList<>(gop.frameCount());
        gop.snapshot(out);
        return out;
    }

    /**
     * A viewer needs a keyframe the cache does not hold: the stream's publisher is asked for one
     * through {@link HubListener#onKeyframeRequest} (a WebRTC publisher sends a PLI), coalesced per
     * stream to at most one per {@value #KEYFRAME_REQUEST_INTERVAL_MILLIS} ms however many viewers
     * ask. Any thread.
     *
     * @return whether the request went on to the publisher (false: coalesced with a recent one)
     */
    public boolean requestKeyframe(String viewerId) {
        long now = System.nanoTime();
        synchronized (this) {
            if (ended || publisher == null || lastKeyframeRequestNanos != Long.MIN_VALUE
                    && now - lastKeyframeRequestNanos < KEYFRAME_REQUEST_INTERVAL_MILLIS * 1_000_000L) {
                return false;
            }
            lastKeyframeRequestNanos = now;
        }
        hub.fireKeyframeRequest(this, viewerId);
        return true;
    }

    public synchronized StreamStats stats() {
        TrackInfo v = video;
        TrackInfo a = audio;
        return new StreamStats(key, publisher == null ? null : publisher.sessionId, startedAt,
                videoCodec == null ? null : videoCodec.name(), audioCodec == null ? null : audioCodec.name(),
                v.width(), v.height(), v.profile(), a.sampleRate(), a.channels(),
                round(meter.fps()), round(meter.bitrateKbps()), meter.lastGopFrames(), meter.lastGopMillis(),
                meter.bFrames(), viewers, meter.framesIn(), meter.bytesIn(), gop.frameCount());
    }

    /**
     * Viewers attached now by {@link Subscriber#protocol()} (internal readers not counted), in
     * protocol order; empty when nobody watches.
     */
    public synchronized java.util.SortedMap<String, Integer> viewersByProtocol() {
        java.util.SortedMap<String, Integer> counts = new java.util.TreeMap<>();
        for (LoopQueue q : loops.values()) {
            for (Delivery d : q.viewers()) {
                if (!d.subscriber.internal()) {
                    counts.merge(d.subscriber.protocol(), 1, Integer::sum);
                }
            }
        }
        return counts;
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    /** True while a stand-in ({@link StreamHub#publishStandIn}: an edge's pull) publishes the stream. */
    synchronized boolean heldByStandIn() {
        return publisher != null && publisher.standIn;
    }

    // ---- publishing (called by the hub / the publication) ----

    /** Who attaches: an ingest publisher, a local producer (transcode), or a stand-in (an edge's pull). */
    enum Producer { INGEST, DERIVED, STAND_IN }

    /**
     * Under the hub's attach protocol; returns null when the key is busy. A stand-in publisher
     * yields to a local producer: it is revoked and the newcomer takes its viewers exactly as a
     * publisher resuming within the reconnect grace does (same stream, time line rebased).
     */
    PublicationImpl attachPublisher(String sessionId, Consumer<String> onRevoked, Producer producer) {
        PublicationImpl displaced = null;
        PublicationImpl attached;
        synchronized (this) {
            if (ended) {
                return null;
            }
            if (publisher != null) {
                if (!publisher.standIn || producer == Producer.STAND_IN) {
                    return null;
                }
                displaced = publisher;
                displaced.closed = true;
                publisher = null;
                log.info("publisher {} pre-empts {} on {} (a copy of a stream published elsewhere); {} viewer(s) kept",
                        sessionId, displaced.sessionId, key, viewers);
            }
            if (graceTimer != null) {
                graceTimer.cancel(false);
                graceTimer = null;
                if (lastDts >= 0) {
                    log.info("publisher {} resumed {} within the grace period; {} viewer(s) kept", sessionId, key, viewers);
                } else {
                    // an on-demand stream (awaitFirstPublisher): nobody published it before
                    log.info("publisher {} started {}, which {} viewer(s) waited for", sessionId, key, viewers);
                }
            }
            if (producer == Producer.INGEST) {
                derived = false; // ingested here now, whatever produced the key before
            }
            // A new publisher starts a new time line with its own sequence headers; viewers kept
            // through the grace period must not see time jump back, so it is rebased on the first frame.
            gop.clear();
            meter.resetTimeline();
            rebasePending = lastDts >= 0;
            dtsOffset = 0;
            publisher = new PublicationImpl(sessionId, onRevoked, producer == Producer.STAND_IN);
            holder = publisher;
            attached = publisher;
        }
        if (displaced != null) {
            displaced.revoke("pre-empted by " + sessionId + ", which publishes " + key.path() + " on this node");
        }
        return attached;
    }

    void send(PublicationImpl from, MediaFrame original) {
        MediaFrame frame = original;
        try {
            synchronized (this) {
                if (from != publisher) {
                    return;
                }
                if (rebasePending) {
                    rebasePending = false;
                    dtsOffset = lastDts + 1 - original.dts();
                }
                if (dtsOffset != 0) {
                    frame = original.withDts(original.dts() + dtsOffset);
                }
                lastDts = Math.max(lastDts, frame.dts());
                meter.onFrame(frame, System.nanoTime());
                remember(frame);
                for (LoopQueue q : loops.values()) {
                    q.offer(frame);
                }
            }
        } finally {
            if (frame != original) {
                frame.release();
            }
            original.release();
        }
    }

    private void remember(MediaFrame frame) {
        if (frame.isData()) {
            metadata = replace(metadata, frame);
        } else if (frame.isConfig()) {
            if (frame.isVideo()) {
                videoConfig = replace(videoConfig, frame);
                videoCodec = frame.codec();
                video = describe(frame);
            } else {
                audioConfig = replace(audioConfig, frame);
                audioCodec = frame.codec();
                audio = describe(frame);
            }
        } else {
            if (frame.isVideo()) {
                videoCodec = frame.codec();
            } else if (frame.isAudio() && audioCodec == null) {
                audioCodec = frame.codec();
            }
            gop.offer(frame, videoCodec != null);
        }
    }

    /** What the sequence header says (size, profile, rate); never throws on a bad header. */
    private static TrackInfo describe(MediaFrame config) {
        return CodecConfigs.describe(config.codec(), config.payload().duplicate()).orElse(NO_INFO);
    }

    private static MediaFrame replace(MediaFrame old, MediaFrame fresh) {
        if (old != null) {
            old.release();
        }
        return fresh.retain();
    }

    void detachPublisher(PublicationImpl from) {
        synchronized (this) {
            if (from != publisher) {
                return;
            }
            publisher = null;
            if (ended) {
                return;
            }
            long graceMillis = config.reconnectGrace().toMillis();
            graceTimer = hub.timer().schedule(() -> end("publisher left and did not come back within "
                    + graceMillis + " ms"), graceMillis, TimeUnit.MILLISECONDS);
        }
        hub.fireUnpublish(this, from.sessionId);
    }

    /**
     * An on-demand stream: viewers may attach before any publisher; the stream ends when none
     * comes within {@code timeout}. No effect when a publisher is attached or a timer runs.
     */
    synchronized void awaitFirstPublisher(java.time.Duration timeout) {
        if (ended || publisher != null || graceTimer != null) {
            return;
        }
        long millis = timeout.toMillis();
        graceTimer = hub.timer().schedule(() -> end("no publisher started within " + millis + " ms"),
                millis, TimeUnit.MILLISECONDS);
    }

    /** Ends the stream: viewers get their end, the hub forgets the key. */
    void end(String reason) {
        end(reason, null);
    }

    /**
     * Ends the stream for the stand-in {@code sessionId} (see {@link StreamHub#endStandIn}), only
     * while it is still the stand-in's: its publication attached last (live or within its grace),
     * or no producer attached at all yet. Returns whether this call ended it.
     */
    boolean endForStandIn(String sessionId, String reason) {
        return end(reason, sessionId);
    }

    /** Ends the stream, unless {@code standIn} is set and another producer holds it (checked under the monitor). */
    private boolean end(String reason, String standIn) {
        List<Delivery> toEnd = new ArrayList<>();
        PublicationImpl revoked;
        synchronized (this) {
            if (ended) {
                return false;
            }
            if (standIn != null && holder != null && !(holder.standIn && holder.sessionId.equals(standIn))) {
                log.info("stream {} not ended for {}, which no longer holds it ({} does): {}", key, standIn,
                        holder.sessionId, reason);
                return false;
            }
            ended = true;
            if (graceTimer != null) {
                graceTimer.cancel(false);
                graceTimer = null;
            }
            revoked = publisher;
            publisher = null;
            for (LoopQueue q : loops.values()) {
                toEnd.addAll(List.of(q.viewers()));
            }
            loops.clear();
            viewers = 0;
            gop.clear();
            metadata = release(metadata);
            videoConfig = release(videoConfig);
            audioConfig = release(audioConfig);
            hub.forget(this);
        }
        log.info("stream {} ended: {}", key, reason);
        if (revoked != null) {
            revoked.revoke(reason);
        }
        for (Delivery d : toEnd) {
            d.subscriber.executor().execute(() -> d.end(reason));
        }
        hub.fireStreamEnd(this, reason);
        return true;
    }

    private static MediaFrame release(MediaFrame f) {
        if (f != null) {
            f.release();
        }
        return null;
    }

    // ---- viewers ----

    /** Attaches a viewer; returns null when the stream is not playable. */
    Delivery attach(Subscriber viewer) {
        Delivery d;
        synchronized (this) {
            if (ended || (publisher == null && graceTimer == null)) {
                return null;
            }
            List<MediaFrame> burst = new ArrayList<>(gop.frameCount() + 3);
            if (metadata != null) {
                burst.add(metadata.retain());
            }
            if (videoConfig != null) {
                burst.add(videoConfig.retain());
            }
            if (audioConfig != null) {
                burst.add(audioConfig.retain());
            }
            int headers = burst.size();
            gop.snapshot(burst);
            LoopQueue q = loops.computeIfAbsent(viewer.executor(), LoopQueue::new);
            // Media queued for the loop now is in the burst when the burst has media: the GOP cache
            // holds every media frame since its keyframe, and a queued one before that is older than
            // the burst. A burst without media (an audio-only stream, a GOP too large to cache) has
            // none of them, and they are all newer than its headers: the viewer gets them.
            d = new Delivery(this, viewer, burst, burst.size() > headers ? q.offered() : 0);
            q.add(d);
            if (!viewer.internal()) {
                viewers++;
            }
        }
        // Start the viewer now even if no frame comes soon (e.g. publisher in its grace period).
        viewer.executor().execute(d::flushBurst);
        return d;
    }

    void detach(Delivery d) {
        synchronized (this) {
            LoopQueue q = loops.get(d.subscriber.executor());
            if (q == null) {
                return;
            }
            int before = q.viewers().length;
            if (q.remove(d)) {
                loops.remove(d.subscriber.executor());
            }
            if (q.viewers().length < before && !d.subscriber.internal()) {
                viewers--;
            }
        }
        if (!d.subscriber.internal()) {
            hub.fireStop(this, d.subscriber.id());
        }
    }

    /** The publisher's handle. */
    final class PublicationImpl implements Publication {

        final String sessionId;
        /** A copy of a stream published elsewhere: yields to a local producer of the key. */
        final boolean standIn;
        private final Consumer<String> onRevoked;
        private volatile boolean revoked;
        private volatile boolean closed;

        PublicationImpl(String sessionId, Consumer<String> onRevoked, boolean standIn) {
            this.sessionId = sessionId;
            this.onRevoked = onRevoked;
            this.standIn = standIn;
        }

        @Override
        public Stream stream() {
            return Stream.this;
        }

        @Override
        public void send(MediaFrame frame) {
            if (closed) {
                frame.release();
                return;
            }
            Stream.this.send(this, frame);
        }

        @Override
        public boolean isRevoked() {
            return revoked;
        }

        void revoke(String reason) {
            revoked = true;
            closed = true;
            try {
                onRevoked.accept(reason);
            } catch (RuntimeException e) {
                log.warn("publisher {} of {} failed on revoke", sessionId, key, e);
            }
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            detachPublisher(this);
        }
    }
}
