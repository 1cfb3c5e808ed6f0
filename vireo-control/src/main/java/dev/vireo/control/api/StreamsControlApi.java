package dev.vireo.control.api;

import dev.vireo.control.model.Account;
import dev.vireo.control.model.ApiException;
import dev.vireo.control.streams.StreamControl;
import dev.vireo.http.routing.RequestContext;
import dev.vireo.http.routing.Response;
import dev.vireo.http.routing.Router;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * {@code /api/v1/streams...}: online streams with their statistics, forbid, resume, kick and the
 * latest picture; and
 * {@code /api/v1/domains/{domain}/forbidden-streams}.
 */
public final class StreamsControlApi {

    /** Body of a forbid: {@code until} (ISO-8601 instant) or nothing for "until resumed". */
    record ForbidRequest(String until) {
    }

    /** How long a thumbnail request waits for a picture being made. */
    private static final java.time.Duration SNAPSHOT_WAIT = java.time.Duration.ofSeconds(5);

    private final Api api;
    private final StreamControl control;

    public StreamsControlApi(Api api, StreamControl control) {
        this.api = api;
        this.control = control;
    }

    public void mount(Router r) {
        r.get("/api/v1/streams", api.authed((q, a) ->
                Response.json(200, Map.of("streams", control.online(a, Api.query(q, "domain"))))));
        r.get("/api/v1/streams/{domain}/{app}/{stream}", api.authed((q, a) ->
                Response.json(200, control.one(a, q.param("domain"), q.param("app"), q.param("stream")))));
        r.post("/api/v1/streams/{domain}/{app}/{stream}/forbid", api.authed(this::forbid));
        r.get("/api/v1/streams/{domain}/{app}/{stream}/snapshot.jpg", api.authed(this::snapshot));
        r.post("/api/v1/streams/{domain}/{app}/{stream}/resume", api.authed((q, a) -> Response.json(200,
                Map.of("resumed", control.resume(a, q.param("domain"), q.param("app"), q.param("stream"))))));
        r.post("/api/v1/streams/{domain}/{app}/{stream}/kick", api.authed((q, a) -> Response.json(200,
                Map.of("kicked", control.kick(a, q.param("domain"), q.param("app"), q.param("stream"))))));
        r.get("/api/v1/domains/{domain}/forbidden-streams", api.authed((q, a) ->
                Response.json(200, Map.of("streams", control.forbidden(a, q.param("domain"))))));
    }

    /** The stream's latest picture; 204 while there is none yet (not an error: the console shows a placeholder). */
    private Response snapshot(RequestContext q, Account a) throws InterruptedException {
        return control.snapshot(a, q.param("domain"), q.param("app"), q.param("stream"), SNAPSHOT_WAIT)
                .map(jpeg -> Response.bytes(200, "image/jpeg", jpeg).header("Cache-Control", "no-store"))
                .orElseGet(() -> Response.of(204));
    }

    private Response forbid(RequestContext q, Account a) {
        Instant until = null;
        // An empty body means "until resumed"; a body must be a valid object.
        if (q.body().length > 0) {
            String text = Api.body(q, ForbidRequest.class).until();
            if (text != null) {
                try {
                    until = Instant.parse(text);
                } catch (DateTimeParseException e) {
                    throw ApiException.badRequest("InvalidParameter",
                            "until must be an ISO-8601 instant such as 2030-01-01T00:00:00Z");
                }
            }
        }
        return Response.json(200, control.forbid(a, q.param("domain"), q.param("app"), q.param("stream"), until));
    }
}
