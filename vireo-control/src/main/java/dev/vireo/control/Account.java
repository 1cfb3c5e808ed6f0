package dev.vireo.control;

import java.time.Instant;

/**
 * A tenant: owns domains and templates, authenticates with API keys.
 *
 * @param domainQuota the account's own domain quota, or null for the configured default
 */
record Account(long id, String name, boolean admin, Integer domainQuota, Instant createdAt) {

    int effectiveQuota(int defaultQuota) {
        return domainQuota == null ? defaultQuota : domainQuota;
    }
}
