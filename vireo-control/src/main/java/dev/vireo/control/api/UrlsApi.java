package dev.vireo.control.api;

import dev.vireo.control.domains.DomainService;
import dev.vireo.control.model.Account;
import dev.vireo.control.model.ApiException;
import dev.vireo.control.model.ControlConfig;
import dev.vireo.control.model.ControlState;
import dev.vireo.control.model.Domain;
import dev.vireo.control.model.Names;
import dev.vireo.control.model.SigningConfig;
import dev.vireo.control.urls.UrlGenerator;
import dev.vireo.http.routing.RequestContext;
import dev.vireo.http.routing.Response;
import dev.vireo.http.routing.Router;
import java.time.Clock;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * {@code POST /api/v1/urls}: every ingest and play URL of a stream, signed where the domain signs.
 * Either domain may be left out when the other one's association determines it; with no domain
 * configured at all (zero-config) both are left out and the URLs use the public host, unsigned.
 */
public final class UrlsApi {

    record UrlRequest(String ingestDomain, String streamingDomain, String app, String stream, String templateId,
                      Integer validityMinutes) {
    }

    private final Api api;
    private final DomainService domains;
    private final TemplatesApi templates;
    private final Supplier<ControlState> state;
    private final UrlGenerator generator;
    private final ControlConfig.UrlEndpoints endpoints;
    private final Clock clock;

    public UrlsApi(Api api, DomainService domains, TemplatesApi templates, Supplier<ControlState> state,
            ControlConfig.UrlEndpoints endpoints, Clock clock) {
        this.api = api;
        this.domains = domains;
        this.templates = templates;
        this.state = state;
        this.generator = new UrlGenerator(endpoints);
        this.endpoints = endpoints;
        this.clock = clock;
    }

    public void mount(Router r) {
        r.post("/api/v1/urls", api.authed(this::generate));
    }

    private Response generate(RequestContext q, Account a) {
        UrlRequest b = Api.body(q, UrlRequest.class);
        String app = Names.streamPart("app", b.app());
        String stream = Names.streamPart("stream", b.stream());
        if (b.validityMinutes() != null && b.validityMinutes() < SigningConfig.MIN_VALIDITY_MINUTES) {
            throw ApiException.badRequest("InvalidParameter.ValidityMinutes", "validityMinutes must be at least 1");
        }
        ControlState s = state.get();
        UrlGenerator.Target ingest;
        UrlGenerator.Target play;
        long owner = a.id();
        if (b.ingestDomain() == null && b.streamingDomain() == null) {
            if (!s.zeroConfig()) {
                throw ApiException.badRequest("MissingParameter", "ingestDomain or streamingDomain is required");
            }
            UrlGenerator.Target host = new UrlGenerator.Target(endpoints.publicHost(), null, false);
            ingest = host;
            play = host;
        } else {
            Domain in = b.ingestDomain() == null ? null : domains.get(a, b.ingestDomain());
            Domain out = b.streamingDomain() == null ? null : domains.get(a, b.streamingDomain());
            if (in != null && !in.isIngest() || out != null && !out.isStreaming()) {
                throw ApiException.badRequest("InvalidAssociation.DomainType",
                        "ingestDomain must be an ingest domain and streamingDomain a streaming domain");
            }
            if (in != null && out != null) {
                Domain reached = s.ingestOf(out);
                if (reached == null || !reached.name().equals(in.name())) {
                    throw ApiException.badRequest("InvalidAssociation.NotAssociated", out.name()
                            + " does not play streams of " + in.name() + "; associate them first");
                }
            } else if (out != null) {
                in = s.ingestOf(out);
            } else {
                String ingestName = in.name();
                out = s.playDomainsOf(ingestName).stream().filter(d -> d.mainDomain() == null)
                        .min((x, y) -> x.name().compareTo(y.name())).orElse(null);
            }
            ingest = in == null ? null : UrlGenerator.Target.of(in, s.certificates().containsKey(in.name()));
            play = out == null ? null : UrlGenerator.Target.of(out, s.certificates().containsKey(out.name()));
            owner = (out != null ? out : in).accountId();
        }
        String templateId = null;
        if (b.templateId() != null) {
            // The templates of the domain's owner (an admin may generate URLs for another account's domain).
            templateId = templates.find(owner, b.templateId()).id();
        }
        String rand = UUID.randomUUID().toString().replace("-", "");
        return Response.json(200, generator.generate(ingest, play, app, stream, templateId, b.validityMinutes(),
                clock.instant().getEpochSecond(), rand));
    }
}
