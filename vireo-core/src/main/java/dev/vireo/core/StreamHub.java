package dev.vireo.core;

import io.netty.util.concurrent.EventExecutor;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where publishers meet viewers. Every protocol adapter publishes into and plays
 * from the hub; adapters never talk to each other.
 */
public final class StreamHub implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StreamHub.class);

    private final HubConfig config;
    private final EventExecutor timer;
    private final ConcurrentHashMap<StreamKey, Stream> streams = new ConcurrentHashMap<>();
    private final List<HubListener> listeners = new CopyOnWriteArrayList<>();
    private final List<StreamSource> sources = new CopyOnWriteArrayList<>();
    private volatile PublishGuard guard = PublishGuard.NONE;
    private volatile boolean closed;

    /**
     * @param config limits and timing
     * @param timer runs the reconnect-grace timers (any executor; never blocked by the hub)
     */
    public StreamHub(HubConfig config, EventExecutor timer) {
        this.config = config;
        this.timer = timer;
    }

    public HubConfig config() {
        return config;
    }

    EventExecutor timer() {
        return timer;
    }

    public void addListener(HubListener listener) {
        listeners.add(listener);
    }

    /**
     * Sets the check every ingest publisher passes before it attaches (e.g. that no other node of
     * a cluster publishes the key); derived streams are not checked.
     */
    public void setPublishGuard(PublishGuard guard) {
        this.guard = guard == null ? PublishGuard.NONE : guard;
    }

    /** Adds a producer of on-demand streams, asked in the order added. */
    public void addSource(StreamSource source) {
        sources.add(source);
    }

    /**
     * Attaches a publisher to {@code key}. Viewers waiting in the reconnect grace period of a
     * previous publisher on the same key stay attached and continue with this one.
     *
     * @param onRevoked called (on any thread) when the hub revokes the publication (kick,
     *     shutdown): the adapter closes the connection with that reason
     * @throws HubException STREAM_BUSY when another publisher is live on the key
     */
    public Publication publish(StreamKey key, String sessionId, Consumer<String> onRevoked) throws HubException {
        return publish(key, sessionId, onRevoked, Stream.Producer.INGEST);
    }

    /**
     * As {@link #publish}, for a stream produced on this server from another one (a
     * {@link StreamSource}'s output): {@link Stream#isDerived()}, so that it does not count as
     * ingest.
     */
    public Publication publishDerived(StreamKey key, String sessionId, Consumer<String> onRevoked)
            throws HubException {
        return publish(key, sessionId, onRevoked, Stream.Producer.DERIVED);
    }

    /**
     * As {@link #publishDerived}, for a stand-in: a copy of a stream published on another node (an
     * edge's pull). A local producer of the key pre-empts it: an ingest publisher that the
     * {@link PublishGuard} admits (or a local transcode) takes the stream over, the stand-in's
     * {@code onRevoked} is called, and its viewers carry on with the newcomer as through the
     * reconnect grace (same stream, time line rebased), never ended. No unpublish event is fired
     * for the stand-in; the newcomer's publish event follows (an ingest one: the stream is no longer
     * {@link Stream#isDerived() derived}).
     */
    public Publication publishStandIn(StreamKey key, String sessionId, Consumer<String> onRevoked)
            throws HubException {
        return publish(key, sessionId, onRevoked, Stream.Producer.STAND_IN);
    }

    private Publication publish(StreamKey key, String sessionId, Consumer<String> onRevoked, Stream.Producer producer)
            throws HubException {
        boolean derived = producer != Stream.Producer.INGEST;
        if (!derived) {
            Stream local = streams.get(key);
            if (local == null || !local.isLive() || local.heldByStandIn()) {
                guard.admit(key, sessionId);
            }
        }
        while (true) {
            if (closed) {
                throw new HubException(HubException.Reason.SHUTTING_DOWN, "server is shutting down");
            }
            Stream stream = streams.computeIfAbsent(key, k -> new Stream(k, this, config));
            Stream.PublicationImpl p = stream.attachPublisher(sessionId, onRevoked, producer);
            if (p != null) {
                if (derived) {
                    stream.markDerived();
                }
                log.info("publish {} by {}", key, sessionId);
                for (HubListener l : listeners) {
                    l.onPublish(stream, sessionId);
                }
                return p;
            }
            if (stream.isLive()) {
                throw HubException.busy(key);
            }
            // The stream ended between lookup and attach: it is gone from the map, retry.
            streams.remove(key, stream);
        }
    }

    /**
     * Attaches a viewer to a live stream (or one whose publisher is within its reconnect grace),
     * or to an on-demand stream a {@link StreamSource} agrees to produce.
     *
     * @throws HubException STREAM_NOT_FOUND when nothing is published on the key and no source
     *     produces it; SOURCE_REFUSED when a source refused (its reason is the message)
     */
    public Subscription subscribe(StreamKey key, Subscriber viewer) throws HubException {
        Stream stream = streams.get(key);
        Delivery d = stream == null ? null : stream.attach(viewer);
        if (d == null && !closed) {
            stream = demand(key);
            d = stream == null ? null : stream.attach(viewer);
        }
        if (d == null) {
            throw new HubException(HubException.Reason.STREAM_NOT_FOUND, "stream " + key.path() + " is not live");
        }
        if (!viewer.internal()) {
            for (HubListener l : listeners) {
                l.onPlay(stream, viewer.id());
            }
        }
        return d;
    }

    /** Asks the sources to produce {@code key}; returns the (possibly still empty) stream or null. */
    private Stream demand(StreamKey key) throws HubException {
        for (StreamSource source : sources) {
            boolean accepted;
            try {
                accepted = source.demand(key);
            } catch (RuntimeException e) {
                throw new HubException(HubException.Reason.SOURCE_REFUSED, e.getMessage());
            }
            if (accepted) {
                Stream s = streams.computeIfAbsent(key, k -> new Stream(k, this, config));
                s.markDerived();
                s.awaitFirstPublisher(config.onDemandStartTimeout());
                return s;
            }
        }
        return null;
    }

    /**
     * Asks the sources again to produce {@code key} for the viewers its stream holds (a stand-in
     * handing the key over to a local producer; the viewers wait in the reconnect grace meanwhile).
     * Returns whether a source took it; false when the stream is gone or no source did.
     */
    public boolean demandAgain(StreamKey key) {
        if (closed || !streams.containsKey(key)) {
            return false;
        }
        for (StreamSource source : sources) {
            try {
                if (source.demand(key)) {
                    return true;
                }
            } catch (RuntimeException e) {
                log.info("{}: not produced here: {}", key, e.getMessage());
                return false;
            }
        }
        return false;
    }

    public Optional<Stream> find(StreamKey key) {
        return Optional.ofNullable(streams.get(key));
    }

    public Collection<Stream> streams() {
        return List.copyOf(streams.values());
    }

    /** Kicks the publisher and ends the stream for its viewers. Returns false when not found. */
    public boolean kick(StreamKey key, String reason) {
        Stream s = streams.get(key);
        if (s == null) {
            return false;
        }
        s.end(reason);
        return true;
    }

    /**
     * Ends {@code key}'s stream for its stand-in {@code sessionId} that cannot go on (an edge's
     * pull whose origin ended or refused), as {@link #kick} does, but only while the stream is still
     * that stand-in's: its publication attached last (live, or within the reconnect grace after it),
     * or no producer attached yet (an on-demand stream waiting for the stand-in's first frame). A
     * producer that attached meanwhile (a local publisher that pre-empted the stand-in after the
     * pull gave up) keeps the stream and its viewers. The check and the end are one step under the
     * stream's monitor, so no publisher can attach in between.
     *
     * @return false when no stream has the key (yet)
     */
    public boolean endStandIn(StreamKey key, String sessionId, String reason) {
        Stream s = streams.get(key);
        if (s == null) {
            return false;
        }
        s.endForStandIn(sessionId, reason);
        return true;
    }

    /** Ends every stream (viewers get their end, publishers are revoked); refuses new publishers. */
    @Override
    public void close() {
        closed = true;
        for (Stream s : streams.values()) {
            s.end("server shutting down");
        }
    }

    void forget(Stream stream) {
        streams.remove(stream.key(), stream);
    }

    void fireUnpublish(Stream s, String sessionId) {
        log.info("unpublish {} by {}", s.key(), sessionId);
        for (HubListener l : listeners) {
            safely(() -> l.onUnpublish(s, sessionId));
        }
    }

    void fireStop(Stream s, String sessionId) {
        for (HubListener l : listeners) {
            safely(() -> l.onStop(s, sessionId));
        }
    }

    void fireKeyframeRequest(Stream s, String viewerId) {
        for (HubListener l : listeners) {
            safely(() -> l.onKeyframeRequest(s, viewerId));
        }
    }

    void fireStreamEnd(Stream s, String reason) {
        for (HubListener l : listeners) {
            safely(() -> l.onStreamEnd(s, reason));
        }
    }

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.warn("hub listener failed", e);
        }
    }
}
