package dev.vireo.http.routing;

/**
 * Handles the requests of one route. Runs on the connection's event loop: it must not block
 * (hand blocking work to another executor and return {@link Reply#later}).
 */
@FunctionalInterface
public interface RouteHandler {

    /**
     * @return the reply; a thrown exception becomes a 500 error response (and is logged)
     */
    Reply handle(RequestContext request) throws Exception;
}
