package dev.vireo.cluster.registry;

import dev.vireo.core.StreamKey;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's part of the cluster registry in Redis (Lettuce): its lease, the stream claims it
 * holds (claimed with {@code SET NX PX}, renewed and released only by compare-and-set scripts,
 * fenced by epochs: {@link Scripts}), a view of every node and claim re-read each renew interval
 * and on hints, and the {@code vireo:events} hint channel. One thread renews and re-reads; claims
 * from publishers are asynchronous. While Redis is unreachable ({@link #available()} false)
 * held claims stay held here (their streams keep flowing) and are re-asserted when it is back.
 */
public final class RedisRegistry implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisRegistry.class);
    /** How long a fence outlives its claim: a stale owner paused for less cannot take its key back. */
    static final Duration FENCE_TTL = Duration.ofHours(24);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);
    /**
     * How long a connection's set-up (TCP, HELLO/AUTH, SELECT) may take: longer than a command, since a
     * node starting on a busy machine loads Lettuce's classes during the first handshake (2 s was seen
     * to fail there); commands keep {@link #COMMAND_TIMEOUT} through the {@link TimeoutOptions}.
     */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final int CONNECT_ATTEMPTS = 3;

    /** The outcome of a claim: won (this node owns the key) or held by {@code owner}. */
    public record ClaimResult(boolean won, Claim claim) {
    }

    /** A claim this node held and lost: another node claimed the key, or a newer epoch was issued. */
    public record Lost(Claim claim, String reason) {
    }

    private final RegistryConfig config;
    private final LongSupplier load;
    private final long startedAt = System.currentTimeMillis();
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisAsyncCommands<String, String> redis;
    private final StatefulRedisPubSubConnection<String, String> pubsub;
    private final ScheduledExecutorService thread;
    private final Map<StreamKey, Claim> held = new ConcurrentHashMap<>();
    private final List<Consumer<Lost>> lostListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<ClusterMessage>> messageListeners = new CopyOnWriteArrayList<>();
    private volatile Map<String, NodeLease> nodes = Map.of();
    private final Map<StreamKey, Claim> claims = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicBoolean refreshPending = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile int port;
    private volatile boolean available;
    private volatile boolean paused;
    private volatile boolean closed;
    /** Set when close() begins: the disconnect that follows is not an outage to warn about. */
    private volatile boolean closing;
    private ScheduledFuture<?> ticker;

    /**
     * Connects to Redis ({@code config.redisUrl()}), takes the node's lease and subscribes to the
     * hint channel; {@link #start()} begins renewing.
     *
     * @param load this node's load for its lease (live streams plus viewers)
     * @throws IllegalStateException when Redis cannot be reached (the message says why, without the URL)
     */
    public RedisRegistry(RegistryConfig config, LongSupplier load) {
        this(config, load, Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon()
                .name("vireo-registry-" + config.nodeId()).factory()));
    }

    /** As {@link #RedisRegistry(RegistryConfig, LongSupplier)}, renewing on {@code thread} (a test's). */
    RedisRegistry(RegistryConfig config, LongSupplier load, ScheduledExecutorService thread) {
        this.config = config;
        this.thread = thread;
        this.load = load;
        this.port = config.port();
        RedisURI uri;
        try {
            uri = RedisURI.create(config.redisUrl());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cluster.redis is not a redis:// or rediss:// URL");
        }
        uri.setTimeout(CONNECT_TIMEOUT);
        client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .build());
        try {
            connection = firstConnection(client::connect, "commands");
            pubsub = firstConnection(client::connectPubSub, "hints");
        } catch (RuntimeException e) {
            thread.shutdownNow();
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            throw new IllegalStateException("cannot reach the cluster registry (cluster.redis at " + uri.getHost() + ":"
                    + uri.getPort() + "): " + e.getMessage(), e);
        }
        redis = connection.async();
        pubsub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                onMessage(message);
            }
        });
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> c, SocketAddress address) {
                // Back (or Redis restarted, empty): lease and claims are re-asserted at once.
                onRegistryThread(RedisRegistry.this::tick);
            }

            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> c) {
                if (available && !closing) {
                    log.warn("cluster registry (Redis) connection lost: running streams keep flowing, new streams"
                            + " are refused until it is back");
                }
                available = false;
            }
        });
        pubsub.sync().subscribe(RegistryKeys.CHANNEL);
        tick();
        if (!available) {
            close();
            throw new IllegalStateException("cannot take this node's lease in the cluster registry");
        }
    }

    /**
     * A node's first connection, tried {@link #CONNECT_ATTEMPTS} times when its set-up times out: a
     * JVM starting on a saturated machine (load 50 on 2 cores) was seen to spend more than
     * {@link #CONNECT_TIMEOUT} in its first handshake (loading and compiling the client's classes);
     * the next attempt finds them loaded. A refused connection (nothing listening) fails at once.
     */
    private static <T> T firstConnection(java.util.function.Supplier<T> connect, String what) {
        for (int attempt = 1; ; attempt++) {
            try {
                return connect.get();
            } catch (io.lettuce.core.RedisConnectionException e) {
                boolean slow = e.getCause() instanceof io.lettuce.core.RedisCommandTimeoutException;
                if (!slow || attempt == CONNECT_ATTEMPTS) {
                    throw e;
                }
                log.warn("cluster registry: the {} connection's set-up timed out (attempt {} of {}), trying again",
                        what, attempt, CONNECT_ATTEMPTS);
            }
        }
    }

    /** Starts renewing the lease and the claims and re-reading the registry every renew interval. */
    public synchronized void start() {
        if (ticker == null && !closed) {
            long every = config.renewInterval().toMillis();
            ticker = thread.scheduleAtFixedRate(this::tick, every, every, TimeUnit.MILLISECONDS);
        }
    }

    public RegistryConfig config() {
        return config;
    }

    /** Whether the last exchange with Redis worked: when false, new claims are refused. */
    public boolean available() {
        return available && connection.isOpen();
    }

    /** The port other nodes pull from (the relay's, as bound); advertised from the next renewal on. */
    public void advertisePort(int relayPort) {
        this.port = relayPort;
        onRegistryThread(this::tick);
    }

    /** This node's lease as it is advertised. */
    public NodeLease self() {
        return new NodeLease(config.nodeId(), config.role().wire(), config.region(), config.host(), port,
                load.getAsLong(), startedAt);
    }

    /** The nodes with a live lease, as last read (this one included). */
    public Map<String, NodeLease> nodes() {
        return nodes;
    }

    /** Every stream claim, as last read or hinted (this node's included). */
    public Map<StreamKey, Claim> claims() {
        return Map.copyOf(claims);
    }

    /** The claim of {@code key} as last read, or null. */
    public Claim claimOf(StreamKey key) {
        return claims.get(key);
    }

    /** The claims this node holds. */
    public Map<StreamKey, Claim> held() {
        return Map.copyOf(held);
    }

    public void onLost(Consumer<Lost> listener) {
        lostListeners.add(listener);
    }

    /** Runs {@code listener} for each hint from another node (on a Lettuce thread: hand blocking work off). */
    public void onMessage(Consumer<ClusterMessage> listener) {
        messageListeners.add(listener);
    }

    /**
     * Claims {@code key} for this node: won, or held by a live other node. Fails (exceptionally)
     * when Redis does not answer. Never blocks.
     */
    public CompletionStage<ClaimResult> claim(StreamKey key) {
        String[] keys = {RegistryKeys.stream(key), RegistryKeys.fence(key), RegistryKeys.EPOCH};
        RedisFuture<List<Object>> f = redis.eval(Scripts.CLAIM, ScriptOutputType.MULTI, keys, config.nodeId(),
                Long.toString(config.claimTtl().toMillis()), RegistryKeys.NODE, Long.toString(FENCE_TTL.toMillis()));
        return f.toCompletableFuture().handle((r, e) -> {
            if (e != null) {
                failed(e);
                throw new IllegalStateException("cluster registry unreachable: " + e.getMessage(), e);
            }
            ok();
            boolean won = ((Long) r.get(0)) == 1L;
            Claim c = new Claim(key, (String) r.get(2), (Long) r.get(1));
            claims.put(key, c);
            if (won) {
                held.put(key, c);
                publish(new ClusterMessage.ClaimChanged(config.nodeId(), key));
            }
            return new ClaimResult(won, c);
        });
    }

    /** Releases this node's claim of {@code key} (only if it still holds it in Redis). Never blocks. */
    public CompletionStage<Boolean> release(StreamKey key) {
        Claim c = held.remove(key);
        if (c == null) {
            return CompletableFuture.completedFuture(false);
        }
        claims.remove(key, c);
        RedisFuture<Long> f = redis.eval(Scripts.RELEASE, ScriptOutputType.INTEGER,
                new String[] {RegistryKeys.stream(key), RegistryKeys.fence(key)}, c.value(), Long.toString(c.epoch()),
                Long.toString(FENCE_TTL.toMillis()));
        return f.toCompletableFuture().handle((r, e) -> {
            if (e != null) {
                // The claim expires alone (claim TTL): nobody renews it any more.
                log.warn("release of {} in the cluster registry failed, it expires in {}: {}", key, config.claimTtl(),
                        e.getMessage());
                return false;
            }
            publish(new ClusterMessage.ClaimChanged(config.nodeId(), key));
            return r == 1L;
        });
    }

    /** Sends a hint to every node (best effort). */
    public void publish(ClusterMessage m) {
        if (!closed) {
            redis.publish(RegistryKeys.CHANNEL, ClusterMessage.encode(m)).exceptionally(e -> {
                log.debug("hint {} not sent: {}", m, e.getMessage());
                return 0L;
            });
        }
    }

    private void onMessage(String text) {
        ClusterMessage m;
        try {
            m = ClusterMessage.decode(text);
        } catch (IllegalArgumentException e) {
            log.warn("ignoring a malformed cluster hint: {}", e.getMessage());
            return;
        }
        if (m.from().equals(config.nodeId())) {
            return;
        }
        if (m instanceof ClusterMessage.ClaimChanged c) {
            // A hint: re-read the key, never trust the message.
            redis.get(RegistryKeys.stream(c.key())).thenAccept(v -> {
                Claim now = Claim.parse(c.key(), v);
                if (now == null) {
                    claims.remove(c.key());
                    return;
                }
                claims.put(c.key(), now);
                if (!nodes.containsKey(now.node())) {
                    // A node that joined since the last re-read: read its lease now, not in up to one interval.
                    redis.hgetall(RegistryKeys.node(now.node())).thenAccept(h -> {
                        NodeLease lease = NodeLease.of(h);
                        if (lease != null) {
                            Map<String, NodeLease> n = new HashMap<>(nodes);
                            n.put(lease.id(), lease);
                            nodes = Map.copyOf(n);
                        }
                    });
                }
            });
        }
        for (Consumer<ClusterMessage> l : messageListeners) {
            try {
                l.accept(m);
            } catch (RuntimeException e) {
                log.warn("cluster hint listener failed", e);
            }
        }
    }

    /**
     * Re-reads the registry now instead of at the next renew interval (at most one re-read pending):
     * after a refusal made from the view, so that an encoder's next attempt is judged on what Redis
     * holds by then (e.g. the owner's lease has expired since the last re-read). Never blocks.
     */
    public void refreshSoon() {
        if (closed || paused || !refreshPending.compareAndSet(false, true)) {
            return;
        }
        onRegistryThread(() -> {
            refreshPending.set(false);
            try {
                reread();
            } catch (Exception e) {
                log.debug("re-reading the cluster registry failed: {}", e.toString());
            }
        });
    }

    /**
     * Runs {@code task} on the registry thread, or drops it once {@link #close()} has begun: a call
     * that passed its {@code closed} check while close() ran (a refusal's {@link #refreshSoon}, a
     * reconnect) finds the thread shut down, which is not an error of the caller's.
     */
    private void onRegistryThread(Runnable task) {
        if (closed) {
            return;
        }
        try {
            thread.execute(task);
        } catch (RejectedExecutionException e) {
            if (!closed) {
                throw e; // only close() shuts the thread down, after setting closed
            }
            log.debug("cluster registry closed: a task for its thread is dropped");
        }
    }

    /** Stops renewing (a paused node, for tests): the lease and claims expire. */
    void pause() {
        paused = true;
    }

    /** Renews again at once, as a node whose pause ended. */
    void resume() {
        paused = false;
        onRegistryThread(this::tick);
    }

    /** One round: the lease, every held claim, then the view of the registry. On the registry thread. */
    void tick() {
        if (closed || paused) {
            return;
        }
        try {
            renewLease();
            renewClaims();
            reread();
            ok();
        } catch (Exception e) {
            failed(e);
        }
    }

    private void renewLease() throws Exception {
        Map<String, String> fields = self().fields();
        String[] args = new String[1 + 2 * fields.size()];
        args[0] = Long.toString(config.leaseTtl().toMillis());
        int i = 1;
        for (Map.Entry<String, String> e : fields.entrySet()) {
            args[i++] = e.getKey();
            args[i++] = e.getValue();
        }
        Long fresh = await(redis.<Long>eval(Scripts.LEASE, ScriptOutputType.INTEGER,
                new String[] {RegistryKeys.node(config.nodeId())}, args));
        if (fresh == 1L && ticker != null) {
            log.info("cluster lease of node {} taken anew (Redis restarted, or this node was paused past its lease)",
                    config.nodeId());
        }
    }

    private void renewClaims() throws Exception {
        Map<Claim, RedisFuture<Long>> pending = new HashMap<>();
        for (Claim c : held.values()) {
            pending.put(c, redis.eval(Scripts.RENEW, ScriptOutputType.INTEGER,
                    new String[] {RegistryKeys.stream(c.key()), RegistryKeys.fence(c.key()), RegistryKeys.EPOCH},
                    c.value(), Long.toString(config.claimTtl().toMillis()), Long.toString(c.epoch()),
                    Long.toString(FENCE_TTL.toMillis())));
        }
        for (Map.Entry<Claim, RedisFuture<Long>> e : pending.entrySet()) {
            Claim c = e.getKey();
            long r = await(e.getValue());
            if (r == 2L) {
                log.info("claim of {} (epoch {}) re-asserted in the cluster registry", c.key(), c.epoch());
            } else if (r < 0 && held.remove(c.key(), c)) {
                claims.remove(c.key(), c);
                String reason = r == -1L ? "another node publishes it now" : "a newer claim (epoch) was issued for it";
                log.warn("claim of {} (epoch {}) lost: {}", c.key(), c.epoch(), reason);
                Lost lost = new Lost(c, reason);
                for (Consumer<Lost> l : lostListeners) {
                    try {
                        l.accept(lost);
                    } catch (RuntimeException ex) {
                        log.warn("lost-claim listener failed", ex);
                    }
                }
            }
        }
    }

    /** Re-reads every lease and claim (SCAN: fine for hundreds of nodes; see ARCHITECTURE for more). */
    private void reread() throws Exception {
        Map<String, NodeLease> n = new HashMap<>();
        List<RedisFuture<Map<String, String>>> hashes = new ArrayList<>();
        for (String k : scan(RegistryKeys.NODE + "*")) {
            hashes.add(redis.hgetall(k));
        }
        for (RedisFuture<Map<String, String>> h : hashes) {
            NodeLease lease = NodeLease.of(await(h));
            if (lease != null) {
                n.put(lease.id(), lease);
            }
        }
        nodes = Map.copyOf(n);
        List<String> keys = scan(RegistryKeys.STREAM + "*");
        Map<StreamKey, Claim> read = new HashMap<>();
        for (int from = 0; from < keys.size(); from += 500) {
            List<String> batch = keys.subList(from, Math.min(keys.size(), from + 500));
            for (KeyValue<String, String> kv : await(redis.mget(batch.toArray(String[]::new)))) {
                StreamKey key = RegistryKeys.ofStreamKey(kv.getKey());
                Claim c = key == null || !kv.hasValue() ? null : Claim.parse(key, kv.getValue());
                if (c != null) {
                    read.put(key, c);
                }
            }
        }
        claims.keySet().retainAll(read.keySet());
        claims.putAll(read);
        held.values().forEach(c -> claims.put(c.key(), c));
    }

    private List<String> scan(String pattern) throws Exception {
        List<String> keys = new ArrayList<>();
        ScanArgs args = ScanArgs.Builder.matches(pattern).limit(1000);
        KeyScanCursor<String> cursor = await(redis.scan(args));
        keys.addAll(cursor.getKeys());
        while (!cursor.isFinished()) {
            cursor = await(redis.scan(ScanCursor.of(cursor.getCursor()), args));
            keys.addAll(cursor.getKeys());
        }
        return keys;
    }

    private static <T> T await(RedisFuture<T> f) throws Exception {
        return f.get(COMMAND_TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS);
    }

    private void ok() {
        if (!available && !closed) {
            log.info("cluster registry (Redis) reachable: node {} is in the cluster", config.nodeId());
        }
        available = true;
    }

    private void failed(Throwable e) {
        if (available && !closing) {
            log.warn("cluster registry (Redis) unreachable: running streams keep flowing, new streams are refused"
                    + " until it is back ({})", e.getMessage());
        }
        available = false;
    }

    /**
     * Releases every held claim and the lease (best effort, bounded), then disconnects. The
     * streams end first (the hub closes before), so their claims are mostly released already.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closing = true;
        if (ticker != null) {
            ticker.cancel(false);
        }
        try {
            List<CompletableFuture<Boolean>> releases = new ArrayList<>();
            for (StreamKey k : List.copyOf(held.keySet())) {
                releases.add(release(k).toCompletableFuture());
            }
            CompletableFuture.allOf(releases.toArray(CompletableFuture[]::new)).get(2, TimeUnit.SECONDS);
            // One connection answers in order: after this PING, releases sent earlier (streams that ended) are done.
            redis.ping().get(2, TimeUnit.SECONDS);
            redis.del(RegistryKeys.node(config.nodeId())).get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.debug("leaving the cluster registry: {}", e.getMessage());
        }
        closed = true;
        thread.shutdownNow();
        pubsub.close();
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
