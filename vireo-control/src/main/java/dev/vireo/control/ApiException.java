package dev.vireo.control;

/**
 * A refusal of an API request with a stable error code, e.g. {@code 409 DomainAlreadyExist}. Thrown
 * by the rules and stores, turned into the {@code {code,message,requestId}} error body at the edge.
 * The message is shown to the client: it never carries secrets.
 */
final class ApiException extends RuntimeException {

    private final int status;
    private final String code;

    ApiException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    static ApiException badRequest(String code, String message) {
        return new ApiException(400, code, message);
    }

    static ApiException notFound(String code, String message) {
        return new ApiException(404, code, message);
    }

    static ApiException conflict(String code, String message) {
        return new ApiException(409, code, message);
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }
}
