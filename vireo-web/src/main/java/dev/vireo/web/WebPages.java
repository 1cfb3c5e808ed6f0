package dev.vireo.web;

import dev.vireo.http.routing.Response;
import dev.vireo.http.routing.Router;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The server's pages: the console ({@code /console/...}, a single-page application driven by the
 * admin REST API), the player ({@code /play/{app}/{stream}} and the embeddable
 * {@code /vireo-player.js}), the tools ({@code /tools/clock}, synchronised by {@code /tools/time}), the Swagger UI at {@code /api/docs},
 * the npm libraries they use ({@code /vendor/...}), the favicon and {@code /} (a redirect to the
 * console). Everything is static; no page receives or embeds a key.
 */
public final class WebPages {

    /** Where the player page's script takes its RTCIceServer list from. */
    static final String ICE_SERVERS_PLACEHOLDER = "/*ICE_SERVERS*/[]";

    /** The console only talks to its own origin; nothing inline but styles. */
    static final String CONSOLE_CSP = "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline';"
            + " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private static final String NO_CACHE = "no-cache";
    private static final String VENDOR_CACHE = "public, max-age=86400";

    private final StaticFiles files = new StaticFiles();
    private final byte[] player;

    /** @param iceServersJson the RTCIceServer list WHEP answers advertise, as a JSON array ("[]" for none) */
    public WebPages(String iceServersJson) {
        String page = new String(files.read("player/player.html").orElseThrow(
                () -> new IllegalStateException("player page resource is missing")), StandardCharsets.UTF_8);
        if (!page.contains(ICE_SERVERS_PLACEHOLDER)) {
            throw new IllegalStateException("player page has no ICE servers placeholder");
        }
        player = page.replace(ICE_SERVERS_PLACEHOLDER, iceServersJson).getBytes(StandardCharsets.UTF_8);
    }

    public void mount(Router router) {
        router.get("/", q -> Response.of(302).header(HttpHeaderNames.LOCATION, "/console/"));
        router.get("/favicon.ico", q -> files.serve("favicon.svg", VENDOR_CACHE));
        router.get("/favicon.svg", q -> files.serve("favicon.svg", VENDOR_CACHE));
        router.get("/console", q -> Response.of(301).header(HttpHeaderNames.LOCATION, "/console/"));
        router.get("/console/", q -> console("index.html"));
        router.get("/console/{file...}", q -> console(q.param("file")));
        router.get("/play/{app}/{stream}", q -> Response.bytes(200, "text/html; charset=utf-8", player)
                .header(HttpHeaderNames.CACHE_CONTROL, NO_CACHE)
                .header("X-Content-Type-Options", "nosniff"));
        router.get("/vireo-player.js", q -> files.serve("player/vireo-player.js", NO_CACHE));
        router.get("/player/{file...}", q -> files.serve("player/" + q.param("file"), NO_CACHE));
        router.get("/vendor/{file...}", q -> files.serve("vendor/" + q.param("file"), VENDOR_CACHE));
        router.get("/tools/{file...}", q -> tool(q.param("file")));
        // The latency clock's time source: this server's wallclock, never cached.
        // Public and harmless: embedded players on other origins synchronise their clocks with it.
        router.get("/tools/time", q -> Response.json(200, java.util.Map.of("serverTimeMs", System.currentTimeMillis()))
                .header(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .header(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*"));
        router.get("/api/docs", q -> files.serve("tools/api-docs.html", NO_CACHE));
    }

    /**
     * A console file; a path without an extension is a page of the single-page application
     * ({@code /console/domains}) and gets its shell.
     */
    private Response console(String file) {
        String name = file.lastIndexOf('.') > file.lastIndexOf('/') ? file : "index.html";
        Response r = files.serve("console/" + name, NO_CACHE);
        return r.status() == 200 ? r.header("Content-Security-Policy", CONSOLE_CSP).header("Referrer-Policy", "no-referrer") : r;
    }

    private Response tool(String file) {
        Optional<byte[]> page = file.indexOf('.') < 0 ? files.read("tools/" + file + ".html") : Optional.empty();
        return page.isPresent() ? files.serve("tools/" + file + ".html", NO_CACHE) : files.serve("tools/" + file, NO_CACHE);
    }
}
