package dev.vireo.cluster;

import dev.vireo.cluster.registry.Claim;
import dev.vireo.cluster.registry.ClusterMessage;
import dev.vireo.cluster.registry.NodeLease;
import dev.vireo.cluster.registry.RedisRegistry;
import dev.vireo.cluster.registry.RegistryConfig;
import dev.vireo.control.model.ClusterView;
import dev.vireo.control.ControlPlane;
import dev.vireo.core.HubException;
import dev.vireo.core.HubListener;
import dev.vireo.core.PublishGuard;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This server as a node of a cluster (issue 19): the one object {@code VireoServer} wires when
 * {@code cluster.redis} is set. It makes the hub's one-publisher-per-key rule cluster-wide (a
 * {@link PublishGuard} answering from the registry's view, then an asynchronous claim per
 * publication: a lost race or a lost claim ends the local publisher), gives the control plane its
 * {@link ClusterView} (stream limit, listing, forbid/kick on the owner), turns this node's
 * configuration changes into hints and other nodes' hints into store reloads, and answers the
 * relay's {@link StreamDirectory} questions.
 */
public final class ClusterNode implements PublishGuard, HubListener, ClusterView, StreamDirectory, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);

    static final String UNAVAILABLE = "cluster registry unavailable: new streams are refused until it is back";

    /** A stream claim as {@code GET /api/v1/cluster/streams} shows it. */
    public record ClaimView(String vhost, String app, String stream, String node, long epoch, boolean nodeAlive) {
    }

    private final RedisRegistry registry;
    private final StreamHub hub;
    private final ControlPlane control;
    private final String me;
    /** Hints that need the store or the hub, in the order they came. */
    private final ExecutorService hints = Executors.newSingleThreadExecutor(
            Thread.ofVirtual().name("vireo-cluster-hints").factory());
    private final AtomicBoolean reloadPending = new AtomicBoolean();

    private ClusterNode(RedisRegistry registry, StreamHub hub, ControlPlane control) {
        this.registry = registry;
        this.hub = hub;
        this.control = control;
        this.me = registry.config().nodeId();
    }

    /**
     * Joins the cluster: connects to Redis, takes the node's lease and wires the hub and the
     * control plane. Call before the listeners start.
     *
     * @throws IllegalStateException when Redis cannot be reached
     */
    public static ClusterNode join(RegistryConfig config, StreamHub hub, ControlPlane control) {
        RedisRegistry registry = new RedisRegistry(config, () -> load(hub));
        ClusterNode node = new ClusterNode(registry, hub, control);
        hub.setPublishGuard(node);
        hub.addListener(node);
        registry.onLost(node::lost);
        registry.onMessage(node::hint);
        control.withCluster(node);
        control.onConfigChanged(() -> registry.publish(new ClusterMessage.ConfigChanged(node.me)));
        registry.start();
        log.info("joined the cluster as {}", config);
        return node;
    }

    private static long load(StreamHub hub) {
        long load = 0;
        for (Stream s : hub.streams()) {
            load += 1 + s.stats().viewers();
        }
        return load;
    }

    /** The registry (its view of nodes and claims). */
    public RedisRegistry registry() {
        return registry;
    }

    /** This node as the others reach it: its id, region, internal host and relay port (0 until the relay set it). */
    public NodeAddress self() {
        NodeLease l = registry.self();
        return new NodeAddress(l.id(), l.region(), l.host(), l.port());
    }

    /** The relay's listener as bound ({@code cluster.port}): advertised in this node's lease from now on. */
    public void advertiseRelayPort(int port) {
        registry.advertisePort(port);
    }

    // --- PublishGuard: from memory, on the publisher's thread ---

    @Override
    public void admit(StreamKey key, String sessionId) throws HubException {
        if (registry.config().role() == RegistryConfig.Role.EDGE) {
            throw new HubException(HubException.Reason.SOURCE_REFUSED,
                    "node " + me + " is an edge (node.role edge): publish to an origin");
        }
        if (!registry.available()) {
            log.warn("publisher {} of {} refused: {}", sessionId, key, UNAVAILABLE);
            throw new HubException(HubException.Reason.CLUSTER_UNAVAILABLE, UNAVAILABLE);
        }
        Claim c = registry.claimOf(key);
        if (c != null && !c.node().equals(me) && registry.nodes().containsKey(c.node())) {
            log.info("publisher {} of {} refused: node {} publishes it (epoch {})", sessionId, key, c.node(), c.epoch());
            registry.refreshSoon(); // a retry (the encoder's) is judged on a fresh view: the owner's lease may be gone
            throw HubException.busy(key);
        }
    }

    // --- HubListener: claims follow publications ---

    @Override
    public void onPublish(Stream stream, String sessionId) {
        if (stream.isDerived()) {
            return;
        }
        StreamKey key = stream.key();
        registry.claim(key).whenComplete((r, e) -> {
            if (e != null) {
                log.warn("publisher {} of {} ended: {}", sessionId, key, UNAVAILABLE);
                kickIfLive(stream, UNAVAILABLE);
            } else if (!r.won()) {
                // Another node claimed first (both saw a free key): the same refusal as a local duplicate.
                log.info("publisher {} of {} ended: node {} claimed it first (epoch {})", sessionId, key,
                        r.claim().node(), r.claim().epoch());
                kickIfLive(stream, HubException.busy(key).getMessage());
            } else if (!stream.isLive() || hub.find(key).orElse(null) != stream) {
                registry.release(key); // the publisher left while we claimed
            } else {
                log.info("{} claimed in the cluster by {} (epoch {})", key, me, r.claim().epoch());
            }
        });
    }

    @Override
    public void onUnpublish(Stream stream, String sessionId) {
        if (!stream.isDerived()) {
            // The publisher is gone: another node may take the key now (this one's viewers wait out the grace).
            registry.release(stream.key());
        }
    }

    @Override
    public void onStreamEnd(Stream stream, String reason) {
        if (!stream.isDerived()) {
            registry.release(stream.key());
        }
    }

    private void kickIfLive(Stream stream, String reason) {
        if (hub.find(stream.key()).orElse(null) == stream) {
            hub.kick(stream.key(), reason);
        }
    }

    private void lost(RedisRegistry.Lost lost) {
        // A stale owner (paused past its lease): another node publishes the key now, or did since.
        hub.kick(lost.claim().key(), "stream ownership lost in the cluster: " + lost.reason());
    }

    // --- hints from other nodes ---

    private void hint(ClusterMessage m) {
        switch (m) {
            case ClusterMessage.ConfigChanged c -> {
                if (reloadPending.compareAndSet(false, true)) {
                    hints.execute(() -> {
                        reloadPending.set(false);
                        control.reloadFromStore();
                    });
                }
            }
            case ClusterMessage.Kick k when k.target().equals(me) -> hints.execute(() -> {
                control.reloadFromStore(); // a forbid's ban is in force here before the publisher is ended
                boolean ended = hub.kick(k.key(), k.reason());
                log.info("{} ended at the request of node {}: {}{}", k.key(), k.from(), k.reason(),
                        ended ? "" : " (it was not live here)");
            });
            default -> {
            }
        }
    }

    // --- ClusterView (control plane) ---

    @Override
    public String nodeId() {
        return me;
    }

    @Override
    public List<RemoteStream> remoteStreams() {
        Map<String, NodeLease> nodes = registry.nodes();
        List<RemoteStream> out = new ArrayList<>();
        for (Claim c : registry.claims().values()) {
            NodeLease owner = nodes.get(c.node());
            if (!c.node().equals(me) && owner != null) {
                out.add(new RemoteStream(c.key(), c.node(), owner.region(), c.epoch()));
            }
        }
        return out;
    }

    @Override
    public boolean kickRemote(StreamKey key, String reason) {
        Claim c = registry.claimOf(key);
        if (c == null || c.node().equals(me) || !registry.available()) {
            return false;
        }
        registry.publish(new ClusterMessage.Kick(me, c.node(), key, reason));
        return true;
    }

    @Override
    public List<NodeLease> nodes() {
        return registry.nodes().values().stream().sorted(Comparator.comparing(NodeLease::id)).toList();
    }

    @Override
    public List<ClaimView> claims() {
        Map<String, NodeLease> nodes = registry.nodes();
        return registry.claims().values().stream()
                .sorted(Comparator.comparing((Claim c) -> c.key().toString()))
                .map(c -> new ClaimView(c.key().vhost(), c.key().app(), c.key().stream(), c.node(), c.epoch(),
                        nodes.containsKey(c.node())))
                .toList();
    }

    // --- StreamDirectory (relay) ---

    @Override
    public Optional<NodeAddress> owner(StreamKey key) {
        Claim c = registry.claimOf(key);
        if (c == null || c.node().equals(me)) {
            return Optional.empty();
        }
        NodeLease l = registry.nodes().get(c.node());
        return l == null ? Optional.empty() : Optional.of(new NodeAddress(l.id(), l.region(), l.host(), l.port()));
    }

    /** Releases this node's claims and lease and disconnects. Call after the hub closed. */
    @Override
    public void close() {
        registry.close();
        hints.shutdown();
        try {
            hints.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
