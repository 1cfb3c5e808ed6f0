package dev.vireo.web;

import dev.vireo.http.routing.Response;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Files of the jar under {@code dev/vireo/web/static/}, served as they are and kept in memory
 * after the first read (the whole set is a few MB: pages, scripts, the npm libraries). A name
 * with an empty, "." or ".." segment, a backslash or a leading dot is refused before any lookup.
 */
final class StaticFiles {

    static final String ROOT = "static/";

    /** Content types by extension; anything else is not served. */
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "json", "application/json",
            "txt", "text/plain; charset=utf-8");

    private final Map<String, Optional<byte[]>> cache = new ConcurrentHashMap<>();

    /** The bytes of {@code name} (relative to the static root), or empty. */
    Optional<byte[]> read(String name) {
        if (!safe(name) || type(name) == null) {
            return Optional.empty();
        }
        return cache.computeIfAbsent(name, StaticFiles::load);
    }

    /** {@code name} as a 200 response with its type, or a 404 error. */
    Response serve(String name, String cacheControl) {
        Optional<byte[]> body = read(name);
        if (body.isEmpty()) {
            return Response.error(404, "NotFound", "no such file");
        }
        return Response.bytes(200, type(name), body.get())
                .header(HttpHeaderNames.CACHE_CONTROL, cacheControl)
                .header("X-Content-Type-Options", "nosniff");
    }

    static String type(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? null : TYPES.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    static boolean safe(String name) {
        if (name == null || name.isEmpty() || name.length() > 200 || name.indexOf('\\') >= 0) {
            return false;
        }
        for (String segment : name.split("/", -1)) {
            if (segment.isEmpty() || segment.startsWith(".")) {
                return false;
            }
        }
        return true;
    }

    private static Optional<byte[]> load(String name) {
        try (InputStream in = StaticFiles.class.getResourceAsStream(ROOT + name)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ROOT + name, e);
        }
    }
}
