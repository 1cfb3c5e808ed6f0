package dev.vireo.http;

import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The online streams and their statistics:
 * <ul>
 *   <li>{@code GET /api/v1/streams[?vhost=V]} → {@code {"streams":[...]}}</li>
 *   <li>{@code GET /api/v1/streams/{app}/{stream}[?vhost=V]} → one stream, 404 when not live</li>
 * </ul>
 * Without {@code vhost}, a name live on several virtual hosts is ambiguous (409).
 */
public final class StreamsApi {

    private static final Comparator<StreamKey> ORDER = Comparator.comparing(StreamKey::vhost)
            .thenComparing(StreamKey::app).thenComparing(StreamKey::stream);

    private final StreamHub hub;

    public StreamsApi(StreamHub hub) {
        this.hub = hub;
    }

    public void mount(Router router) {
        router.get("/api/v1/streams", this::list);
        router.get("/api/v1/streams/{app}/{stream}", this::one);
    }

    private Response list(RequestContext request) {
        String vhost = request.query("vhost");
        List<StreamView> views = hub.streams().stream()
                .filter(s -> vhost == null || s.key().vhost().equals(vhost))
                .sorted(Comparator.comparing(Stream::key, ORDER))
                .map(s -> StreamView.of(s.stats()))
                .toList();
        return Response.json(200, Map.of("streams", views));
    }

    private Response one(RequestContext request) {
        String app = request.param("app");
        String name = request.param("stream");
        String vhost = request.query("vhost");
        List<Stream> matches = hub.streams().stream()
                .filter(s -> s.key().app().equals(app) && s.key().stream().equals(name))
                .filter(s -> vhost == null || s.key().vhost().equals(vhost))
                .toList();
        if (matches.isEmpty()) {
            return Response.error(404, "StreamNotFound", "stream /" + app + "/" + name + " is not live");
        }
        if (matches.size() > 1) {
            return Response.error(409, "AmbiguousStream", "stream /" + app + "/" + name
                    + " is live on several domains; add ?vhost=");
        }
        return Response.json(200, StreamView.of(matches.getFirst().stats()));
    }
}
