package dev.vireo.control.store;

import dev.vireo.control.model.Account;
import dev.vireo.control.model.ApiException;
import dev.vireo.control.model.CertificateBundle;
import dev.vireo.control.model.ControlState;
import dev.vireo.control.model.Credential;
import dev.vireo.control.model.Domain;
import dev.vireo.control.model.Template;
import dev.vireo.control.tls.CertificatePem;
import dev.vireo.core.StreamKey;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the current {@link ControlState} and rebuilds it from the store: after every change made
 * through the API (before the API answers, so the change is in force when the client hears of it)
 * and periodically, to pick up changes other nodes made to a shared store. Reloads block; run them
 * off the event loops.
 */
public final class Registry {

    private static final Logger log = LoggerFactory.getLogger(Registry.class);

    /** A parsed certificate and the upload it came from, so unchanged ones are not parsed again. */
    private record Parsed(Instant uploadedAt, CertificateBundle bundle) {
    }

    private final Database db;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Parsed> parsedCertificates = new ConcurrentHashMap<>();
    private volatile ControlState state = ControlState.EMPTY;
    private final List<Runnable> templateListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Under the lock: the templates of the last reload, to tell listeners only of real changes. */
    private Map<Long, Map<String, Template>> lastTemplates = Map.of();

    public Registry(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public ControlState state() {
        return state;
    }

    private final List<Runnable> changeListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * Runs {@code listener} after each reload that follows a change made through this node's API
     * (not after {@link #refreshFromStore}), on the reloading thread: the cluster tells the other
     * nodes to reload.
     */
    public void onChange(Runnable listener) {
        changeListeners.add(listener);
    }

    /** Runs {@code listener} after each reload that changed a template (on the reloading thread). */
    public void onTemplatesChanged(Runnable listener) {
        templateListeners.add(listener);
    }

    /** Reloads after a change made through this node's API, and tells the change listeners. */
    public void reload() {
        refreshFromStore();
        for (Runnable l : changeListeners) {
            try {
                l.run();
            } catch (RuntimeException e) {
                log.warn("change listener failed", e);
            }
        }
    }

    /** Reads everything the Gate and the API key check need; serialised so a newer view is never replaced by an older one. */
    public void refreshFromStore() {
        lock.lock();
        try {
            Instant now = clock.instant();
            record Loaded(List<Domain> domains, List<CertificateStore.Row> certs, List<ForbiddenStore.Row> forbidden,
                          List<Credential> credentials, List<Template> templates, long defaultAccount,
                          Map<String, String> srtPassphrases) {
            }
            Loaded loaded = db.read(c -> new Loaded(DomainStore.all(c), CertificateStore.all(c),
                    ForbiddenStore.active(c, now), AccountStore.credentials(c), TemplateStore.all(c),
                    AccountStore.findAdmin(c).map(Account::id).orElse(0L), SrtPassphraseStore.all(c)));
            Map<String, Domain> domains = new HashMap<>();
            for (Domain d : loaded.domains()) {
                domains.put(d.name(), d);
            }
            Map<String, CertificateBundle> certificates = new HashMap<>();
            for (CertificateStore.Row row : loaded.certs()) {
                CertificateBundle bundle = parsed(row);
                if (bundle != null) {
                    certificates.put(row.domain(), bundle);
                }
            }
            parsedCertificates.keySet().retainAll(certificates.keySet());
            Map<StreamKey, Instant> forbidden = new HashMap<>();
            for (ForbiddenStore.Row f : loaded.forbidden()) {
                forbidden.put(new StreamKey(f.domain(), f.app(), f.stream()), f.until() == null ? Instant.MAX : f.until());
            }
            Map<Long, Map<String, Template>> templates = new HashMap<>();
            for (Template t : loaded.templates()) {
                templates.computeIfAbsent(t.accountId(), a -> new HashMap<>()).put(t.id(), t);
            }
            state = new ControlState(domains, certificates, forbidden, loaded.credentials(), templates,
                    loaded.defaultAccount(), loaded.srtPassphrases());
            if (!templates.equals(lastTemplates)) {
                lastTemplates = templates;
                templateListeners.forEach(Runnable::run);
            }
        } finally {
            lock.unlock();
        }
    }

    private CertificateBundle parsed(CertificateStore.Row row) {
        Parsed p = parsedCertificates.get(row.domain());
        if (p != null && p.uploadedAt().equals(row.uploadedAt())) {
            return p.bundle();
        }
        try {
            CertificateBundle bundle = CertificatePem.parse(row.domain(), row.certificatePem(), row.privateKeyPem());
            parsedCertificates.put(row.domain(), new Parsed(row.uploadedAt(), bundle));
            return bundle;
        } catch (ApiException e) {
            // Validated on upload, so only a store edited by hand gets here.
            log.warn("stored certificate of {} cannot be used: {}", row.domain(), e.getMessage());
            return null;
        }
    }
}
