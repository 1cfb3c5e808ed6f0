package dev.vireo.control.api;

import dev.vireo.control.access.AuthKey;
import dev.vireo.control.access.DomainGate;
import dev.vireo.control.access.QueryString;
import dev.vireo.control.access.UrlSigning;
import dev.vireo.control.diagnose.Diagnoser;
import dev.vireo.control.diagnose.Diagnosis;
import dev.vireo.control.diagnose.Facts;
import dev.vireo.control.diagnose.Finding;
import dev.vireo.control.events.StreamEvents;
import dev.vireo.control.model.Account;
import dev.vireo.control.model.ApiException;
import dev.vireo.control.model.ControlState;
import dev.vireo.control.model.Domain;
import dev.vireo.control.model.SigningConfig;
import dev.vireo.core.Gate;
import dev.vireo.core.StreamHub;
import dev.vireo.http.routing.RequestContext;
import dev.vireo.http.routing.Response;
import dev.vireo.http.routing.Router;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code POST /api/v1/diagnose {"url", "action"?}}: the troubleshooter
 * ({@link dev.vireo.control.diagnose.Diagnoser}) over the in-memory control state. An account
 * sees its own domains only (the admin every domain); keys never leave this class.
 */
public final class DiagnoseApi {

    record DiagnoseRequest(String url, String action) {
    }

    private final Api api;
    private final Supplier<ControlState> state;
    private final StreamHub hub;
    private final Clock clock;
    private final StreamEvents events;
    private final Supplier<List<Finding>> rtcCheck;

    public DiagnoseApi(Api api, Supplier<ControlState> state, StreamHub hub, Clock clock, StreamEvents events,
                Supplier<List<Finding>> rtcCheck) {
        this.events = events;
        this.rtcCheck = rtcCheck;
        this.api = api;
        this.state = state;
        this.hub = hub;
        this.clock = clock;
    }

    public void mount(Router r) {
        r.post("/api/v1/diagnose", api.authed(this::diagnose));
    }

    private Response diagnose(RequestContext q, Account caller) {
        DiagnoseRequest b = Api.body(q, DiagnoseRequest.class);
        if (b.url() == null) {
            throw ApiException.badRequest("MissingParameter", "url is required");
        }
        if (b.action() != null && !b.action().equals("publish") && !b.action().equals("play")) {
            throw ApiException.badRequest("InvalidParameter", "action must be publish or play");
        }
        Diagnosis d = new Diagnoser(new StateFacts(state.get(), caller), hub, clock).diagnose(b.url(), b.action());
        if (d.protocol() == null) {
            return Response.json(200, d);
        }
        boolean rtc = switch (d.protocol()) {
            case "artc", "whep", "whip" -> true;
            default -> false;
        };
        List<StreamEvents.Event> recent = events.recent(d.app(), d.stream()).stream()
                .filter(e -> caller.admin() || visible(state.get(), caller, e.domain()))
                .toList();
        return Response.json(200, d.with(rtc ? rtcCheck.get() : List.of(), recent));
    }

    /** Whether an event's domain (a stream's vhost or the domain a refused client named) is the caller's. */
    private static boolean visible(ControlState s, Account caller, String domain) {
        Domain d = domain == null ? null : s.domain(domain.toLowerCase(java.util.Locale.ROOT));
        return d != null && d.accountId() == caller.id();
    }

    /** The facts of one state, as one caller may see them. */
    record StateFacts(ControlState s, Account caller) implements Facts {

        @Override
        public boolean zeroConfig() {
            return s.zeroConfig();
        }

        @Override
        public String domainName(String host, String query) {
            return DomainGate.hostOf(new Gate.AccessRequest(Gate.Action.PLAY, null, host, "", "", null, query, null));
        }

        private Domain visible(String name) {
            Domain d = s.domain(name);
            return d != null && (caller.admin() || d.accountId() == caller.id()) ? d : null;
        }

        @Override
        public Optional<DomainFacts> domain(String name) {
            Domain d = visible(name);
            if (d == null) {
                return Optional.empty();
            }
            Domain ingest = d.isIngest() ? null : s.ingestOf(d);
            List<String> streaming = d.isIngest() ? s.playDomainsOf(d.name()).stream().map(Domain::name).sorted().toList()
                    : List.of();
            return Optional.of(new DomainFacts(d.name(), d.isIngest(), d.isOnline(), d.rtsEnabled(), d.html5Transcoding(),
                    ingest == null ? null : ingest.name(), ingest != null && ingest.isOnline(), streaming));
        }

        @Override
        public SignatureCheck checkSignature(String name, String uri, List<String> alternatives, String query,
                                             long nowSeconds) {
            Domain d = visible(name);
            SigningConfig signing = d == null ? null : d.signing();
            if (signing == null || !signing.enabled()) {
                return new NotRequired();
            }
            Optional<String> refusal = UrlSigning.refusal(signing, uri, query, nowSeconds);
            if (refusal.isEmpty()) {
                AuthKey key = AuthKey.parse(QueryString.first(query, "auth_key"));
                return new Valid(Instant.ofEpochSecond(key.timestampSeconds() + signing.validityMinutes() * 60L));
            }
            String reason = refusal.get();
            if (reason.equals(UrlSigning.MISSING)) {
                return new Missing();
            }
            if (reason.equals(UrlSigning.MALFORMED)) {
                return new Malformed();
            }
            AuthKey key = AuthKey.parse(QueryString.first(query, "auth_key"));
            if (reason.startsWith(UrlSigning.PREFIX + "expired")) {
                long ts = key.timestampSeconds();
                return new Expired(Instant.ofEpochSecond(ts), Instant.ofEpochSecond(ts + signing.validityMinutes() * 60L),
                        signing.validityMinutes());
            }
            for (String other : alternatives) {
                if (UrlSigning.refusal(signing, other, query, nowSeconds).isEmpty()) {
                    return new Mismatch(other);
                }
            }
            return new Mismatch(null);
        }
    }
}
