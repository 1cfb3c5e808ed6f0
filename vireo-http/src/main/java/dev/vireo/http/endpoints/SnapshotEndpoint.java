package dev.vireo.http.endpoints;

import dev.vireo.core.Gate;
import dev.vireo.core.StreamKey;
import dev.vireo.http.routing.Reply;
import dev.vireo.http.routing.RequestContext;
import dev.vireo.http.routing.Response;
import dev.vireo.http.routing.Router;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.concurrent.CompletionStage;

/**
 * {@code GET /{app}/{stream}.jpg}: a JPEG of the stream's latest keyframe. Admitted by the
 * {@link Gate} like any play request (Type A {@code auth_key} signed over
 * {@code /{app}/{stream}.jpg}); the picture comes from a {@link Source} (ffmpeg-backed, in
 * {@code vireo-transcode}, wired by the server), answered later without holding the event loop.
 */
public final class SnapshotEndpoint {

    /** Makes pictures; never blocks the caller. */
    @FunctionalInterface
    public interface Source {
        CompletionStage<Picture> jpeg(StreamKey key);
    }

    /** A JPEG, or why there is none ({@code status} 404 when the stream is not live, else 503). */
    public record Picture(byte[] jpeg, int status, String reason) {
        public static Picture of(byte[] jpeg) {
            return new Picture(jpeg, 200, null);
        }

        public static Picture refused(int status, String reason) {
            return new Picture(null, status, reason);
        }
    }

    private final Gate gate;
    private final Source source;
    private final int maxAgeSeconds;

    /** @param maxAgeSeconds how long clients may cache a picture (the source's refresh interval) */
    public SnapshotEndpoint(Gate gate, Source source, int maxAgeSeconds) {
        this.gate = gate;
        this.source = source;
        this.maxAgeSeconds = maxAgeSeconds;
    }

    public void mount(Router router) {
        router.get("/{app}/{stream}.jpg", this::get);
    }

    Reply get(RequestContext rq) {
        String app = rq.param("app");
        String name = rq.param("stream");
        Gate.Verdict verdict = gate.admit(new Gate.AccessRequest(Gate.Action.PLAY, "snapshot", rq.host(), app, name,
                ".jpg", rq.rawQuery(), rq.clientAddress()));
        StreamKey key;
        switch (verdict) {
            case Gate.Deny deny -> {
                return Response.denied(deny);
            }
            case Gate.Allow allow -> key = allow.key();
        }
        return Reply.later(source.jpeg(key).thenApply(p -> p.jpeg() != null
                ? Response.shared(200, "image/jpeg", p.jpeg()).header(HttpHeaderNames.CACHE_CONTROL, "max-age=" + maxAgeSeconds)
                : Response.error(p.status(), p.status() == 404 ? "StreamNotFound" : "SnapshotUnavailable", p.reason())));
    }
}
