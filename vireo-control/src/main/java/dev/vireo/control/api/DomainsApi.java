package dev.vireo.control.api;

import dev.vireo.control.domains.CnameVerifier;
import dev.vireo.control.domains.DomainService;
import dev.vireo.control.hooks.Webhooks;
import dev.vireo.control.model.Account;
import dev.vireo.control.model.ApiException;
import dev.vireo.control.model.CertificateBundle;
import dev.vireo.control.model.ControlState;
import dev.vireo.control.model.Domain;
import dev.vireo.control.model.DomainPatch;
import dev.vireo.control.model.NotifyConfig;
import dev.vireo.control.model.SigningConfig;
import dev.vireo.control.model.SigningUpdate;
import dev.vireo.control.store.CertificateStore;
import dev.vireo.control.tls.CertificatePem;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.http.routing.RequestContext;
import dev.vireo.http.routing.Response;
import dev.vireo.http.routing.Router;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** {@code /api/v1/domains/...}: domains, CNAME check, association, sub-domains, signing, notify, SRT passphrase, certificate. */
public final class DomainsApi {

    record CreateDomain(String domain, String type, String region, String liveCenter) {
    }

    record Association(String ingestDomain) {
    }

    record SigningView(boolean enabled, String primaryKey, String secondaryKey, int validityMinutes) {
    }

    record NotifyRequest(String url, String secret, Boolean onPublishAuth) {
        @Override
        public String toString() {
            return "NotifyRequest[onPublishAuth=" + onPublishAuth + "]";
        }
    }

    /** {@code PUT .../srt}; the passphrase is a secret: kept out of toString (and so of logs). */
    record SrtRequest(String passphrase) {
        @Override
        public String toString() {
            return "SrtRequest";
        }
    }

    /** What {@code GET .../srt} shows: whether a passphrase is set, never the passphrase. */
    record SrtView(String domain, boolean passphraseSet) {
    }

    record CertificateRequest(String certificate, String privateKey) {
        @Override
        public String toString() {
            return "CertificateRequest";
        }
    }

    record CertificateView(String domain, String subject, String issuer, List<String> names, String notBefore,
                           String notAfter, String sha256Fingerprint, String uploadedAt) {
    }

    private final Api api;
    private final DomainService domains;
    private final Supplier<ControlState> state;
    private final CnameVerifier cnames;
    private final Duration dnsTimeout;
    private final StreamHub hub;

    public DomainsApi(Api api, DomainService domains, Supplier<ControlState> state, CnameVerifier cnames, Duration dnsTimeout,
               StreamHub hub) {
        this.api = api;
        this.domains = domains;
        this.state = state;
        this.cnames = cnames;
        this.dnsTimeout = dnsTimeout;
        this.hub = hub;
    }

    public void mount(Router r) {
        r.post("/api/v1/domains", api.authed(this::create));
        r.get("/api/v1/domains", api.authed((q, a) -> Response.json(200,
                Map.of("domains", domains.list(a).stream().map(this::view).toList()))));
        r.get("/api/v1/domains/{domain}", api.authed((q, a) -> Response.json(200, view(domains.get(a, q.param("domain"))))));
        r.patch("/api/v1/domains/{domain}", api.authed((q, a) -> Response.json(200,
                view(domains.update(a, q.param("domain"), Api.body(q, DomainPatch.class))))));
        r.delete("/api/v1/domains/{domain}", api.authed(this::delete));
        r.post("/api/v1/domains/{domain}/cname-check", api.authed(this::cnameCheck));
        r.put("/api/v1/domains/{domain}/association", api.authed((q, a) -> Response.json(200, view(domains.associate(a,
                q.param("domain"), Api.body(q, Association.class).ingestDomain())))));
        r.delete("/api/v1/domains/{domain}/association", api.authed((q, a) ->
                Response.json(200, view(domains.dissociate(a, q.param("domain"))))));
        r.put("/api/v1/domains/{domain}/sub-domains/{sub}", api.authed((q, a) ->
                Response.json(200, view(domains.bindSub(a, q.param("domain"), q.param("sub"))))));
        r.delete("/api/v1/domains/{domain}/sub-domains/{sub}", api.authed((q, a) ->
                Response.json(200, view(domains.unbindSub(a, q.param("domain"), q.param("sub"))))));
        r.get("/api/v1/domains/{domain}/signing", api.authed((q, a) ->
                Response.json(200, signing(domains.get(a, q.param("domain"))))));
        r.put("/api/v1/domains/{domain}/signing", api.authed((q, a) -> Response.json(200,
                signing(domains.setSigning(a, q.param("domain"), Api.body(q, SigningUpdate.class))))));
        r.get("/api/v1/domains/{domain}/notify", api.authed(this::getNotify));
        r.put("/api/v1/domains/{domain}/notify", api.authed(this::putNotify));
        r.delete("/api/v1/domains/{domain}/notify", api.authed((q, a) -> {
            domains.clearNotify(a, q.param("domain"));
            return Response.of(204);
        }));
        r.get("/api/v1/domains/{domain}/srt", api.authed((q, a) -> Response.json(200,
                srtView(domains.get(a, q.param("domain"))))));
        r.put("/api/v1/domains/{domain}/srt", api.authed((q, a) -> Response.json(200, srtView(
                domains.setSrtPassphrase(a, q.param("domain"), Api.body(q, SrtRequest.class).passphrase())))));
        r.delete("/api/v1/domains/{domain}/srt", api.authed((q, a) -> {
            if (!domains.clearSrtPassphrase(a, q.param("domain"))) {
                throw ApiException.notFound("SrtPassphraseNotFound", "the domain has no SRT passphrase");
            }
            return Response.of(204);
        }));
        r.get("/api/v1/domains/{domain}/certificate", api.authed(this::getCertificate));
        r.put("/api/v1/domains/{domain}/certificate", api.authed(this::putCertificate));
        r.delete("/api/v1/domains/{domain}/certificate", api.authed((q, a) -> {
            if (!domains.deleteCertificate(a, q.param("domain"))) {
                throw ApiException.notFound("CertificateNotFound", "the domain has no certificate");
            }
            return Response.of(204);
        }));
    }

    private DomainView view(Domain d) {
        return DomainView.of(d, state.get());
    }

    private Response create(RequestContext q, Account a) {
        CreateDomain body = Api.body(q, CreateDomain.class);
        Domain d = domains.add(a, body.domain(), body.type(), body.region(), body.liveCenter());
        return Response.json(201, view(d)).header(HttpHeaderNames.LOCATION, "/api/v1/domains/" + d.name());
    }

    private Response delete(RequestContext q, Account a) {
        Domain d = domains.delete(a, q.param("domain"));
        if (d.isIngest()) {
            // Its streams have no domain any more: end them rather than leave them unreachable.
            for (Stream s : hub.streams()) {
                if (s.key().vhost().equals(d.name())) {
                    hub.kick(s.key(), "domain " + d.name() + " was deleted");
                }
            }
        }
        return Response.of(204);
    }

    private Response cnameCheck(RequestContext q, Account a) throws InterruptedException {
        Domain d = domains.get(a, q.param("domain"));
        CnameVerifier.Result result;
        try {
            result = cnames.check(d.name(), d.cname()).get(dnsTimeout.toMillis() + 2_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            result = new CnameVerifier.Result(d.name(), d.cname(), List.of(), false, "TIMEOUT");
        }
        Domain.CnameStatus status = result.configured() ? Domain.CnameStatus.CONFIGURED : Domain.CnameStatus.MISSING;
        if (status != d.cnameStatus()) {
            domains.setCnameStatus(a, d.name(), status);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("domain", result.domain());
        body.put("expected", result.expected());
        body.put("found", result.found());
        body.put("configured", result.configured());
        body.put("rcode", result.rcode());
        return Response.json(200, body);
    }

    private static SigningView signing(Domain d) {
        SigningConfig s = d.signing();
        return new SigningView(s.enabled(), s.primaryKey(), s.secondaryKey(), s.validityMinutes());
    }

    private SrtView srtView(Domain d) {
        return new SrtView(d.name(), state.get().srtPassphrases().containsKey(d.name()));
    }

    private Response getNotify(RequestContext q, Account a) {
        Domain d = domains.get(a, q.param("domain"));
        if (d.webhook() == null) {
            throw ApiException.notFound("NotifyNotFound", "domain " + d.name() + " has no notify URL");
        }
        return Response.json(200, notifyView(d.webhook(), false));
    }

    private Response putNotify(RequestContext q, Account a) {
        NotifyRequest body = Api.body(q, NotifyRequest.class);
        Domain before = domains.get(a, q.param("domain"));
        Domain d = domains.setNotify(a, before.name(), body.url(), body.secret(), body.onPublishAuth());
        // A secret generated now is shown this once; one the caller sent or one kept is not echoed.
        boolean generated = body.secret() == null && before.webhook() == null;
        return Response.json(200, notifyView(d.webhook(), generated));
    }

    private static Map<String, Object> notifyView(NotifyConfig n, boolean withSecret) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("url", n.url());
        m.put("onPublishAuth", n.onPublishAuth());
        m.put("signatureHeader", Webhooks.SIGNATURE_HEADER);
        if (withSecret) {
            m.put("secret", n.secret());
        }
        return m;
    }

    private Response getCertificate(RequestContext q, Account a) {
        CertificateStore.Row row = domains.certificate(a, q.param("domain")).orElseThrow(
                () -> ApiException.notFound("CertificateNotFound", "the domain has no certificate"));
        return Response.json(200, certificateView(row));
    }

    private Response putCertificate(RequestContext q, Account a) {
        CertificateRequest body = Api.body(q, CertificateRequest.class);
        return Response.json(200, certificateView(domains.putCertificate(a, q.param("domain"), body.certificate(),
                body.privateKey())));
    }

    private static CertificateView certificateView(CertificateStore.Row row) {
        CertificateBundle b = CertificatePem.parse(row.domain(), row.certificatePem(), row.privateKeyPem());
        X509Certificate leaf = b.leaf();
        String fingerprint;
        try {
            fingerprint = HexFormat.ofDelimiter(":").withUpperCase()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(leaf.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            fingerprint = "";
        }
        return new CertificateView(b.domain(), leaf.getSubjectX500Principal().getName(),
                leaf.getIssuerX500Principal().getName(), CertificatePem.names(leaf),
                leaf.getNotBefore().toInstant().toString(), b.notAfter().toString(), fingerprint,
                row.uploadedAt().toString());
    }
}
