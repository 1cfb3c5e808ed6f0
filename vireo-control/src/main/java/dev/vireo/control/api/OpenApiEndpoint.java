package dev.vireo.control.api;

import dev.vireo.http.routing.Response;
import dev.vireo.http.routing.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** {@code GET /api/v1/openapi.json}: the API's OpenAPI 3.1 document (public, no key needed). */
public final class OpenApiEndpoint {

    static final String RESOURCE = "openapi.json";

    private final byte[] document;

    public OpenApiEndpoint() {
        try (InputStream in = OpenApiEndpoint.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            document = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void mount(Router r) {
        r.get("/api/v1/openapi.json", q -> Response.bytes(200, "application/json", document)
                .header("Cache-Control", "no-cache"));
    }
}
