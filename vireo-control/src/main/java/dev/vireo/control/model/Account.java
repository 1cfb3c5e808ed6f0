package dev.vireo.control.model;

import java.time.Instant;

/**
 * A tenant: owns domains and templates, authenticates with API keys.
 *
 * @param domainQuota the account's own domain quota, or null for the configured default
 */
public record Account(long id, String name, boolean admin, Integer domainQuota, Instant createdAt) {

    public int effectiveQuota(int defaultQuota) {
        return domainQuota == null ? defaultQuota : domainQuota;
    }
}
