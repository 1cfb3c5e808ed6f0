package dev.vireo.cluster.registry;

/**
 * The Lua scripts that change claims: each runs atomically in Redis, so a check and its write
 * cannot be split by another node's. Stream keys: KEYS[1] the claim ({@code vireo:stream:...}),
 * KEYS[2] its fence ({@code vireo:fence:...}), KEYS[3] the epoch counter.
 */
final class Scripts {

    private Scripts() {
    }

    /**
     * Claim. ARGV: node id, claim TTL ms, node key prefix, fence TTL ms. A claim held by a node
     * whose lease is gone is void (its streams are released with its lease); this node's own
     * earlier claim (a restart) is replaced. The new epoch is above every epoch issued for the key,
     * also after a Redis restart lost the counter (owners re-assert their fences). The write is
     * {@code SET NX PX}. Returns {1, epoch, node} when claimed, {0, epoch, owner} when held.
     */
    static final String CLAIM = """
            local cur = redis.call('GET', KEYS[1])
            if cur then
              local bar = string.find(cur, '|', 1, true)
              local owner = string.sub(cur, bar + 1)
              if owner ~= ARGV[1] and redis.call('EXISTS', ARGV[3] .. owner) == 1 then
                return {0, tonumber(string.sub(cur, 1, bar - 1)), owner}
              end
              redis.call('DEL', KEYS[1])
            end
            local epoch = redis.call('INCR', KEYS[3])
            local fence = tonumber(redis.call('GET', KEYS[2]) or '0')
            if epoch <= fence then
              epoch = fence + 1
              redis.call('SET', KEYS[3], epoch)
            end
            redis.call('SET', KEYS[1], epoch .. '|' .. ARGV[1], 'NX', 'PX', ARGV[2])
            redis.call('SET', KEYS[2], epoch, 'PX', ARGV[4])
            return {1, epoch, ARGV[1]}
            """;

    /**
     * Renew (compare-and-set on the owner). ARGV: the claim's value ({@code epoch|node}), claim TTL
     * ms, epoch, fence TTL ms. Returns 1 renewed; 2 re-asserted (the claim was gone, e.g. Redis
     * restarted, and no newer epoch was issued for the key); -1 another node holds the key; -2 the
     * key is free but a newer epoch was issued (a stale owner: it may not take the stream back).
     */
    static final String RENEW = """
            local cur = redis.call('GET', KEYS[1])
            if cur == ARGV[1] then
              redis.call('PEXPIRE', KEYS[1], ARGV[2])
              redis.call('PEXPIRE', KEYS[2], ARGV[4])
              return 1
            end
            if cur then
              return -1
            end
            local epoch = tonumber(ARGV[3])
            local fence = tonumber(redis.call('GET', KEYS[2]) or '0')
            if fence > epoch then
              return -2
            end
            redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
            redis.call('SET', KEYS[2], epoch, 'PX', ARGV[4])
            if tonumber(redis.call('GET', KEYS[3]) or '0') < epoch then
              redis.call('SET', KEYS[3], epoch)
            end
            return 2
            """;

    /**
     * Release (compare-and-delete on the owner). ARGV: the claim's value, its epoch, fence TTL ms.
     * The fence goes one above the released epoch: a renewal of that claim still on its way (the
     * renewing thread read the claim before it was released) finds a newer epoch and does not
     * re-assert it ({@link #RENEW} returns -2), which would hold the stream for this node, which no
     * longer publishes it, until the claim's TTL. The next claim's epoch is above the fence as
     * always. Returns 1 released, 0 not ours.
     */
    static final String RELEASE = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              redis.call('DEL', KEYS[1])
              local epoch = tonumber(ARGV[2])
              if tonumber(redis.call('GET', KEYS[2]) or '0') <= epoch then
                redis.call('SET', KEYS[2], epoch + 1, 'PX', ARGV[3])
              end
              return 1
            end
            return 0
            """;

    /** Node lease: KEYS[1] the node hash; ARGV[1] lease TTL ms, then field, value, ... Returns 1 when it was new. */
    static final String LEASE = """
            local fresh = redis.call('EXISTS', KEYS[1]) == 0
            redis.call('HSET', KEYS[1], unpack(ARGV, 2))
            redis.call('PEXPIRE', KEYS[1], ARGV[1])
            if fresh then return 1 end
            return 0
            """;
}
