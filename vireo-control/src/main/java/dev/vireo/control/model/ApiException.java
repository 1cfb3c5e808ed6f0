package dev.vireo.control.model;

/**
 * A refusal of an API request with a stable error code, e.g. {@code 409 DomainAlreadyExist}. Thrown
 * by the rules and stores, turned into the {@code {code,message,requestId}} error body at the edge.
 * The message is shown to the client: it never carries secrets.
 */
public final class ApiException extends RuntimeException {

    private final int status;
    private final String code;

    public ApiException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public static ApiException badRequest(String code, String message) {
        return new ApiException(400, code, message);
    }

    public static ApiException notFound(String code, String message) {
        return new ApiException(404, code, message);
    }

    public static ApiException conflict(String code, String message) {
        return new ApiException(409, code, message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
