package dev.vireo.http.endpoints;

import dev.vireo.http.routing.Response;
import dev.vireo.http.routing.Router;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** {@code GET /metrics}: the registry in the Prometheus text exposition format 0.0.4. */
public final class MetricsEndpoint {

    /** The content type of the Prometheus text format, version 0.0.4. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;

    public MetricsEndpoint(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    public void mount(Router router) {
        router.get("/metrics", request -> Response.text(200, CONTENT_TYPE, registry.scrape(CONTENT_TYPE)));
    }
}
