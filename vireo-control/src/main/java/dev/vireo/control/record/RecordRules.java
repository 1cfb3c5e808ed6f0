package dev.vireo.control.record;

import dev.vireo.control.domains.DomainService;
import dev.vireo.control.model.Account;
import dev.vireo.control.model.ApiException;
import dev.vireo.control.model.Domain;
import dev.vireo.control.model.Names;
import dev.vireo.control.model.RecordRule;
import dev.vireo.control.store.Database;
import dev.vireo.control.store.RecordRuleStore;
import dev.vireo.control.store.Registry;
import dev.vireo.core.StreamKey;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Recording rules: kept in the store ({@code record_rules}), mirrored in memory so the server can
 * ask on an event loop which rule a publishing stream follows, and listeners told of every
 * change (made here, or by another node and seen at the periodic reload).
 */
public final class RecordRules {

    /** Body of {@code PUT .../record-rules/{app}/{stream}}; absent fields take their defaults. */
    public record RuleRequest(Boolean enabled, String format, Long rotateSeconds, Long maxAgeSeconds, Long maxTotalBytes) {
    }

    private final Database db;
    private final Registry registry;
    private final DomainService domains;
    private final Clock clock;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private volatile List<RecordRule> rules = List.of();

    public RecordRules(Database db, Registry registry, DomainService domains, Clock clock) {
        this.db = db;
        this.registry = registry;
        this.domains = domains;
        this.clock = clock;
    }

    public void onChange(Runnable listener) {
        listeners.add(listener);
    }

    /** Reads the rules from the store; tells the listeners when they changed. Blocking. */
    public synchronized void reload() {
        List<RecordRule> fresh = db.read(RecordRuleStore::all);
        if (!fresh.equals(rules)) {
            rules = List.copyOf(fresh);
            listeners.forEach(Runnable::run);
        }
    }

    /** The rule {@code key} follows, if any (the most specific one). From memory: non-blocking. */
    public Optional<RecordRule> ruleFor(StreamKey key) {
        RecordRule best = null;
        int bestScore = -1;
        for (RecordRule r : rules) {
            if (!r.domain().equals(key.vhost()) || !current(r)) {
                continue;
            }
            int score = r.specificity(key.app(), key.stream());
            if (score > bestScore) {
                best = r;
                bestScore = score;
            }
        }
        return Optional.ofNullable(best);
    }

    public List<RecordRule> list(Account caller, String domain) {
        String vhost = vhostOf(caller, domain);
        return rules.stream().filter(r -> r.domain().equals(vhost) && current(r)).toList();
    }

    /**
     * Whether a rule in memory still belongs to a domain that exists: a deleted domain's rules
     * (deleted with it in the store) may linger here until the next reload, and must not apply to
     * a domain of the same name added since.
     */
    private boolean current(RecordRule r) {
        if (StreamKey.DEFAULT_VHOST.equals(r.domain())) {
            return true;
        }
        Domain d = registry.state().domain(r.domain());
        return d != null && !Instant.parse(r.updatedAt()).isBefore(d.createdAt());
    }

    public RecordRule put(Account caller, String domain, String app, String stream, RuleRequest body) {
        String vhost = vhostOf(caller, domain);
        RecordRule r = new RecordRule(vhost, pattern("app", app), pattern("stream", stream),
                body.enabled() == null || body.enabled(), format(body.format()),
                range("rotateSeconds", body.rotateSeconds(), RecordRule.DEFAULT_ROTATE_SECONDS, 1,
                        RecordRule.MAX_ROTATE_SECONDS),
                range("maxAgeSeconds", body.maxAgeSeconds(), 0, 0, 100L * 365 * 86_400),
                range("maxTotalBytes", body.maxTotalBytes(), 0, 0, Long.MAX_VALUE / 2), null);
        Instant now = Instant.ofEpochMilli(clock.millis());
        db.transaction(c -> {
            RecordRuleStore.put(c, r, now);
            return null;
        });
        reload();
        return ruleFor(r.domain(), r.app(), r.stream());
    }

    public boolean remove(Account caller, String domain, String app, String stream) {
        String vhost = vhostOf(caller, domain);
        boolean removed = db.transaction(c -> RecordRuleStore.remove(c, vhost, pattern("app", app),
                pattern("stream", stream)));
        reload();
        return removed;
    }

    private RecordRule ruleFor(String vhost, String app, String stream) {
        return rules.stream().filter(r -> r.domain().equals(vhost) && r.app().equals(app) && r.stream().equals(stream))
                .findFirst().orElseThrow(() -> new IllegalStateException("rule not found after saving it"));
    }

    /**
     * The vhost a caller's domain names: the ingest domain itself, a streaming domain's ingest
     * domain, or the zero-config vhost ({@code __defaultVhost__}, an admin only).
     */
    public String vhostOf(Account caller, String domain) {
        if (caller.admin() && StreamKey.DEFAULT_VHOST.equals(domain)) {
            return StreamKey.DEFAULT_VHOST;
        }
        Domain d = domains.get(caller, domain);
        Domain ingest = registry.state().ingestOf(d);
        if (ingest == null) {
            throw ApiException.badRequest("InvalidAssociation.NotAssociated", "streaming domain " + d.name()
                    + " is not associated with an ingest domain");
        }
        return ingest.name();
    }

    /**
     * The vhosts whose recordings a caller sees: one domain's, or every ingest domain of the
     * caller (an admin: everything, the zero-config vhost included).
     */
    public Predicate<String> visible(Account caller, String domain) {
        if (domain != null) {
            String vhost = vhostOf(caller, domain);
            return vhost::equals;
        }
        if (caller.admin()) {
            return v -> true;
        }
        Set<String> own = domains.list(caller).stream().filter(Domain::isIngest).map(Domain::name)
                .collect(Collectors.toSet());
        return own::contains;
    }

    private static String pattern(String what, String value) {
        return RecordRule.ANY.equals(value) ? RecordRule.ANY : Names.streamPart(what, value);
    }

    private static String format(String f) {
        if (f == null) {
            return "fmp4";
        }
        String v = f.trim().toLowerCase(Locale.ROOT);
        if (!RecordRule.FORMATS.contains(v)) {
            throw ApiException.badRequest("InvalidParameter.Format", "format must be fmp4 or flv");
        }
        return v;
    }

    private static long range(String what, Long value, long dflt, long min, long max) {
        if (value == null) {
            return dflt;
        }
        if (value < min || value > max) {
            throw ApiException.badRequest("InvalidParameter", what + " must be between " + min + " and " + max);
        }
        return value;
    }
}
