package dev.vireo.webrtc;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may open a WebRTC session, before {@link WebRtcServer#open} is asked (issue 17: one client
 * sent 2,100 WHEP offers in 3 s, never did ICE, and held every session slot for 30 s).
 * <ul>
 *   <li>Offers per source address: a token bucket ({@link Policy#offersPerSecond()}, burst
 *       {@link Policy#offerBurst()}), and at most {@link Policy#maxPendingPerAddress()} of its
 *       sessions connecting at once; beyond either, {@link Verdict#RATE_LIMITED} (HTTP 429).</li>
 *   <li>Pending sessions — answered but not yet through ICE and DTLS — are counted apart, capped
 *       at {@link Policy#maxPending()} ({@link Verdict#TOO_MANY_PENDING}, HTTP 503; a soft cap like
 *       the session cap: offers answered at the same moment may pass it by a few), and closed
 *       when their peer sent no valid ICE check within {@link Policy#pendingTimeout()} (a peer that
 *       is checking stays, counted, bounded by the transport's DTLS and consent timeouts). So
 *       offers that never connect hold at most that many slots for that long, and the rest of the
 *       session cap stays a reserve for sessions that complete.</li>
 * </ul>
 * Thread-safe; memory bounded ({@link Policy#maxAddresses()} buckets, the least recent forgotten).
 */
public final class SessionAdmission {

    private static final Logger log = LoggerFactory.getLogger(SessionAdmission.class);

    /** The answer to an offer. */
    public enum Verdict {
        ADMITTED,
        /** The address sent offers faster than allowed: 429, retry in a second. */
        RATE_LIMITED,
        /** Too many sessions are still connecting: 503, retry in a second. */
        TOO_MANY_PENDING
    }

    /**
     * @param maxPending sessions not yet through ICE+DTLS at once
     * @param pendingTimeout how long a session may take to connect
     * @param offersPerSecond sustained offers per source address
     * @param offerBurst offers a source address may send at once
     * @param maxPendingPerAddress sessions of one source address connecting at once
     * @param maxAddresses source addresses remembered
     */
    public record Policy(int maxPending, Duration pendingTimeout, double offersPerSecond, int offerBurst,
                         int maxPendingPerAddress, int maxAddresses) {

        /**
         * 100 pending sessions, 5 s to connect; per address 10 offers a second (bursts of 20) and
         * 10 sessions connecting.
         */
        public static Policy defaults() {
            return new Policy(100, Duration.ofSeconds(5), 10, 20, 10, 100_000);
        }

        /**
         * The same with {@code n} offers a second per source address (bursts of 2 n) and {@code n}
         * of its sessions connecting at once ({@code rtc.joins-per-address}): an audience behind
         * one NAT joins at this pace. The cap on all sessions connecting grows with it if smaller.
         */
        public Policy withJoinsPerAddress(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("joins per address must be at least 1: " + n);
            }
            return new Policy(Math.max(maxPending, n), pendingTimeout, n, 2 * n, n, maxAddresses);
        }
    }

    private record Pending(RtcTransport transport, String address) {
    }

    private static final class Bucket {
        double tokens;
        long updated;
    }

    private final Policy policy;
    private final LongSupplier nanos;
    private final Map<String, Bucket> buckets;
    private final List<Pending> pending = new ArrayList<>();
    private final Counter rateLimited;
    private final Counter pendingFull;
    private final Counter timedOut;
    private long lastLogNanos;

    public SessionAdmission(Policy policy, MeterRegistry registry) {
        this(policy, registry, System::nanoTime);
    }

    SessionAdmission(Policy policy, MeterRegistry registry, LongSupplier nanos) {
        this.policy = policy;
        this.nanos = nanos;
        this.buckets = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
                return size() > policy.maxAddresses();
            }
        };
        rateLimited = Counter.builder("vireo.webrtc.offers.refused").tag("reason", "rate")
                .description("WebRTC offers refused: too many from one address, or too many sessions connecting")
                .register(registry);
        pendingFull = Counter.builder("vireo.webrtc.offers.refused").tag("reason", "pending").register(registry);
        timedOut = Counter.builder("vireo.webrtc.sessions.unconnected")
                .description("WebRTC sessions closed for not completing ICE+DTLS in time").register(registry);
        Gauge.builder("vireo.webrtc.sessions.pending", this, SessionAdmission::pendingCount)
                .description("WebRTC sessions answered and not yet through ICE+DTLS").register(registry);
    }

    /** Whether an offer from {@code address} (an IP, no port) may open a session now. */
    public synchronized Verdict admit(String address) {
        long now = nanos.getAsLong();
        Bucket b = buckets.computeIfAbsent(address == null ? "" : address, a -> {
            Bucket n = new Bucket();
            n.tokens = policy.offerBurst();
            n.updated = now;
            return n;
        });
        b.tokens = Math.min(policy.offerBurst(), b.tokens + (now - b.updated) / 1e9 * policy.offersPerSecond());
        b.updated = now;
        if (b.tokens < 1) {
            rateLimited.increment();
            logRefusal("{} sends WebRTC offers faster than {} a second: refused", address, policy.offersPerSecond());
            return Verdict.RATE_LIMITED;
        }
        b.tokens -= 1;  // every offer costs, refused or not
        prune();
        String from = address == null ? "" : address;
        if (pending.stream().filter(p -> p.address().equals(from)).count() >= policy.maxPendingPerAddress()) {
            rateLimited.increment();
            logRefusal("{} has {} WebRTC sessions connecting: offer refused", address, policy.maxPendingPerAddress());
            return Verdict.RATE_LIMITED;
        }
        if (pending.size() >= policy.maxPending()) {
            pendingFull.increment();
            logRefusal("{} WebRTC sessions are still connecting (at most {} in {} s): offer from {} refused",
                    pending.size(), policy.maxPending(), policy.pendingTimeout().toSeconds(), address);
            return Verdict.TOO_MANY_PENDING;
        }
        return Verdict.ADMITTED;
    }

    /**
     * Counts {@code transport} as pending until it connects or closes, and closes it when it has not
     * connected within the timeout ({@code timer} runs the check).
     */
    public void opened(RtcTransport transport, String address, ScheduledExecutorService timer) {
        Pending p = new Pending(transport, address == null ? "" : address);
        synchronized (this) {
            pending.add(p);
        }
        timer.schedule(() -> expire(p, timer), policy.pendingTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * A pending session at its timeout: closed when the peer never sent a valid ICE check; one that
     * is checking (a real but slow peer: a loaded machine, a TURN relay) stays pending — counted —
     * and is looked at again one timeout later, its transport's own DTLS and consent timeouts
     * bounding it.
     */
    private void expire(Pending p, ScheduledExecutorService timer) {
        RtcTransport t = p.transport();
        boolean drop;
        synchronized (this) {
            if (!pending.contains(p)) {
                return;
            }
            if (t.isConnected() || t.isClosed()) {
                pending.remove(p);
                return;
            }
            drop = t.stats().checks() == 0;
            if (drop) {
                pending.remove(p);
            }
        }
        if (drop) {
            timedOut.increment();
            t.close("no ICE check within " + policy.pendingTimeout().toSeconds() + " s");
        } else {
            timer.schedule(() -> expire(p, timer), policy.pendingTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Sessions answered and not yet connected (nor closed). */
    public synchronized int pendingCount() {
        prune();
        return pending.size();
    }

    /** Offers refused by this admission (rate or pending cap). */
    public long refusals() {
        return (long) (rateLimited.count() + pendingFull.count());
    }

    private void prune() {
        pending.removeIf(p -> p.transport().isConnected() || p.transport().isClosed());
    }

    /** At most one line a second: a flood must not flood the log. */
    private void logRefusal(String format, Object... args) {
        long now = nanos.getAsLong();
        if (now - lastLogNanos > 1_000_000_000L) {
            lastLogNanos = now;
            log.warn(format, args);
        }
    }
}
