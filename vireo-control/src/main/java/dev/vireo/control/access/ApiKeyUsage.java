package dev.vireo.control.access;

import dev.vireo.control.store.ApiKeyStore;
import dev.vireo.control.store.Database;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When each API key was last used. {@link #used} runs on the event loop after a key matched: it
 * only notes the time in memory and, at most once per {@link #PERSIST_EVERY} per key, hands a
 * store write to the blocking executor, so a busy client never writes the store per request.
 */
public final class ApiKeyUsage {

    private static final Logger log = LoggerFactory.getLogger(ApiKeyUsage.class);
    static final Duration PERSIST_EVERY = Duration.ofMinutes(1);

    private final Database db;
    private final Executor blocking;
    private final Clock clock;
    /** Key hash (hex) → the last use written to the store (or being written). */
    private final Map<String, Instant> persisted = new ConcurrentHashMap<>();

    public ApiKeyUsage(Database db, Executor blocking, Clock clock) {
        this.db = db;
        this.blocking = blocking;
        this.clock = clock;
    }

    public void used(byte[] keyHash) {
        String hex = HexFormat.of().formatHex(keyHash);
        Instant now = clock.instant();
        Instant last = persisted.get(hex);
        if (last != null && last.plus(PERSIST_EVERY).isAfter(now)) {
            return;
        }
        if (last == null ? persisted.putIfAbsent(hex, now) != null : !persisted.replace(hex, last, now)) {
            return; // another request of the same key is writing it
        }
        try {
            blocking.execute(() -> {
                try {
                    db.transaction(c -> {
                        ApiKeyStore.touch(c, hex, now);
                        return null;
                    });
                } catch (RuntimeException e) {
                    log.debug("could not note an API key's last use: {}", e.getMessage());
                }
            });
        } catch (RejectedExecutionException e) {
            // shutting down
        }
    }
}
