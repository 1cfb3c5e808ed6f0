package dev.vireo.http.endpoints;

import dev.vireo.http.routing.Response;
import dev.vireo.http.routing.Router;
import java.util.Map;

/** {@code GET /healthz}: 200 {@code {"status":"ok"}} while the server accepts requests. */
public final class HealthEndpoint {

    public void mount(Router router) {
        router.get("/healthz", request -> Response.json(200, Map.of("status", "ok")));
    }
}
