package dev.vireo.cluster.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import dev.vireo.core.testing.TcpProxy;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The registry against a real Redis server ({@code bin/test-services.sh}): claims, fencing,
 * lease expiry, a stale owner, re-assertion after Redis lost its data, an outage.
 */
@Timeout(60)
class RedisRegistryTest {

    /** A database of its own on the shared test server, emptied before each test. */
    private static final int DB = 7;
    /** Leases and claims for the tests that let them expire. */
    private static final Duration SHORT = Duration.ofMillis(800);
    /**
     * Leases and claims for the tests that must not see them expire: a loaded machine (load 40-60)
     * starves the renewing thread for longer than {@link #SHORT}, which is not what they test.
     */
    private static final Duration LONG = Duration.ofSeconds(10);

    private String url;
    private RedisClient admin;
    private StatefulRedisConnection<String, String> adminConnection;
    private RedisCommands<String, String> redis;
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final StreamKey key = new StreamKey("live.example.com", "live", "cam1");

    @BeforeEach
    void connect() {
        url = Peers.redis() + "/" + DB;
        admin = RedisClient.create(RedisURI.create(url));
        adminConnection = admin.connect();
        redis = adminConnection.sync();
        redis.flushdb();
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
        if (adminConnection != null) {
            adminConnection.close();
            admin.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    private RedisRegistry node(String id, String redisUrl, Duration ttl) {
        RedisRegistry r = new RedisRegistry(RegistryConfig.of(redisUrl, id, RegistryConfig.Role.BOTH, "eu", "10.0.0."
                + id.length(), 7000).withTtls(ttl, ttl, Duration.ofMillis(200)), () -> 3);
        closing.add(r);
        r.start();
        return r;
    }

    private RedisRegistry node(String id, String redisUrl) {
        return node(id, redisUrl, SHORT);
    }

    private RedisRegistry node(String id) {
        return node(id, url);
    }

    private static <T> T await(java.util.concurrent.CompletionStage<T> s) throws Exception {
        return s.toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void oneOwnerPerKeyAndEveryNewClaimHasAHigherEpoch() throws Exception {
        RedisRegistry a = node("a", url, LONG);
        RedisRegistry b = node("b", url, LONG);

        RedisRegistry.ClaimResult first = await(a.claim(key));
        assertThat(first.won()).isTrue();
        assertThat(redis.get(RegistryKeys.stream(key))).isEqualTo(first.claim().epoch() + "|a");
        assertThat(redis.pttl(RegistryKeys.stream(key))).isPositive().isLessThanOrEqualTo(LONG.toMillis());

        RedisRegistry.ClaimResult second = await(b.claim(key));
        assertThat(second.won()).isFalse();
        assertThat(second.claim().node()).isEqualTo("a");
        assertThat(second.claim().epoch()).isEqualTo(first.claim().epoch());

        assertThat(await(a.release(key))).isTrue();
        assertThat(redis.exists(RegistryKeys.stream(key))).isZero();
        RedisRegistry.ClaimResult third = await(b.claim(key));
        assertThat(third.won()).isTrue();
        assertThat(third.claim().epoch()).isGreaterThan(first.claim().epoch());

        // The renewals keep the claim beyond its TTL; the other node sees it in its view.
        Await.until(Duration.ofSeconds(5), "a's view shows b's claim", () -> {
            Claim c = a.claimOf(key);
            return c != null && c.node().equals("b");
        });
        // Renewals: the claim's remaining time goes up again (read after read) instead of running out.
        java.util.concurrent.atomic.AtomicLong last = new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE);
        Await.until(Duration.ofSeconds(5), "b renews its claim", () -> {
            long now = redis.pttl(RegistryKeys.stream(key));
            return now > last.getAndSet(now);
        });
        assertThat(redis.get(RegistryKeys.stream(key))).isEqualTo(third.claim().value());
        assertThat(a.nodes()).containsKeys("a", "b");
        assertThat(a.nodes().get("b").port()).isEqualTo(7000);
        assertThat(a.nodes().get("b").region()).isEqualTo("eu");
    }

    @Test
    void releaseIsOnlyByTheOwner() throws Exception {
        RedisRegistry a = node("a", url, LONG);
        RedisRegistry b = node("b", url, LONG);
        await(a.claim(key));
        assertThat(await(b.release(key))).isFalse(); // b holds nothing
        assertThat(redis.get(RegistryKeys.stream(key))).endsWith("|a");
    }

    @Test
    void aStaleOwnerCannotTakeItsStreamBack() throws Exception {
        RedisRegistry a = node("a");
        RedisRegistry b = node("b");
        List<RedisRegistry.Lost> lost = new CopyOnWriteArrayList<>();
        a.onLost(lost::add);
        Claim mine = await(a.claim(key)).claim();

        // a is paused (a long GC, a frozen VM): no renewals; its lease and claim expire.
        a.pause();
        Await.until(Duration.ofSeconds(10), "a's lease and claim expired", () ->
                redis.exists(RegistryKeys.node("a")) == 0 && redis.exists(RegistryKeys.stream(key)) == 0);
        RedisRegistry.ClaimResult taken = await(b.claim(key));
        assertThat(taken.won()).isTrue();
        assertThat(taken.claim().epoch()).isGreaterThan(mine.epoch());

        // a resumes: its renewal finds b's claim and gives up; b's claim is untouched.
        a.resume();
        Await.until(Duration.ofSeconds(5), "a learns it lost the claim", () -> !lost.isEmpty());
        assertThat(lost.getFirst().claim()).isEqualTo(mine);
        assertThat(a.held()).doesNotContainKey(key);
        assertThat(redis.get(RegistryKeys.stream(key))).isEqualTo(taken.claim().value());
    }

    @Test
    void aStaleOwnerCannotReassertAKeyFreedAfterANewerClaim() throws Exception {
        RedisRegistry a = node("a");
        RedisRegistry b = node("b");
        List<RedisRegistry.Lost> lost = new CopyOnWriteArrayList<>();
        a.onLost(lost::add);
        Claim mine = await(a.claim(key)).claim();
        a.pause();
        Await.until(Duration.ofSeconds(10), "a's claim expired", () -> redis.exists(RegistryKeys.stream(key)) == 0);
        assertThat(await(b.claim(key)).won()).isTrue();
        assertThat(await(b.release(key))).isTrue();

        // The key is free again, but an epoch newer than a's was issued: a's claim is fenced off.
        a.resume();
        Await.until(Duration.ofSeconds(5), "a learns it lost the claim", () -> !lost.isEmpty());
        assertThat(lost.getFirst().reason()).contains("newer claim");
        assertThat(redis.exists(RegistryKeys.stream(key))).isZero();
        assertThat(Long.parseLong(redis.get(RegistryKeys.fence(key)))).isGreaterThan(mine.epoch());
    }

    @Test
    void aClaimOfANodeWhoseLeaseIsGoneIsVoid() throws Exception {
        RedisRegistry a = node("a");
        RedisRegistry b = node("b");
        await(a.claim(key));
        // a's lease alone is gone (the claim would live on for its TTL): its streams are free.
        a.pause();
        redis.del(RegistryKeys.node("a"));
        RedisRegistry.ClaimResult r = await(b.claim(key));
        assertThat(r.won()).isTrue();
        assertThat(r.claim().node()).isEqualTo("b");
    }

    @Test
    void theOwnerReassertsItsClaimsWhenRedisLostItsData() throws Exception {
        RedisRegistry a = node("a");
        Claim mine = await(a.claim(key)).claim();
        redis.flushdb(); // what a Redis restart without persistence leaves
        Await.until(Duration.ofSeconds(5), "a re-asserted its lease and claim", () ->
                mine.value().equals(redis.get(RegistryKeys.stream(key))) && redis.exists(RegistryKeys.node("a")) == 1);
        // The epoch counter is brought above the re-asserted epoch: a new claim elsewhere is newer.
        RedisRegistry b = node("b");
        StreamKey other = new StreamKey("live.example.com", "live", "cam2");
        assertThat(await(b.claim(other)).claim().epoch()).isGreaterThan(mine.epoch());
    }

    @Test
    void anOutageRefusesNewClaimsAndKeepsHeldOnes() throws Exception {
        URI u = URI.create(Peers.redis());
        try (TcpProxy proxy = new TcpProxy(u.getHost(), u.getPort())) {
            RedisRegistry a = node("a", "redis://127.0.0.1:" + proxy.port() + "/" + DB);
            Claim mine = await(a.claim(key)).claim();
            assertThat(a.available()).isTrue();

            proxy.cut();
            Await.until(Duration.ofSeconds(10), "a sees Redis gone", () -> !a.available());
            StreamKey other = new StreamKey("live.example.com", "live", "cam2");
            assertThatThrownBy(() -> await(a.claim(other))).hasMessageContaining("cluster registry unreachable");
            assertThat(a.held()).containsEntry(key, mine); // not given up: its stream keeps flowing

            proxy.restore();
            Await.until(Duration.ofSeconds(20), "a reconnects", a::available);
            assertThat(await(a.claim(other)).won()).isTrue();
            // Its held claim (expired in Redis during the outage) is re-asserted with the same epoch. Awaited:
            // with 800 ms claims a loaded machine may let it lapse between two renewals, to be re-asserted again.
            Await.until(Duration.ofSeconds(5), "a's claim re-asserted",
                    () -> mine.value().equals(redis.get(RegistryKeys.stream(key))));
        }
    }

    @Test
    void aRefreshSoonThatRacesCloseIsDroppedWithoutAnError() throws Exception {
        // The race made certain: close() runs after refreshSoon() passed its closed check and before it
        // hands the re-read to the registry thread, which close() has shut down by then.
        java.util.concurrent.atomic.AtomicReference<RedisRegistry> registry = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean closeAtNextHandOff = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.ScheduledThreadPoolExecutor thread = new java.util.concurrent.ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().daemon().name("registry-under-test").factory()) {
            @Override
            public void execute(Runnable task) {
                if (closeAtNextHandOff.getAndSet(false)) {
                    registry.get().close();
                }
                super.execute(task);
            }
        };
        RedisRegistry a = new RedisRegistry(RegistryConfig.of(url, "a", RegistryConfig.Role.BOTH, "eu", "10.0.0.1", 7000)
                .withTtls(LONG, LONG, Duration.ofMillis(200)), () -> 3, thread);
        closing.add(a);
        registry.set(a);
        a.start();
        assertThat(redis.exists(RegistryKeys.node("a"))).isOne();

        closeAtNextHandOff.set(true);
        a.refreshSoon(); // threw RejectedExecutionException from the shut-down thread
        assertThat(closeAtNextHandOff).as("close() ran inside the hand-off").isFalse();
        assertThat(thread.isShutdown()).isTrue();
        assertThat(redis.exists(RegistryKeys.node("a"))).as("closed: the lease is given back").isZero();
        // and after close, every hand-off to the thread is a no-op
        a.refreshSoon();
        a.advertisePort(7001);
        a.start();
    }

    @Test
    void hintsAreDecodedOrRefusedWithAReason() {
        StreamKey k = new StreamKey("v.example", "live", "s");
        ClusterMessage kick = new ClusterMessage.Kick("a", "b", k, "forbidden\tby admin");
        assertThat(ClusterMessage.decode(ClusterMessage.encode(kick)))
                .isEqualTo(new ClusterMessage.Kick("a", "b", k, "forbidden by admin"));
        assertThat(ClusterMessage.decode(ClusterMessage.encode(new ClusterMessage.ConfigChanged("n"))))
                .isEqualTo(new ClusterMessage.ConfigChanged("n"));
        assertThatThrownBy(() -> ClusterMessage.decode("claim\ta\tnot-a-key")).hasMessageContaining("malformed");
        assertThatThrownBy(() -> ClusterMessage.decode("bogus\ta")).hasMessageContaining("unknown");
        assertThatThrownBy(() -> ClusterMessage.decode("x".repeat(3000))).hasMessageContaining("longer");
        assertThat(Claim.parse(k, "12|node-1")).isEqualTo(new Claim(k, "node-1", 12));
        assertThat(Claim.parse(k, "garbage")).isNull();
    }

    /**
     * A renewal the registry thread sent for a claim it read just before the claim was released
     * (CI run ci6: the release and the renewal crossed, and the renewal put the claim back as
     * "re-asserted"): the released claim must stay released, or its stream is held for this node
     * (which no longer publishes it) until the claim's TTL, and a publisher that moved to another
     * node is refused meanwhile.
     */
    @Test
    void aRenewalThatCrossesTheReleaseDoesNotPutTheClaimBack() throws Exception {
        RedisRegistry a = node("a", url, LONG);
        RedisRegistry b = node("b", url, LONG);
        Claim claim = await(a.claim(key)).claim();
        assertThat(await(a.release(key))).isTrue();

        // the renewal as the registry thread sends it for the claim it read before the release
        Long renewed = redis.eval(Scripts.RENEW, io.lettuce.core.ScriptOutputType.INTEGER,
                new String[] {RegistryKeys.stream(key), RegistryKeys.fence(key), RegistryKeys.EPOCH},
                claim.value(), Long.toString(LONG.toMillis()), Long.toString(claim.epoch()),
                Long.toString(RedisRegistry.FENCE_TTL.toMillis()));
        assertThat(renewed).as("the renewal's answer (2: re-asserted)").isEqualTo(-2L);
        assertThat(redis.exists(RegistryKeys.stream(key))).isZero();

        RedisRegistry.ClaimResult next = await(b.claim(key));
        assertThat(next.won()).as("another node takes the stream at once").isTrue();
        assertThat(next.claim().epoch()).isGreaterThan(claim.epoch());
    }
}
