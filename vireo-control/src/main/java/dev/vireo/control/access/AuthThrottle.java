package dev.vireo.control.access;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-source-address backoff on failed authentication (admin API keys, Type A signatures): after
 * {@link Policy#maxFailures()} failures within {@link Policy#window()} an address is refused for a
 * while (429 with {@code Retry-After}), before its credentials are even looked at, so guessing
 * gains nothing; each further trip doubles the time, up to {@link Policy#maxBlock()}. Only that
 * address is held back (an IPv6 address by its /64): the admin stays reachable from anywhere else.
 * Memory is bounded: at most {@link Policy#maxAddresses()} addresses are remembered (the least
 * recently failing forgotten first). A throttled address is logged once per trip, and at most
 * {@link #MAX_LOG_LINES_PER_MINUTE} such lines a minute in all.
 */
public final class AuthThrottle {

    private static final Logger log = LoggerFactory.getLogger(AuthThrottle.class);
    static final int MAX_LOG_LINES_PER_MINUTE = 10;

    /** What failed. */
    public enum Kind {
        API_KEY,
        SIGNATURE
    }

    /**
     * @param maxFailures failures within {@code window} that trip the throttle (0: never)
     * @param window how long failures are remembered
     * @param firstBlock how long an address is refused the first time
     * @param maxBlock cap of the doubling
     * @param maxAddresses addresses remembered at most
     */
    public record Policy(int maxFailures, Duration window, Duration firstBlock, Duration maxBlock, int maxAddresses) {

        /** 10 failures a minute; then 30 s, 60 s, ... up to 15 min; 100 000 addresses. */
        public static Policy defaults() {
            return new Policy(10, Duration.ofMinutes(1), Duration.ofSeconds(30), Duration.ofMinutes(15), 100_000);
        }
    }

    private static final class Failures {
        long windowStart;
        int failures;
        long blockedUntil;
        long nextBlock;
    }

    private final Policy policy;
    private final LongSupplier nanos;
    private final Map<String, Failures> entries;
    private final LongAdder apiKeyFailures = new LongAdder();
    private final LongAdder signatureFailures = new LongAdder();
    private final LongAdder throttled = new LongAdder();
    private final AtomicLong logMinute = new AtomicLong();
    private int logLines;

    AuthThrottle(Policy policy, LongSupplier nanos) {
        this.policy = policy;
        this.nanos = nanos;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Failures> eldest) {
                return size() > policy.maxAddresses();
            }
        };
    }

    public AuthThrottle(Policy policy) {
        this(policy, System::nanoTime);
    }

    /**
     * How long {@code address} is still refused, or {@link Duration#ZERO} when it may try. A refusal
     * is counted ({@link #throttled()}).
     */
    public synchronized Duration blocked(String address) {
        if (policy.maxFailures() <= 0) {
            return Duration.ZERO;
        }
        Failures e = entries.get(key(address));
        long now = nanos.getAsLong();
        if (e == null || e.blockedUntil - now <= 0) {
            return Duration.ZERO;
        }
        throttled.increment();
        return Duration.ofNanos(e.blockedUntil - now);
    }

    /** Records a failed authentication from {@code address}; may start its backoff. */
    public void failed(String address, Kind kind) {
        (kind == Kind.API_KEY ? apiKeyFailures : signatureFailures).increment();
        if (policy.maxFailures() <= 0) {
            return;
        }
        String key = key(address);
        Duration block = null;
        synchronized (this) {
            long now = nanos.getAsLong();
            Failures e = entries.computeIfAbsent(key, k -> new Failures());
            if (e.failures == 0 || now - e.windowStart > policy.window().toNanos()) {
                e.windowStart = now;
                e.failures = 0;
            }
            if (++e.failures >= policy.maxFailures() && e.blockedUntil - now <= 0) {
                long length = e.nextBlock == 0 ? policy.firstBlock().toNanos() : e.nextBlock;
                e.blockedUntil = now + length;
                e.nextBlock = Math.min(length * 2, policy.maxBlock().toNanos());
                e.failures = 0;
                block = Duration.ofNanos(length);
            }
        }
        if (block != null && mayLog()) {
            log.warn("{} failed {} authentications from {} within {} s: refusing it for {} s", policy.maxFailures(),
                    kind.name().toLowerCase(Locale.ROOT).replace('_', ' '), key, policy.window().toSeconds(),
                    block.toSeconds());
        }
    }

    /** At most {@link #MAX_LOG_LINES_PER_MINUTE} lines a minute, so a distributed attack cannot flood the log. */
    private synchronized boolean mayLog() {
        long minute = nanos.getAsLong() / 60_000_000_000L;
        if (logMinute.getAndSet(minute) != minute) {
            logLines = 0;
        }
        return ++logLines <= MAX_LOG_LINES_PER_MINUTE;
    }

    public long apiKeyFailures() {
        return apiKeyFailures.sum();
    }

    public long signatureFailures() {
        return signatureFailures.sum();
    }

    /** Attempts refused because their address was throttled. */
    public long throttled() {
        return throttled.sum();
    }

    /**
     * The address an attempt is charged to: the IP of {@code "1.2.3.4"}, {@code "/1.2.3.4:5678"},
     * {@code "host/1.2.3.4:5678"}; an IPv6 address by its /64 (one host usually owns the whole
     * prefix). Anything else as it is.
     */
    public static String key(String address) {
        if (address == null) {
            return "";
        }
        String a = address.trim();
        int slash = a.indexOf('/');
        if (slash >= 0) {
            a = a.substring(slash + 1);
        }
        if (a.startsWith("[")) {
            int close = a.indexOf(']');
            a = close > 0 ? a.substring(1, close) : a;
        }
        InetAddress ip = literal(a);
        if (ip == null) {
            int colon = a.lastIndexOf(':');
            ip = colon > 0 ? literal(a.substring(0, colon)) : null;
        }
        if (ip == null) {
            return a;
        }
        if (ip instanceof Inet6Address) {
            byte[] b = ip.getAddress();
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < 8; i += 2) {
                s.append(Integer.toHexString((b[i] & 0xff) << 8 | b[i + 1] & 0xff)).append(':');
            }
            return s.append(":/64").toString();
        }
        return ip.getHostAddress();
    }

    private static InetAddress literal(String s) {
        if (s.isEmpty() || !s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':' || c == '%')) {
            return null;
        }
        try {
            return InetAddress.ofLiteral(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
