package dev.vireo.control;

import dev.vireo.http.RequestContext;
import dev.vireo.http.Response;
import dev.vireo.http.Router;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import dev.vireo.core.StreamKey;
import dev.vireo.http.SnapshotEndpoint;

/**
 * {@code /api/v1/streams...}: online streams with their statistics, forbid and resume; and
 * {@code /api/v1/domains/{domain}/forbidden-streams}.
 */
final class StreamsControlApi {

    /** Body of a forbid: {@code until} (ISO-8601 instant) or nothing for "until resumed". */
    record ForbidRequest(String until) {
    }

    static final int SNAPSHOT_WAIT_SECONDS = 15;

    private final Api api;
    private final StreamControl control;
    private final Supplier<SnapshotEndpoint.Source> snapshots;

    StreamsControlApi(Api api, StreamControl control, Supplier<SnapshotEndpoint.Source> snapshots) {
        this.api = api;
        this.control = control;
        this.snapshots = snapshots;
    }

    void mount(Router r) {
        r.get("/api/v1/streams", api.authed((q, a) ->
                Response.json(200, Map.of("streams", control.online(a, Api.query(q, "domain"))))));
        r.get("/api/v1/streams/{domain}/{app}/{stream}", api.authed((q, a) ->
                Response.json(200, control.one(a, q.param("domain"), q.param("app"), q.param("stream")))));
        r.post("/api/v1/streams/{domain}/{app}/{stream}/forbid", api.authed(this::forbid));
        r.get("/api/v1/streams/{domain}/{app}/{stream}/snapshot.jpg", api.authed(this::snapshot));
        r.post("/api/v1/streams/{domain}/{app}/{stream}/resume", api.authed((q, a) -> Response.json(200,
                Map.of("resumed", control.resume(a, q.param("domain"), q.param("app"), q.param("stream"))))));
        r.get("/api/v1/domains/{domain}/forbidden-streams", api.authed((q, a) ->
                Response.json(200, Map.of("streams", control.forbidden(a, q.param("domain"))))));
    }

    /** A JPEG of the stream's latest keyframe (at most one ffmpeg run per stream per few seconds). */
    private Response snapshot(RequestContext q, Account a) throws Exception {
        StreamKey key = control.keyOf(a, q.param("domain"), q.param("app"), q.param("stream"));
        SnapshotEndpoint.Picture p;
        try {
            p = snapshots.get().jpeg(key).toCompletableFuture().get(SNAPSHOT_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            return Response.error(503, "SnapshotUnavailable", "no picture could be made in time");
        }
        if (p.jpeg() == null) {
            return Response.error(p.status(), p.status() == 404 ? "StreamNotFound" : "SnapshotUnavailable", p.reason());
        }
        return Response.shared(200, "image/jpeg", p.jpeg()).header("Cache-Control", "private, max-age=5");
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
