package dev.vireo.control.model;

import dev.vireo.control.outbound.OutboundPolicy;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the control plane.
 *
 * @param dataDir where the embedded store lives ({@code {dataDir}/control/vireo.mv.db})
 * @param jdbcUrl "" for the embedded H2 file store, or e.g. {@code jdbc:postgresql://db/vireo}
 * @param jdbcUser user for {@code jdbcUrl} ("" for none)
 * @param jdbcPassword password for {@code jdbcUrl} ("" for none); never logged
 * @param adminKey {@code VIREO_ADMIN_KEY}: the admin account's API key (at least 16 characters),
 *     or "" to generate one on first start ({@link dev.vireo.control.ControlPlane#generatedAdminKey()}); never logged
 * @param domainQuota domains per account unless the account has its own quota (default 20)
 * @param streamLimit concurrent live streams per ingest domain for new domains (default 300)
 * @param cnameZone CNAME targets are {@code {domain}.{cnameZone}}
 * @param dnsServer name server for CNAME checks, or null for the system's resolvers
 * @param dnsTimeout how long a CNAME check waits for an answer
 * @param signingValidityMinutes validity of signed URLs for new domains (default 1440, minimum 1)
 * @param endpoints ports (and the host for domain-less URLs) printed in generated URLs
 * @param refreshInterval how often the in-memory view is reloaded from the store, so that nodes
 *     sharing one PostgreSQL see each other's changes; zero disables (changes made through this
 *     node's API are visible at once either way)
 * @param webhooks delivery limits of webhooks
 * @param defaultVhost whether the zero-config default vhost is still served once domains exist:
 *     a request that names no configured domain then publishes and plays there, unsigned
 *     ({@code default-vhost}, on by default); off, only configured domains are served
 * @param signingFutureSkew how far in the future a Type A timestamp may lie; null for one validity
 *     period of the domain ({@code signing.max-future-skew})
 * @param storeKeyFile the store key's file ({@code store.key-file}): secrets in the store are sealed
 *     with it; created on the first start when missing; null for {@code {dataDir}/store.key}. Every
 *     node sharing one store needs the same file
 */
public record ControlConfig(Path dataDir, String jdbcUrl, String jdbcUser, String jdbcPassword, String adminKey,
                            int domainQuota, int streamLimit, String cnameZone, InetSocketAddress dnsServer,
                            Duration dnsTimeout, int signingValidityMinutes, UrlEndpoints endpoints,
                            Duration refreshInterval, WebhookPolicy webhooks, boolean defaultVhost,
                            Duration signingFutureSkew, Path storeKeyFile) {

    public static final int DEFAULT_DOMAIN_QUOTA = 20;
    public static final int DEFAULT_STREAM_LIMIT = 300;
    public static final int DEFAULT_VALIDITY_MINUTES = 1440;
    public static final int MIN_ADMIN_KEY_LENGTH = 16;
    public static final String DEFAULT_CNAME_ZONE = "cname.vireo.invalid";

    /**
     * The ports and host that generated URLs point at.
     *
     * @param publicHost host for URLs when no domain is configured (the zero-config case)
     * @param rtmpPort RTMP port (omitted from URLs when 1935)
     * @param httpPort HTTP port (omitted when 80)
     * @param httpsPort HTTPS port (omitted when 443), used for domains with a certificate
     * @param srtPort SRT port
     */
    public record UrlEndpoints(String publicHost, int rtmpPort, int httpPort, int httpsPort, int srtPort) {

        public UrlEndpoints {
            Objects.requireNonNull(publicHost, "publicHost");
            for (int p : new int[] {rtmpPort, httpPort, httpsPort, srtPort}) {
                if (p < 1 || p > 65_535) {
                    throw new IllegalArgumentException("port out of range: " + p);
                }
            }
        }

        /** The server's default ports: RTMP 1935, HTTP 8080, HTTPS 8443, SRT 10080. */
        public static UrlEndpoints defaults(String publicHost) {
            return new UrlEndpoints(publicHost, 1935, 8080, 8443, 10080);
        }
    }

    /**
     * Webhook delivery.
     *
     * @param attempts tries per event, the first included (at least 1)
     * @param firstRetryDelay delay before the second try; doubles for each further one
     * @param maxRetryDelay cap of the doubling
     * @param timeout for one try (connect, send, answer)
     * @param maxPending events waiting or in flight; beyond this new events are dropped (and logged)
     *     so that a dead receiver cannot grow memory without bound
     * @param allow targets tenants' webhooks may reach although they are loopback, private,
     *     link-local or this server's own addresses: CIDRs ({@code 10.0.0.0/8}) or
     *     {@code host:port}, comma-separated ({@code webhooks.allow}); "" for none
     * @param authTimeout how long the on-publish authorization hook has to answer (retries
     *     included) before {@code authFailOpen} decides
     * @param authFailOpen whether a publisher stays when the hook did not answer in time or failed
     *     (false, the default: it is kicked — fail-closed)
     */
    public record WebhookPolicy(int attempts, Duration firstRetryDelay, Duration maxRetryDelay, Duration timeout,
                                int maxPending, String allow, Duration authTimeout, boolean authFailOpen) {

        public static final Duration DEFAULT_AUTH_TIMEOUT = Duration.ofSeconds(5);

        /** No allow-list, the default on-publish hook timeout, fail-closed. */
        public WebhookPolicy(int attempts, Duration firstRetryDelay, Duration maxRetryDelay, Duration timeout,
                             int maxPending) {
            this(attempts, firstRetryDelay, maxRetryDelay, timeout, maxPending, "", DEFAULT_AUTH_TIMEOUT, false);
        }

        public WebhookPolicy {
            allow = Objects.requireNonNullElse(allow, "");
            OutboundPolicy.validate(allow);
            if (authTimeout == null || authTimeout.isZero() || authTimeout.isNegative()) {
                throw new IllegalArgumentException("the on-publish hook timeout must be positive");
            }
            if (attempts < 1 || maxPending < 1) {
                throw new IllegalArgumentException("webhook attempts and maxPending must be positive");
            }
            if (firstRetryDelay.isNegative() || maxRetryDelay.compareTo(firstRetryDelay) < 0 || timeout.isZero()
                    || timeout.isNegative()) {
                throw new IllegalArgumentException("webhook delays must satisfy 0 <= first <= max and timeout > 0");
            }
        }

        /** 6 tries over about 31 s (1, 2, 4, 8, 16 s apart), 5 s per try, 10 000 pending. */
        public static WebhookPolicy defaults() {
            return new WebhookPolicy(6, Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(5), 10_000);
        }

        /** The same with another allow-list ({@code webhooks.allow}). */
        public WebhookPolicy withAllow(String list) {
            return new WebhookPolicy(attempts, firstRetryDelay, maxRetryDelay, timeout, maxPending, list, authTimeout,
                    authFailOpen);
        }

        /** The same with another on-publish hook timeout and failure choice. */
        public WebhookPolicy withAuth(Duration timeout, boolean failOpen) {
            return new WebhookPolicy(attempts, firstRetryDelay, maxRetryDelay, this.timeout, maxPending, allow, timeout,
                    failOpen);
        }
    }

    public ControlConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        storeKeyFile = storeKeyFile == null ? dataDir.resolve("store.key") : storeKeyFile;
        jdbcUrl = Objects.requireNonNullElse(jdbcUrl, "");
        jdbcUser = Objects.requireNonNullElse(jdbcUser, "");
        jdbcPassword = Objects.requireNonNullElse(jdbcPassword, "");
        adminKey = Objects.requireNonNullElse(adminKey, "");
        Objects.requireNonNull(cnameZone, "cnameZone");
        Objects.requireNonNull(dnsTimeout, "dnsTimeout");
        Objects.requireNonNull(endpoints, "endpoints");
        Objects.requireNonNull(refreshInterval, "refreshInterval");
        Objects.requireNonNull(webhooks, "webhooks");
        if (domainQuota < 0 || streamLimit < 1) {
            throw new IllegalArgumentException("domain quota must be >= 0 and stream limit >= 1");
        }
        if (signingValidityMinutes < SigningConfig.MIN_VALIDITY_MINUTES) {
            throw new IllegalArgumentException("signing validity must be at least 1 minute");
        }
        if (!adminKey.isEmpty() && adminKey.length() < MIN_ADMIN_KEY_LENGTH) {
            throw new IllegalArgumentException("the admin key (VIREO_ADMIN_KEY) must have at least "
                    + MIN_ADMIN_KEY_LENGTH + " characters");
        }
        if (!DomainName.isValid(cnameZone)) {
            throw new IllegalArgumentException("cname zone is not a domain name: " + cnameZone);
        }
        if (refreshInterval.isNegative() || dnsTimeout.isNegative() || dnsTimeout.isZero()) {
            throw new IllegalArgumentException("refresh interval must be >= 0 and DNS timeout > 0");
        }
    }

    /** Embedded store under {@code dataDir}, generated admin key, the documented defaults. */
    public static ControlConfig defaults(Path dataDir) {
        return new ControlConfig(dataDir, "", "", "", "", DEFAULT_DOMAIN_QUOTA, DEFAULT_STREAM_LIMIT,
                DEFAULT_CNAME_ZONE, null, Duration.ofSeconds(5), DEFAULT_VALIDITY_MINUTES,
                UrlEndpoints.defaults("127.0.0.1"), Duration.ofSeconds(30), WebhookPolicy.defaults(), true, null, null);
    }

    public ControlConfig withJdbc(String url, String user, String password) {
        return new ControlConfig(dataDir, url, user, password, adminKey, domainQuota, streamLimit, cnameZone,
                dnsServer, dnsTimeout, signingValidityMinutes, endpoints, refreshInterval, webhooks,
                defaultVhost, signingFutureSkew, storeKeyFile);
    }

    public ControlConfig withAdminKey(String key) {
        return new ControlConfig(dataDir, jdbcUrl, jdbcUser, jdbcPassword, key, domainQuota, streamLimit, cnameZone,
                dnsServer, dnsTimeout, signingValidityMinutes, endpoints, refreshInterval, webhooks,
                defaultVhost, signingFutureSkew, storeKeyFile);
    }

    public ControlConfig withDomainQuota(int quota) {
        return new ControlConfig(dataDir, jdbcUrl, jdbcUser, jdbcPassword, adminKey, quota, streamLimit, cnameZone,
                dnsServer, dnsTimeout, signingValidityMinutes, endpoints, refreshInterval, webhooks,
                defaultVhost, signingFutureSkew, storeKeyFile);
    }

    public ControlConfig withStreamLimit(int limit) {
        return new ControlConfig(dataDir, jdbcUrl, jdbcUser, jdbcPassword, adminKey, domainQuota, limit, cnameZone,
                dnsServer, dnsTimeout, signingValidityMinutes, endpoints, refreshInterval, webhooks,
                defaultVhost, signingFutureSkew, storeKeyFile);
    }

    public ControlConfig withCnameZone(String zone) {
        return new ControlConfig(dataDir, jdbcUrl, jdbcUser, jdbcPassword, adminKey, domainQuota, streamLimit, zone,
                dnsServer, dnsTimeout, signingValidityMinutes, endpoints, refreshInterval, webhooks,
                defaultVhost, signingFutureSkew, storeKeyFile);
    }

    public ControlConfig withDnsServer(InetSocketAddress server, Duration timeout) {
        return new ControlConfig(dataDir, jdbcUrl, jdbcUser, jdbcPassword, adminKey, domainQuota, streamLimit,
                cnameZone, server, timeout, signingValidityMinutes, endpoints, refreshInterval, webhooks,
                defaultVhost, signingFutureSkew, storeKeyFile);
    }

    public ControlConfig withSigningValidityMinutes(int minutes) {
        return new ControlConfig(dataDir, jdbcUrl, jdbcUser, jdbcPassword, adminKey, domainQuota, streamLimit,
                cnameZone, dnsServer, dnsTimeout, minutes, endpoints, refreshInterval, webhooks,
                defaultVhost, signingFutureSkew, storeKeyFile);
    }

    public ControlConfig withEndpoints(UrlEndpoints urlEndpoints) {
        return new ControlConfig(dataDir, jdbcUrl, jdbcUser, jdbcPassword, adminKey, domainQuota, streamLimit,
                cnameZone, dnsServer, dnsTimeout, signingValidityMinutes, urlEndpoints, refreshInterval, webhooks,
                defaultVhost, signingFutureSkew, storeKeyFile);
    }

    public ControlConfig withRefreshInterval(Duration interval) {
        return new ControlConfig(dataDir, jdbcUrl, jdbcUser, jdbcPassword, adminKey, domainQuota, streamLimit,
                cnameZone, dnsServer, dnsTimeout, signingValidityMinutes, endpoints, interval, webhooks,
                defaultVhost, signingFutureSkew, storeKeyFile);
    }

    public ControlConfig withWebhooks(WebhookPolicy policy) {
        return new ControlConfig(dataDir, jdbcUrl, jdbcUser, jdbcPassword, adminKey, domainQuota, streamLimit,
                cnameZone, dnsServer, dnsTimeout, signingValidityMinutes, endpoints, refreshInterval, policy,
                defaultVhost, signingFutureSkew, storeKeyFile);
    }

    /** The same with the default vhost served once domains exist, or not. */
    public ControlConfig withDefaultVhost(boolean on) {
        return new ControlConfig(dataDir, jdbcUrl, jdbcUser, jdbcPassword, adminKey, domainQuota, streamLimit,
                cnameZone, dnsServer, dnsTimeout, signingValidityMinutes, endpoints, refreshInterval,
                webhooks, on, signingFutureSkew, storeKeyFile);
    }

    /** The same with another future skew for Type A timestamps (null: one validity period). */
    public ControlConfig withSigningFutureSkew(Duration skew) {
        return new ControlConfig(dataDir, jdbcUrl, jdbcUser, jdbcPassword, adminKey, domainQuota, streamLimit,
                cnameZone, dnsServer, dnsTimeout, signingValidityMinutes, endpoints, refreshInterval, webhooks,
                defaultVhost, skew, storeKeyFile);
    }

    /** The same with another store key file (null: {@code {dataDir}/store.key}). */
    public ControlConfig withStoreKeyFile(Path file) {
        return new ControlConfig(dataDir, jdbcUrl, jdbcUser, jdbcPassword, adminKey, domainQuota, streamLimit,
                cnameZone, dnsServer, dnsTimeout, signingValidityMinutes, endpoints, refreshInterval, webhooks,
                defaultVhost, signingFutureSkew, file);
    }

    @Override
    public String toString() {
        // No secrets: not the admin key, not the JDBC password (nor a URL that may embed one).
        return "ControlConfig[dataDir=" + dataDir + ", store=" + (jdbcUrl.isEmpty() ? "embedded" : "jdbc")
                + ", domainQuota=" + domainQuota + ", streamLimit=" + streamLimit + ", cnameZone=" + cnameZone
                + ", dnsServer=" + dnsServer + ", signingValidityMinutes=" + signingValidityMinutes
                + ", defaultVhost=" + (defaultVhost ? "on" : "off") + ", storeKeyFile=" + storeKeyFile + "]";
    }
}
