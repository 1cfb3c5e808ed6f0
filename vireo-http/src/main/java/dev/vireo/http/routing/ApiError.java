package dev.vireo.http.routing;

/**
 * The JSON error body of every refusal: {@code {"code","message","requestId"}}.
 *
 * @param code a stable machine-readable name, e.g. "StreamNotFound"
 * @param message a sentence for a person
 * @param requestId the id of the request, also sent as {@code X-Request-Id}
 */
public record ApiError(String code, String message, String requestId) {
}
