package dev.vireo.cluster.registry;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * How a node joins the cluster registry in Redis.
 *
 * @param redisUrl {@code redis://[user:password@]host:port[/db]} or {@code rediss://...}
 *     ({@code cluster.redis}); a secret when it carries a password: never logged
 * @param nodeId this node's name in the registry ({@code node.id}), unique in the cluster
 * @param role what the node does ({@code node.role})
 * @param region where it runs ({@code node.region}, "" when unset); edges prefer origins of theirs
 * @param host the host other nodes reach this one at (host part of {@code node.internal-address})
 * @param port the port other nodes pull from (the relay's, once known; 0 until then)
 * @param leaseTtl how long the node's lease lives without renewal ({@code cluster.lease-ttl}, 10 s)
 * @param claimTtl how long a stream claim lives without renewal ({@code cluster.claim-ttl}, 10 s)
 * @param renewInterval how often leases and claims are renewed and the view of the registry is
 *     re-read ({@code cluster.renew-interval}, 3 s); shorter than both TTLs
 */
public record RegistryConfig(String redisUrl, String nodeId, Role role, String region, String host, int port,
                             Duration leaseTtl, Duration claimTtl, Duration renewInterval) {

    /** What a node does in the cluster ({@code node.role}). */
    public enum Role {
        /** Takes publishers; viewers pull from it. */
        ORIGIN,
        /** Serves viewers, pulling streams from origins. */
        EDGE,
        /** Both (the default). */
        BOTH;

        public static Role parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("node role must be origin, edge or both");
            }
        }

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_CLAIM_TTL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_RENEW_INTERVAL = Duration.ofSeconds(3);

    public RegistryConfig {
        Objects.requireNonNull(redisUrl, "redisUrl");
        Objects.requireNonNull(role, "role");
        region = Objects.requireNonNullElse(region, "");
        host = Objects.requireNonNullElse(host, "");
        if (nodeId == null || nodeId.isEmpty() || nodeId.length() > 64 || !nodeId.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("node id must be 1-64 characters A-Z a-z 0-9 . _ -");
        }
        if (!region.matches("[A-Za-z0-9._-]*") || region.length() > 64) {
            throw new IllegalArgumentException("node region must be at most 64 characters A-Z a-z 0-9 . _ -");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (renewInterval.isZero() || renewInterval.isNegative() || renewInterval.compareTo(leaseTtl) >= 0
                || renewInterval.compareTo(claimTtl) >= 0) {
            throw new IllegalArgumentException("the renew interval must be positive and shorter than the lease and"
                    + " claim TTLs");
        }
    }

    /** The documented TTLs: 10 s leases and claims renewed every 3 s. */
    public static RegistryConfig of(String redisUrl, String nodeId, Role role, String region, String host, int port) {
        return new RegistryConfig(redisUrl, nodeId, role, region, host, port, DEFAULT_LEASE_TTL, DEFAULT_CLAIM_TTL,
                DEFAULT_RENEW_INTERVAL);
    }

    public RegistryConfig withTtls(Duration lease, Duration claim, Duration renew) {
        return new RegistryConfig(redisUrl, nodeId, role, region, host, port, lease, claim, renew);
    }

    @Override
    public String toString() {
        // Not the Redis URL: it may carry a password.
        return "RegistryConfig[node=" + nodeId + ", role=" + role.wire() + ", region=" + region + ", host=" + host
                + ", port=" + port + ", leaseTtl=" + leaseTtl + ", claimTtl=" + claimTtl + ", renewInterval="
                + renewInterval + "]";
    }
}
