package dev.vireo.http.routing;

import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The route table: method + path pattern → handler. Modules mount their routes here (HTTP-FLV,
 * WHIP/WHEP under {@code /{app}/{stream}/whip}, the REST API under {@code /api/v1/...}).
 *
 * <p>Patterns: literal segments, {@code {param}} segments, a parameter with a literal suffix
 * ({@code /{app}/{stream}.flv}) and a trailing {@code {rest...}} that takes the remaining
 * segments. When several patterns match a path, the most specific wins (literal before suffix
 * before parameter before tail, segment by segment). A HEAD request is served by the GET route
 * when there is no HEAD route; OPTIONS preflights and CORS headers are handled by the server.
 *
 * <p>Registration is thread-safe and may happen while the server runs; lookups never lock.
 */
public final class Router {

    record Route(HttpMethod method, RoutePattern pattern, RouteHandler handler) {
    }

    /** The result of a lookup. */
    sealed interface Lookup permits Found, MethodNotAllowed, NotFound, BadPath {
    }

    record Found(RouteHandler handler, Map<String, String> params, String pattern) implements Lookup {
    }

    record MethodNotAllowed(Set<HttpMethod> allowed) implements Lookup {
    }

    enum NotFound implements Lookup {
        INSTANCE
    }

    record BadPath(String reason) implements Lookup {
    }

    private volatile Route[] routes = new Route[0];

    /** Adds a route; a second route with the same method and the same pattern shape is refused. */
    public synchronized Router route(HttpMethod method, String pattern, RouteHandler handler) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(handler, "handler");
        RoutePattern compiled = RoutePattern.compile(pattern);
        for (Route r : routes) {
            if (r.method().equals(method) && r.pattern().sameShape(compiled)) {
                throw new IllegalArgumentException("route " + method + " " + pattern
                        + " conflicts with " + r.method() + " " + r.pattern());
            }
        }
        Route[] grown = Arrays.copyOf(routes, routes.length + 1);
        grown[routes.length] = new Route(method, compiled, handler);
        // Stable sort: among equally specific patterns the first registered wins.
        Arrays.sort(grown, (a, b) -> a.pattern().compareTo(b.pattern()));
        routes = grown;
        return this;
    }

    public Router get(String pattern, RouteHandler handler) {
        return route(HttpMethod.GET, pattern, handler);
    }

    public Router post(String pattern, RouteHandler handler) {
        return route(HttpMethod.POST, pattern, handler);
    }

    public Router put(String pattern, RouteHandler handler) {
        return route(HttpMethod.PUT, pattern, handler);
    }

    public Router patch(String pattern, RouteHandler handler) {
        return route(HttpMethod.PATCH, pattern, handler);
    }

    public Router delete(String pattern, RouteHandler handler) {
        return route(HttpMethod.DELETE, pattern, handler);
    }

    /** Finds the handler for a request; {@code path} is the raw (percent-encoded) path. */
    Lookup lookup(HttpMethod method, String path) {
        String[] segments;
        try {
            segments = PathDecoder.segments(path);
        } catch (IllegalArgumentException e) {
            return new BadPath(e.getMessage());
        }
        Route[] table = routes;
        Found get = null;
        Set<HttpMethod> allowed = null;
        for (Route r : table) {
            Map<String, String> params = new HashMap<>(4);
            if (!r.pattern().match(segments, params)) {
                continue;
            }
            if (r.method().equals(method)) {
                return new Found(r.handler(), Map.copyOf(params), r.pattern().toString());
            }
            if (get == null && method.equals(HttpMethod.HEAD) && r.method().equals(HttpMethod.GET)) {
                get = new Found(r.handler(), Map.copyOf(params), r.pattern().toString());
            }
            if (allowed == null) {
                allowed = new LinkedHashSet<>();
            }
            allowed.add(r.method());
        }
        if (get != null) {
            return get;
        }
        if (allowed == null) {
            return NotFound.INSTANCE;
        }
        return new MethodNotAllowed(withImplied(allowed));
    }

    /** The methods some route accepts for {@code path} (with HEAD and OPTIONS implied), or empty. */
    Set<HttpMethod> allowedMethods(String path) {
        String[] segments;
        try {
            segments = PathDecoder.segments(path);
        } catch (IllegalArgumentException e) {
            return Set.of();
        }
        Set<HttpMethod> allowed = new LinkedHashSet<>();
        for (Route r : routes) {
            if (r.pattern().match(segments, new HashMap<>(4))) {
                allowed.add(r.method());
            }
        }
        return allowed.isEmpty() ? Set.of() : withImplied(allowed);
    }

    private static Set<HttpMethod> withImplied(Set<HttpMethod> methods) {
        Set<HttpMethod> all = new LinkedHashSet<>(methods);
        if (all.contains(HttpMethod.GET)) {
            all.add(HttpMethod.HEAD);
        }
        all.add(HttpMethod.OPTIONS);
        return all;
    }

    /** Registered routes, most specific first ("GET /healthz"), for diagnostics. */
    public List<String> describe() {
        List<String> out = new ArrayList<>();
        for (Route r : routes) {
            out.add(r.method() + " " + r.pattern());
        }
        return out;
    }
}
