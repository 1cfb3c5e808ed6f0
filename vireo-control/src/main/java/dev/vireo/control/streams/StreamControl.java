package dev.vireo.control.streams;

import dev.vireo.control.domains.DomainService;
import dev.vireo.control.model.Account;
import dev.vireo.control.model.ApiException;
import dev.vireo.control.model.ClusterView;
import dev.vireo.control.model.Domain;
import dev.vireo.control.model.Names;
import dev.vireo.control.store.Database;
import dev.vireo.control.store.ForbiddenStore;
import dev.vireo.control.store.Registry;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.StreamStats;
import dev.vireo.http.StreamView;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Online streams per domain, and forbidding/resuming a stream: a forbidden stream's publisher is
 * kicked at once and refused by the Gate until resumed or until the given time. Blocking (store).
 */
public final class StreamControl {

    static final String FORBIDDEN_REASON = "stream forbidden by the administrator";
    static final String KICKED_REASON = "publisher kicked by the administrator";

    /** Outcome of a forbid: the stream key, when the ban ends (null: until resumed), whether a publisher was kicked. */
    record Forbidden(String domain, String app, String stream, String until, boolean kicked) {
    }

    private final Database db;
    private final Registry registry;
    private final DomainService domains;
    private final StreamHub hub;
    private final Clock clock;
    /** Extra statistics of a stream for the API (the transcoder's job of an output), or null. */
    private volatile Function<StreamKey, Object> details = key -> null;

    /** The other nodes of the cluster, or null on a single node. */
    private volatile ClusterView cluster;

    /**
     * A stream another node of the cluster holds, as {@code GET /api/v1/streams} lists it: that
     * node has its statistics.
     */
    record RemoteStreamView(String vhost, String app, String stream, boolean live, String node, String region) {
    }

    public void cluster(ClusterView view) {
        cluster = view;
    }

    /** The stream's SRT sessions with their libsrt statistics, or null. */
    private volatile Function<StreamKey, Object> srt = key -> null;

    /** The stream's WHEP viewer sessions with their statistics, or null. */
    private volatile Function<StreamKey, Object> webrtc = key -> null;

    /** Viewers a protocol outside the hub's subscribers counts (HLS sessions), per protocol. */
    private volatile Function<StreamKey, Map<String, Integer>> extraViewers = key -> Map.of();

    /** The stream's latest picture (JPEG), or empty when there is none yet. */
    private volatile Function<StreamKey, CompletionStage<Optional<byte[]>>> snapshots =
            key -> CompletableFuture.completedFuture(Optional.empty());

    public void extraViewers(Function<StreamKey, Map<String, Integer>> extra) {
        this.extraViewers = extra;
    }

    public void snapshots(Function<StreamKey, CompletionStage<Optional<byte[]>>> snapshots) {
        this.snapshots = snapshots;
    }

    public void details(Function<StreamKey, Object> details) {
        this.details = details;
    }

    public void srt(Function<StreamKey, Object> srt) {
        this.srt = srt;
    }

    public void webrtc(Function<StreamKey, Object> webrtc) {
        this.webrtc = webrtc;
    }

    private StreamView view(Stream s) {
        Map<String, Integer> counts = new TreeMap<>(s.viewersByProtocol());
        extraViewers.apply(s.key()).forEach((protocol, n) -> {
            if (n > 0) {
                counts.merge(protocol, n, Integer::sum);
            }
        });
        StreamStats stats = s.stats();
        ClusterView c = cluster;
        return StreamView.of(stats, details.apply(s.key()), srt.apply(s.key()),
                stats.videoCodec() == null ? null : snapshotPath(s.key()), c == null ? null : c.nodeId(), counts,
                webrtc.apply(s.key()));
    }

    /** The admin API's snapshot of a stream (fetched with the API key; the console's thumbnails). */
    static String snapshotPath(StreamKey key) {
        return "/api/v1/streams/" + key.vhost() + "/" + key.app() + "/" + key.stream() + "/snapshot.jpg";
    }

    public StreamControl(Database db, Registry registry, DomainService domains, StreamHub hub, Clock clock) {
        this.db = db;
        this.registry = registry;
        this.domains = domains;
        this.hub = hub;
        this.clock = clock;
    }

    /**
     * Live streams the caller may see: of one domain (a streaming domain shows its ingest domain's
     * streams), or of all its ingest domains; an admin without a domain sees every stream, including
     * the default vhost's.
     */
    public List<Object> online(Account caller, String domain) {
        Set<String> vhosts;
        if (domain != null) {
            Domain d = domains.get(caller, domain);
            Domain ingest = registry.state().ingestOf(d);
            vhosts = ingest == null ? Set.of() : Set.of(ingest.name());
        } else if (caller.admin()) {
            vhosts = null;
        } else {
            vhosts = domains.list(caller).stream().filter(Domain::isIngest).map(Domain::name).collect(Collectors.toSet());
        }
        List<Stream> local = hub.streams().stream()
                .filter(s -> vhosts == null || vhosts.contains(s.key().vhost()))
                .sorted(Comparator.comparing((Stream s) -> s.key().vhost()).thenComparing(s -> s.key().app())
                        .thenComparing(s -> s.key().stream()))
                .toList();
        List<Object> out = new ArrayList<>();
        local.forEach(s -> out.add(view(s)));
        ClusterView c = cluster;
        if (c != null) {
            // The cluster's other streams, with the node that holds them (a key held here is shown once).
            Set<StreamKey> here = local.stream().map(Stream::key).collect(Collectors.toSet());
            c.remoteStreams().stream()
                    .filter(r -> (vhosts == null || vhosts.contains(r.key().vhost())) && !here.contains(r.key()))
                    .sorted(Comparator.comparing((ClusterView.RemoteStream r) -> r.key().toString()))
                    .forEach(r -> out.add(new RemoteStreamView(r.key().vhost(), r.key().app(), r.key().stream(), true,
                            r.node(), r.region())));
        }
        return out;
    }

    public Object one(Account caller, String domain, String app, String stream) {
        StreamKey key = key(caller, domain, app, stream);
        Optional<Stream> here = hub.find(key);
        if (here.isPresent()) {
            return view(here.get());
        }
        ClusterView c = cluster;
        if (c != null) {
            for (ClusterView.RemoteStream r : c.remoteStreams()) {
                if (r.key().equals(key)) {
                    return new RemoteStreamView(key.vhost(), key.app(), key.stream(), true, r.node(), r.region());
                }
            }
        }
        throw ApiException.notFound("StreamNotFound", "stream " + key.path() + " is not live on " + key.vhost());
    }

    public Forbidden forbid(Account caller, String domain, String app, String stream, Instant until) {
        StreamKey key = key(caller, domain, app, stream);
        Instant now = clock.instant();
        if (until != null && !until.isAfter(now)) {
            throw ApiException.badRequest("InvalidParameter", "until must be in the future");
        }
        domains.change(c -> {
            ForbiddenStore.put(c, new ForbiddenStore.Row(key.vhost(), key.app(), key.stream(), until,
                    Instant.ofEpochMilli(now.toEpochMilli())));
            return null;
        });
        // The ban is in force (the Gate refuses a reconnect) before the publisher is kicked.
        boolean kicked = hub.kick(key, FORBIDDEN_REASON);
        ClusterView c = cluster;
        if (!kicked && c != null) {
            // Published on another node: that node reloads the ban, then ends the stream.
            kicked = c.kickRemote(key, FORBIDDEN_REASON);
        }
        return new Forbidden(key.vhost(), key.app(), key.stream(), until == null ? null : until.toString(), kicked);
    }

    /**
     * Disconnects the stream's publisher now (viewers get the end of the stream); unlike a forbid,
     * the publisher may connect again at once.
     */
    public boolean kick(Account caller, String domain, String app, String stream) {
        StreamKey key = key(caller, domain, app, stream);
        if (hub.find(key).isEmpty()) {
            throw ApiException.notFound("StreamNotFound", "stream " + key.path() + " is not live on " + key.vhost());
        }
        return hub.kick(key, KICKED_REASON);
    }

    /** The latest picture of a live stream, or empty while there is none; waits at most {@code wait}. */
    public Optional<byte[]> snapshot(Account caller, String domain, String app, String stream, java.time.Duration wait)
            throws InterruptedException {
        StreamKey key = key(caller, domain, app, stream);
        if (hub.find(key).isEmpty()) {
            throw ApiException.notFound("StreamNotFound", "stream " + key.path() + " is not live on " + key.vhost());
        }
        try {
            return snapshots.apply(key).toCompletableFuture().get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return Optional.empty();
        }
    }

    public boolean resume(Account caller, String domain, String app, String stream) {
        StreamKey key = key(caller, domain, app, stream);
        return domains.change(c -> ForbiddenStore.remove(c, key.vhost(), key.app(), key.stream()));
    }

    public List<Forbidden> forbidden(Account caller, String domain) {
        Domain d = domains.get(caller, domain);
        Domain ingest = registry.state().ingestOf(d);
        if (ingest == null) {
            return List.of();
        }
        return db.read(c -> ForbiddenStore.active(c, clock.instant())).stream()
                .filter(r -> r.domain().equals(ingest.name()))
                .map(r -> new Forbidden(r.domain(), r.app(), r.stream(), r.until() == null ? null : r.until().toString(),
                        false))
                .toList();
    }

    /** The stream key a caller means ({@link StreamKey#DEFAULT_VHOST} for the zero-config vhost): its domain (a streaming domain maps to its ingest domain), app, stream. */
    private StreamKey key(Account caller, String domain, String app, String stream) {
        if (caller.admin() && StreamKey.DEFAULT_VHOST.equals(domain)) {
            // The zero-config vhost has no domain row; only an admin may address it.
            return new StreamKey(StreamKey.DEFAULT_VHOST, Names.streamPart("app", app), Names.streamPart("stream", stream));
        }
        Domain d = domains.get(caller, domain);
        Domain ingest = registry.state().ingestOf(d);
        if (ingest == null) {
            throw ApiException.badRequest("InvalidAssociation.NotAssociated", "streaming domain " + d.name()
                    + " is not associated with an ingest domain");
        }
        return new StreamKey(ingest.name(), Names.streamPart("app", app), Names.streamPart("stream", stream));
    }
}
