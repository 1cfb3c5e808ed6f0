package dev.vireo.http.routing;

import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * What a {@link RouteHandler} gives back: a {@link Response} now, a response later (for work that
 * runs off the event loop), or a note that the handler took the channel over to stream its own
 * response (HTTP-FLV).
 */
public sealed interface Reply permits Response, Reply.Later, Reply.TakenOver {

    /**
     * A response that completes later, on any thread. Later requests on the same connection wait
     * for it, so responses keep their order (RFC 9112 §9.3.2).
     */
    static Reply later(CompletionStage<? extends Response> response) {
        return new Later(Objects.requireNonNull(response, "response"));
    }

    /**
     * The handler has written (or will write) its own response on {@link RequestContext#channel()}
     * and owns the connection until it closes it; the server reads no further request on it.
     */
    static Reply takenOver() {
        return TakenOver.INSTANCE;
    }

    /** See {@link #later}. */
    record Later(CompletionStage<? extends Response> response) implements Reply {
    }

    /** See {@link #takenOver()}. */
    enum TakenOver implements Reply {
        INSTANCE
    }
}
