package dev.vireo.control.domains;

import dev.vireo.control.model.Account;
import dev.vireo.control.model.ApiException;
import dev.vireo.control.model.CertificateBundle;
import dev.vireo.control.model.ControlConfig;
import dev.vireo.control.model.Domain;
import dev.vireo.control.model.DomainName;
import dev.vireo.control.model.DomainPatch;
import dev.vireo.control.model.Names;
import dev.vireo.control.model.NotifyConfig;
import dev.vireo.control.model.SigningConfig;
import dev.vireo.control.model.SigningUpdate;
import dev.vireo.control.outbound.OutboundPolicy;
import dev.vireo.control.store.AccountStore;
import dev.vireo.control.store.CertificateStore;
import dev.vireo.control.store.Database;
import dev.vireo.control.store.ForbiddenStore;
import dev.vireo.control.store.DomainStore;
import dev.vireo.control.store.RecordRuleStore;
import dev.vireo.control.store.Registry;
import dev.vireo.control.store.SrtPassphraseStore;
import dev.vireo.control.tls.CertificatePem;
import java.net.URI;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The domain rules: quota, uniqueness, names, types of associations and sub-domains, signing,
 * notify and certificates. Each change runs in one transaction, then the in-memory view is reloaded
 * so the Gate applies it before the caller hears back. Blocking: call off the event loops.
 *
 * <p>Visibility: an account sees and changes its own domains; an admin account sees and changes
 * every domain. A domain the caller cannot see is reported as not found, except on creation, where
 * a name taken by anyone is {@code DomainAlreadyExist}.
 */
public final class DomainService {

    private final OutboundPolicy outbound;
    private volatile java.util.function.Consumer<String> firstDomain = d -> { };

    /** Called (with the name) after the first domain was added: the zero-config mode ends. */
    public void onFirstDomain(java.util.function.Consumer<String> listener) {
        firstDomain = listener;
    }

    private static final Pattern SECRET = Pattern.compile("[\\x21-\\x7e]{16,128}");

    private final Database db;
    private final Registry registry;
    private final ControlConfig config;
    private final Clock clock;

    public DomainService(Database db, Registry registry, ControlConfig config, Clock clock) {
        this.outbound = OutboundPolicy.of(config.webhooks().allow());
        this.db = db;
        this.registry = registry;
        this.config = config;
        this.clock = clock;
    }

    public Domain add(Account caller, String rawName, String rawType, String region, String liveCenter) {
        String name = DomainName.normalize(rawName);
        Domain.Type type = Domain.Type.parse(rawType);
        String reg = Names.region("region", region == null ? "default" : region);
        String center = Names.region("liveCenter", liveCenter == null ? reg : liveCenter);
        String cname = name + "." + config.cnameZone();
        if (cname.length() > DomainName.MAX_LENGTH) {
            throw ApiException.badRequest("InvalidDomain.Malformed",
                    "domain name too long for a CNAME target in " + config.cnameZone());
        }
        Instant now = now();
        Domain d = new Domain(name, caller.id(), type, reg, center, cname, Domain.CnameStatus.UNCHECKED,
                // RTS and HTML5 auto transcoding on: OBS-style streams (AAC, B-frames) play in browsers
                Domain.Status.ONLINE, true, true, config.streamLimit(), null, null,
                SigningConfig.fresh(config.signingValidityMinutes()), null, now, now, List.of());
        boolean first = registry.state().zeroConfig();
        Domain added = change(c -> {
            Account owner = AccountStore.lock(c, caller.id()).orElseThrow(
                    () -> new ApiException(401, "Unauthorized", "the account no longer exists"));
            if (DomainStore.find(c, name).isPresent()) {
                throw alreadyExists(name);
            }
            int quota = owner.effectiveQuota(config.domainQuota());
            if (DomainStore.countOfAccount(c, owner.id()) >= quota) {
                throw new ApiException(403, "QuotaExceeded", "the account already has its quota of " + quota
                        + " domains; delete one or ask for a higher quota");
            }
            try {
                DomainStore.insert(c, d);
            } catch (SQLException e) {
                if (Database.isUniqueViolation(e)) {
                    throw alreadyExists(name);
                }
                throw e;
            }
            return d;
        });
        if (first) {
            firstDomain.accept(added.name());
        }
        return added;
    }

    public List<Domain> list(Account caller) {
        return db.read(c -> caller.admin() ? DomainStore.all(c) : DomainStore.ofAccount(c, caller.id()));
    }

    public Domain get(Account caller, String rawName) {
        return db.read(c -> visible(c, caller, rawName));
    }

    public Domain update(Account caller, String rawName, DomainPatch patch) {
        return change(c -> {
            Domain d = visible(c, caller, rawName);
            if (patch.type() != null && Domain.Type.parse(patch.type()) != d.type()) {
                throw ApiException.badRequest("InvalidParameter.Immutable", "the type of a domain cannot be changed; "
                        + "delete it and add it again");
            }
            if ((patch.rtsEnabled() != null || patch.html5Transcoding() != null) && !d.isStreaming()) {
                throw ApiException.badRequest("InvalidParameter.DomainType",
                        "rtsEnabled and html5Transcoding apply to streaming domains only");
            }
            if (patch.abrLadder() != null && !d.isStreaming()) {
                throw ApiException.badRequest("InvalidParameter.DomainType", "abrLadder applies to streaming domains only");
            }
            if (patch.streamLimit() != null && (!d.isIngest() || patch.streamLimit() < 1)) {
                throw ApiException.badRequest("InvalidParameter.DomainType",
                        "streamLimit applies to ingest domains only and must be at least 1");
            }
            Domain updated = new Domain(d.name(), d.accountId(), d.type(),
                    patch.region() == null ? d.region() : Names.region("region", patch.region()),
                    patch.liveCenter() == null ? d.liveCenter() : Names.region("liveCenter", patch.liveCenter()),
                    d.cname(), d.cnameStatus(),
                    patch.status() == null ? d.status() : Domain.Status.parse(patch.status()),
                    Objects.requireNonNullElse(patch.rtsEnabled(), d.rtsEnabled()),
                    Objects.requireNonNullElse(patch.html5Transcoding(), d.html5Transcoding()),
                    Objects.requireNonNullElse(patch.streamLimit(), d.streamLimit()),
                    d.ingestDomain(), d.mainDomain(), d.signing(), d.webhook(), d.createdAt(), now(),
                    patch.abrLadder() == null ? d.abrLadder() : abrLadder(patch.abrLadder()));
            DomainStore.update(c, updated);
            return updated;
        });
    }

    /** Deletes a domain that nothing else refers to; returns it as it was. */
    public Domain delete(Account caller, String rawName) {
        return change(c -> {
            Domain d = visible(c, caller, rawName);
            List<String> dependents = DomainStore.dependents(c, d.name());
            if (!dependents.isEmpty()) {
                throw ApiException.conflict("DomainInUse", "domain " + d.name() + " is still used by "
                        + String.join(", ", dependents) + "; remove those associations or sub-domains first");
            }
            DomainStore.delete(c, d.name());
            RecordRuleStore.removeDomain(c, d.name());
            ForbiddenStore.removeDomain(c, d.name());
            return d;
        });
    }

    public Domain associate(Account caller, String rawStreaming, String rawIngest) {
        return change(c -> {
            Domain streaming = visible(c, caller, rawStreaming);
            if (rawIngest == null || rawIngest.isEmpty()) {
                throw ApiException.badRequest("MissingParameter", "ingestDomain is required");
            }
            Domain ingest = visible(c, caller, rawIngest);
            if (!streaming.isStreaming() || !ingest.isIngest()) {
                throw wrongTypes("an association links a streaming domain (" + streaming.name() + " is "
                        + streaming.type().wire() + ") to an ingest domain (" + ingest.name() + " is "
                        + ingest.type().wire() + ")");
            }
            sameOwner(streaming, ingest);
            if (streaming.mainDomain() != null) {
                throw ApiException.conflict("InvalidAssociation.SubDomain", streaming.name()
                        + " is a sub-streaming domain of " + streaming.mainDomain() + " and plays what it plays");
            }
            Domain updated = withLinks(streaming, ingest.name(), null);
            DomainStore.update(c, updated);
            return updated;
        });
    }

    public Domain dissociate(Account caller, String rawStreaming) {
        return change(c -> {
            Domain streaming = visible(c, caller, rawStreaming);
            if (streaming.ingestDomain() == null) {
                throw ApiException.notFound("AssociationNotFound", streaming.name() + " has no associated ingest domain");
            }
            Domain updated = withLinks(streaming, null, null);
            DomainStore.update(c, updated);
            return updated;
        });
    }

    public Domain bindSub(Account caller, String rawMain, String rawSub) {
        return change(c -> {
            Domain main = visible(c, caller, rawMain);
            Domain sub = visible(c, caller, rawSub);
            if (main.name().equals(sub.name())) {
                throw ApiException.badRequest("InvalidAssociation.SubDomain", "a domain cannot be its own sub-domain");
            }
            if (!main.isStreaming() || !sub.isStreaming()) {
                throw wrongTypes("sub-streaming domains bind a streaming domain (" + sub.name() + " is "
                        + sub.type().wire() + ") to a main streaming domain (" + main.name() + " is "
                        + main.type().wire() + ")");
            }
            sameOwner(main, sub);
            if (main.mainDomain() != null) {
                throw ApiException.conflict("InvalidAssociation.SubDomain", main.name()
                        + " is itself a sub-streaming domain of " + main.mainDomain());
            }
            if (sub.mainDomain() != null && !sub.mainDomain().equals(main.name())) {
                throw ApiException.conflict("InvalidAssociation.SubDomain", sub.name()
                        + " is already a sub-streaming domain of " + sub.mainDomain());
            }
            if (sub.ingestDomain() != null) {
                throw ApiException.conflict("InvalidAssociation.SubDomain", sub.name()
                        + " has its own ingest association; remove it first");
            }
            if (!DomainStore.dependents(c, sub.name()).isEmpty()) {
                throw ApiException.conflict("InvalidAssociation.SubDomain", sub.name()
                        + " has sub-streaming domains of its own");
            }
            Domain updated = withLinks(sub, null, main.name());
            DomainStore.update(c, updated);
            return updated;
        });
    }

    public Domain unbindSub(Account caller, String rawMain, String rawSub) {
        return change(c -> {
            Domain main = visible(c, caller, rawMain);
            Domain sub = visible(c, caller, rawSub);
            if (!main.name().equals(sub.mainDomain())) {
                throw ApiException.notFound("AssociationNotFound", sub.name() + " is not a sub-streaming domain of "
                        + main.name());
            }
            Domain updated = withLinks(sub, null, null);
            DomainStore.update(c, updated);
            return updated;
        });
    }

    public Domain setSigning(Account caller, String rawName, SigningUpdate u) {
        return change(c -> {
            Domain d = visible(c, caller, rawName);
            SigningConfig old = d.signing();
            if (u.validityMinutes() != null && u.validityMinutes() < SigningConfig.MIN_VALIDITY_MINUTES) {
                throw ApiException.badRequest("InvalidParameter.ValidityMinutes", "validityMinutes must be at least 1");
            }
            String primary = u.primaryKey() == null ? old.primaryKey() : SigningConfig.checkKey("primaryKey", u.primaryKey());
            String secondary = u.secondaryKey() == null ? old.secondaryKey()
                    : u.secondaryKey().isEmpty() ? null : SigningConfig.checkKey("secondaryKey", u.secondaryKey());
            SigningConfig signing = new SigningConfig(Objects.requireNonNullElse(u.enabled(), old.enabled()), primary,
                    secondary, Objects.requireNonNullElse(u.validityMinutes(), old.validityMinutes()));
            Domain updated = withSigningAndNotify(d, signing, d.webhook());
            DomainStore.update(c, updated);
            return updated;
        });
    }

    /**
     * Sets the webhook target. Without {@code secret} the current secret is kept, or a new one is
     * generated when there is none (the caller returns it once).
     */
    public Domain setNotify(Account caller, String rawName, String url, String secret, Boolean onPublishAuth) {
        URI target = NotifyConfig.checkUrl(url);
        // Checked again at every request (names resolve then); here only what the URL itself says.
        String host = target.getHost();
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        InetAddress literal = OutboundPolicy.hostAddress(bare);
        if (literal != null) {
            int port = target.getPort() > 0 ? target.getPort() : "https".equalsIgnoreCase(target.getScheme()) ? 443 : 80;
            Optional<String> refusal = outbound.refusal(host, port, literal);
            if (refusal.isPresent()) {
                throw ApiException.badRequest("InvalidParameter", "url not allowed: " + refusal.get());
            }
        }
        if (secret != null && !SECRET.matcher(secret).matches()) {
            throw ApiException.badRequest("InvalidParameter", "secret must be 16 to 128 printable ASCII characters");
        }
        return change(c -> {
            Domain d = visible(c, caller, rawName);
            String s = secret != null ? secret : d.webhook() != null ? d.webhook().secret() : SigningConfig.randomKey();
            Domain updated = withSigningAndNotify(d, d.signing(),
                    new NotifyConfig(url, s, Boolean.TRUE.equals(onPublishAuth)));
            DomainStore.update(c, updated);
            return updated;
        });
    }

    public Domain clearNotify(Account caller, String rawName) {
        return change(c -> {
            Domain d = visible(c, caller, rawName);
            Domain updated = withSigningAndNotify(d, d.signing(), null);
            DomainStore.update(c, updated);
            return updated;
        });
    }

    public Domain setCnameStatus(Account caller, String rawName, Domain.CnameStatus status) {
        return change(c -> {
            Domain d = visible(c, caller, rawName);
            Domain updated = new Domain(d.name(), d.accountId(), d.type(), d.region(), d.liveCenter(), d.cname(), status,
                    d.status(), d.rtsEnabled(), d.html5Transcoding(), d.streamLimit(), d.ingestDomain(), d.mainDomain(),
                    d.signing(), d.webhook(), d.createdAt(), now(), d.abrLadder());
            DomainStore.update(c, updated);
            return updated;
        });
    }

    /** Validates and stores a certificate for the domain, replacing an earlier one; returns what was stored. */
    public CertificateStore.Row putCertificate(Account caller, String rawName, String certificatePem, String privateKeyPem) {
        Domain d = get(caller, rawName);
        Instant now = now();
        CertificateBundle bundle = CertificatePem.validate(d.name(), certificatePem, privateKeyPem, now);
        CertificateStore.Row row = new CertificateStore.Row(d.name(), certificatePem, privateKeyPem, bundle.notAfter(),
                now);
        return change(c -> {
            visible(c, caller, d.name());
            CertificateStore.put(c, row);
            return row;
        });
    }

    public Optional<CertificateStore.Row> certificate(Account caller, String rawName) {
        return db.read(c -> CertificateStore.find(c, visible(c, caller, rawName).name()));
    }

    public boolean deleteCertificate(Account caller, String rawName) {
        return change(c -> CertificateStore.delete(c, visible(c, caller, rawName).name()));
    }

    /**
     * Sets (replaces) the SRT passphrase of an ingest domain: every SRT publisher and player of its
     * streams must use it. Returns the domain.
     */
    public Domain setSrtPassphrase(Account caller, String rawName, String passphrase) {
        SrtPassphraseStore.check(passphrase);
        return change(c -> {
            Domain d = visible(c, caller, rawName);
            if (!d.isIngest()) {
                throw ApiException.badRequest("InvalidParameter.DomainType", "domain " + d.name()
                        + " is a streaming domain: SRT passphrases belong to the ingest domain its streams come from");
            }
            SrtPassphraseStore.put(c, d.name(), passphrase, now());
            return d;
        });
    }

    /** Removes the SRT passphrase of a domain; false when it had none. */
    public boolean clearSrtPassphrase(Account caller, String rawName) {
        return change(c -> SrtPassphraseStore.remove(c, visible(c, caller, rawName).name()));
    }

    /** The domain named {@code rawName} if the caller may see it. */
    Domain visible(Connection c, Account caller, String rawName) throws SQLException {
        String name = DomainName.normalize(rawName);
        Optional<Domain> d = DomainStore.find(c, name);
        if (d.isEmpty() || !caller.admin() && d.get().accountId() != caller.id()) {
            throw ApiException.notFound("DomainNotFound", "domain " + name + " not found");
        }
        return d.get();
    }

    /** Runs a change in a transaction, then brings the in-memory view up to date. */
    public <T> T change(Database.Work<T> work) {
        T result = db.transaction(work);
        registry.reload();
        return result;
    }

    private Instant now() {
        // Millisecond precision: what the store keeps, so a value read back equals the one written.
        return Instant.ofEpochMilli(clock.millis());
    }

    private Domain withLinks(Domain d, String ingestDomain, String mainDomain) {
        return new Domain(d.name(), d.accountId(), d.type(), d.region(), d.liveCenter(), d.cname(), d.cnameStatus(),
                d.status(), d.rtsEnabled(), d.html5Transcoding(), d.streamLimit(), ingestDomain, mainDomain, d.signing(),
                d.webhook(), d.createdAt(), now(), d.abrLadder());
    }

    private Domain withSigningAndNotify(Domain d, SigningConfig signing, NotifyConfig notify) {
        return new Domain(d.name(), d.accountId(), d.type(), d.region(), d.liveCenter(), d.cname(), d.cnameStatus(),
                d.status(), d.rtsEnabled(), d.html5Transcoding(), d.streamLimit(), d.ingestDomain(), d.mainDomain(),
                signing, notify, d.createdAt(), now(), d.abrLadder());
    }

    /** An ABR ladder as given: template ids, at most 8, no repeats (the templates may come later). */
    private static List<String> abrLadder(List<String> ids) {
        if (ids.size() > 8) {
            throw ApiException.badRequest("InvalidParameter", "abrLadder has at most 8 templates");
        }
        List<String> out = new java.util.ArrayList<>();
        for (String id : ids) {
            String checked = Names.templateId(id);
            if (out.contains(checked)) {
                throw ApiException.badRequest("InvalidParameter", "abrLadder names " + checked + " twice");
            }
            out.add(checked);
        }
        return out;
    }

    private static void sameOwner(Domain a, Domain b) {
        if (a.accountId() != b.accountId()) {
            throw ApiException.badRequest("InvalidAssociation.Owner", a.name() + " and " + b.name()
                    + " belong to different accounts");
        }
    }

    private static ApiException wrongTypes(String message) {
        return ApiException.badRequest("InvalidAssociation.DomainType", message);
    }

    private static ApiException alreadyExists(String name) {
        return ApiException.conflict("DomainAlreadyExist", "domain " + name + " has already been added");
    }
}
