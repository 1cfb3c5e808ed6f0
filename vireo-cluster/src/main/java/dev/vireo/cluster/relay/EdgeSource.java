package dev.vireo.cluster.relay;

import dev.vireo.cluster.StreamDirectory;
import dev.vireo.cluster.StreamDirectory.NodeAddress;
import dev.vireo.core.HubException;
import dev.vireo.core.HubListener;
import dev.vireo.core.LogContext;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.StreamSource;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge side of the relay: a hub {@link StreamSource}. When a local viewer (any protocol:
 * WebRTC, FLV, RTMP, HLS) wants a key nobody publishes here, it asks the
 * {@link StreamDirectory} which node publishes it and opens ONE pull ({@link EdgePull}) for the
 * key, which publishes into the local hub like a publisher: every local viewer of the key shares
 * it. The pull stops when the last local viewer has been gone for {@link RelayOptions#idleGrace()}.
 *
 * <p>Transcoded variants ({@code {stream}_{template}}, {@code {stream}@html5}) are pulled from
 * the node that publishes their source, which makes them once ({@link #withSourceOf}); register
 * this source before the transcoder's so that an edge pulls variants instead of making them.
 *
 * <p>The directory is asked off the event loops (virtual threads): {@link #demand} answers at once
 * and the viewer waits, as for any on-demand stream; when no node publishes the key, the waiting
 * viewers get their end with the reason.
 */
public final class EdgeSource implements StreamSource, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EdgeSource.class);
    private static final ThreadLocal<Boolean> SERVING_ORIGIN = new ThreadLocal<>();
    private static final AtomicLong PULLS = new AtomicLong();

    /** A hub call that may refuse. */
    @FunctionalInterface
    interface HubCall<T> {
        T call() throws HubException;
    }

    private final RelayOptions options;
    private final StreamHub hub;
    private final StreamDirectory directory;
    private final RelayAuth auth;
    private final EventLoopGroup workers;
    private final Class<? extends Channel> channelClass;
    /** Retry and idle timers. */
    private final DefaultEventExecutor timer = new DefaultEventExecutor(new DefaultThreadFactory("vireo-relay", true));
    private final Map<StreamKey, EdgePull> pulls = new ConcurrentHashMap<>();
    private final AtomicLong started = new AtomicLong();
    private volatile Function<StreamKey, Optional<StreamKey>> sourceOf = k -> Optional.empty();
    private volatile boolean closed;

    public EdgeSource(RelayOptions options, StreamHub hub, StreamDirectory directory, EventLoopGroup workers,
                      Class<? extends Channel> socketChannelClass) {
        this.options = options;
        this.hub = hub;
        this.directory = directory;
        this.auth = new RelayAuth(options.secret());
        this.workers = workers;
        this.channelClass = socketChannelClass;
    }

    /**
     * How to find the source of a derived key the directory does not know (a transcoded variant:
     * {@code live/demo_lhd} → {@code live/demo}); the variant is pulled from the source's node.
     */
    public EdgeSource withSourceOf(Function<StreamKey, Optional<StreamKey>> rule) {
        this.sourceOf = rule;
        return this;
    }

    /** Registers with the hub (as a source, and to see viewers leave). */
    public void start() {
        hub.addListener(new IdleWatch());
        hub.addSource(this);
        log.info("edge relay on: streams not published here are pulled from their node{}",
                options.region().isEmpty() ? "" : " (region " + options.region() + " preferred)");
    }

    /** Runs {@code call} as the origin side of a pull: this edge source then never pulls in turn (no loops). */
    static <T> T servingOrigin(HubCall<T> call) throws HubException {
        SERVING_ORIGIN.set(Boolean.TRUE);
        try {
            return call.call();
        } finally {
            SERVING_ORIGIN.remove();
        }
    }

    @Override
    public boolean demand(StreamKey key) {
        if (closed || SERVING_ORIGIN.get() != null || ingestedHere(sourceOf.apply(key).orElse(null))) {
            return false; // a variant of a stream published on this node is made here (the transcoder)
        }
        EdgePull fresh;
        synchronized (pulls) {
            if (pulls.containsKey(key)) {
                return true; // one pull per key, shared by every local viewer
            }
            fresh = new EdgePull(key, "pull-" + PULLS.incrementAndGet(), this);
            pulls.put(key, fresh);
        }
        started.incrementAndGet();
        fresh.lookupSoon(0);
        // a pull nobody watches (the viewer gave up before it came) still stops
        long first = hub.config().onDemandStartTimeout().plus(options.idleGrace()).toMillis();
        timer.schedule(() -> idleCheck(key), first, TimeUnit.MILLISECONDS);
        return true;
    }

    /** The node to pull {@code key} from, asked of the directory (blocking: off the event loops). */
    Optional<NodeAddress> owner(StreamKey key) {
        Optional<NodeAddress> owner = directory.owner(key);
        if (owner.isEmpty()) {
            owner = sourceOf.apply(key).flatMap(directory::owner);
        }
        return OriginChoice.prefer(options.region(), owner.map(List::of).orElse(List.of()));
    }

    /** Whether {@code key} is published on this node by an ingest publisher (live or within its grace). */
    private boolean ingestedHere(StreamKey key) {
        return key != null && hub.find(key).filter(s -> !s.isDerived()).isPresent();
    }

    /**
     * A pulled variant ({@code demo@html5}, {@code demo_lhd}) whose source is published on this node
     * now (its publisher moved here): the pull stops and the local sources (the transcoder) are asked
     * to make the variant for the same stream, whose viewers wait in the reconnect grace meanwhile.
     * Returns false (try again later) while the source is not live here with its tracks known yet.
     */
    boolean handOverToLocalSource(EdgePull pull) {
        StreamKey source = sourceOf.apply(pull.key).orElse(null);
        Stream s = source == null ? null : hub.find(source).orElse(null);
        if (s == null || s.isDerived() || !s.isLive() || !s.hasVideo() && !s.hasAudio()) {
            return false;
        }
        if (!pulls.remove(pull.key, pull) || !pull.stop("its source " + source.path() + " is published on this node now")) {
            return true;
        }
        boolean made = hub.demandAgain(pull.key);
        LogContext.run(pull.key, "relay", () -> log.info(made
                ? "relay: {} is made on this node now (its source {} is published here)"
                : "relay: {} cannot be made on this node (its source {} is published here): its viewers wait out"
                        + " the reconnect grace", pull.key, source));
        return true;
    }

    /** Keys pulled now. */
    public Set<StreamKey> pulling() {
        return Set.copyOf(pulls.keySet());
    }

    /** Pulls started since start (a counter). */
    public long pullsStarted() {
        return started.get();
    }

    RelayOptions options() {
        return options;
    }

    StreamHub hub() {
        return hub;
    }

    RelayAuth auth() {
        return auth;
    }

    EventLoopGroup workers() {
        return workers;
    }

    Class<? extends Channel> channelClass() {
        return channelClass;
    }

    DefaultEventExecutor timer() {
        return timer;
    }

    boolean closed() {
        return closed;
    }

    /**
     * Ends the local stream of a pull that cannot go on, with {@code reason} for its viewers, only
     * while the stream is still this pull's ({@link StreamHub#endStandIn}): a local publisher that
     * took the key over after the pull stopped keeps it. The hub makes the stream right after
     * {@link #demand} returns: a lookup faster than that tries again shortly.
     */
    void endStream(EdgePull pull, String reason, int attempt) {
        if (hub.endStandIn(pull.key, pull.id(), reason)) {
            pulls.remove(pull.key, pull); // ended, or another producer holds the key now: this pull is over
            return;
        }
        if (attempt < 40 && !closed) {
            timer.schedule(() -> endStream(pull, reason, attempt + 1), 25, TimeUnit.MILLISECONDS);
        } else {
            pulls.remove(pull.key, pull);
        }
    }

    private void idleCheck(StreamKey key) {
        EdgePull pull = pulls.get(key);
        if (pull == null) {
            return;
        }
        Stream s = hub.find(key).orElse(null);
        if (s == null) {
            if (pulls.remove(key, pull)) {
                pull.stop("stream gone");
            }
        } else if (s.viewerCount() == 0) {
            hub.endStandIn(key, pull.id(), "no viewer of " + key.path() + " on this edge for "
                    + options.idleGrace().toMillis() + " ms");
        }
    }

    /** Stops every pull. */
    @Override
    public void close() {
        closed = true;
        for (EdgePull p : pulls.values()) {
            p.stop("server shutting down");
        }
        pulls.clear();
        timer.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /** Sees local publishers take keys over, the last local viewer leave (idle grace) and the local stream end. Quick. */
    private final class IdleWatch implements HubListener {

        @Override
        public void onPublish(Stream stream, String sessionId) {
            if (stream.isDerived()) {
                return;
            }
            // A publisher of the key on this node: it pre-empted the pull (live, or waiting within
            // the grace for its origin to come back), whose viewers are its viewers now.
            EdgePull p = pulls.remove(stream.key());
            if (p != null && p.stop("a publisher of " + stream.key().path() + " on this node took it over")) {
                LogContext.run(stream.key(), sessionId, () -> log.info("relay of {} stopped: publisher {} on this"
                        + " node took the key over; {} viewer(s) kept", stream.key(), sessionId, stream.viewerCount()));
            }
        }

        @Override
        public void onStop(Stream stream, String sessionId) {
            if (pulls.containsKey(stream.key()) && stream.viewerCount() == 0 && !closed) {
                timer.schedule(() -> idleCheck(stream.key()), options.idleGrace().toMillis(), TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void onStreamEnd(Stream stream, String reason) {
            EdgePull p = pulls.remove(stream.key());
            if (p != null) {
                p.stop(reason);
            }
        }
    }
}
