package dev.vireo.control.model;

import dev.vireo.core.StreamKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An immutable in-memory view of the store, swapped whole after each change: the Gate, the API key
 * check and the webhooks read it on event loops without blocking or locking.
 *
 * @param domains by name
 * @param certificates by domain, only those that parse
 * @param forbidden banned stream keys and when each ban ends ({@link Instant#MAX}: until resumed)
 * @param credentials every API key hash with its account
 * @param templates transcoding templates by account id, then template id
 * @param defaultAccount the account the zero-config vhost ({@link StreamKey#DEFAULT_VHOST}) belongs
 *     to: the first admin account; 0 before there is one
 * @param srtPassphrases SRT passphrases by ingest domain (secrets: never logged)
 */
public record ControlState(Map<String, Domain> domains, Map<String, CertificateBundle> certificates,
                    Map<StreamKey, Instant> forbidden, List<Credential> credentials,
                    Map<Long, Map<String, Template>> templates, long defaultAccount,
                    Map<String, String> srtPassphrases) {

    public static final ControlState EMPTY = new ControlState(Map.of(), Map.of(), Map.of(), List.of(), Map.of(), 0, Map.of());

    public ControlState(Map<String, Domain> domains, Map<String, CertificateBundle> certificates,
                 Map<StreamKey, Instant> forbidden, List<Credential> credentials,
                 Map<Long, Map<String, Template>> templates, long defaultAccount) {
        this(domains, certificates, forbidden, credentials, templates, defaultAccount, Map.of());
    }

    public ControlState {
        domains = Map.copyOf(domains);
        certificates = Map.copyOf(certificates);
        forbidden = Map.copyOf(forbidden);
        credentials = List.copyOf(credentials);
        Map<Long, Map<String, Template>> byAccount = new java.util.HashMap<>();
        templates.forEach((account, ofAccount) -> byAccount.put(account, Map.copyOf(ofAccount)));
        templates = Map.copyOf(byAccount);
        srtPassphrases = Map.copyOf(srtPassphrases);
    }

    @Override
    public String toString() {
        // the passphrases are secrets: the default record toString would print them
        return "ControlState[domains=" + domains.keySet() + ", srtPassphrases=" + srtPassphrases.size() + "]";
    }

    /**
     * Template {@code id} of the account that owns {@code vhost} (an ingest domain, or the
     * zero-config vhost), or null.
     */
    public Template template(String vhost, String id) {
        long account;
        if (StreamKey.DEFAULT_VHOST.equals(vhost)) {
            account = defaultAccount;
        } else {
            Domain d = domain(vhost);
            if (d == null) {
                return null;
            }
            account = d.accountId();
        }
        Map<String, Template> ofAccount = templates.get(account);
        return ofAccount == null ? null : ofAccount.get(id);
    }

    /** With no domain at all the server runs in the zero-config mode: one default vhost, everything allowed. */
    public boolean zeroConfig() {
        return domains.isEmpty();
    }

    public Domain domain(String name) {
        return name == null ? null : domains.get(name);
    }

    /**
     * The ingest domain whose streams playback on {@code d} reaches: through the main domain for a
     * sub-streaming domain, then the association. Null when there is none.
     */
    public Domain ingestOf(Domain d) {
        if (d.isIngest()) {
            return d;
        }
        Domain main = d.mainDomain() == null ? d : domain(d.mainDomain());
        return main == null ? null : domain(main.ingestDomain());
    }

    /** The streaming domains (main and sub) whose playback reaches {@code ingest}'s streams. */
    public List<Domain> playDomainsOf(String ingest) {
        List<Domain> out = new ArrayList<>();
        for (Domain d : domains.values()) {
            if (d.isStreaming()) {
                Domain reached = ingestOf(d);
                if (reached != null && reached.name().equals(ingest)) {
                    out.add(d);
                }
            }
        }
        return out;
    }

    /** When the ban on {@code key} ends, or null when it is not banned at {@code now}. */
    public Instant forbiddenUntil(StreamKey key, Instant now) {
        Instant until = forbidden.get(key);
        return until != null && now.isBefore(until) ? until : null;
    }
}
