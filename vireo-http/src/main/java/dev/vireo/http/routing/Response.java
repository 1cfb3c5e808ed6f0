package dev.vireo.http.routing;

import dev.vireo.core.Gate;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A complete HTTP response with a small in-memory body (API answers, errors, metrics). Build it
 * with a factory and add headers with {@link #header}; the server adds Content-Length, CORS and
 * {@code X-Request-Id}.
 */
public final class Response implements Reply {

    static final String JSON = "application/json";
    static final String X_TENGINE_ERROR = "X-Tengine-Error";

    private final int status;
    private final HttpHeaders headers = new DefaultHttpHeaders();
    private final byte[] body;
    private final String errorCode;
    private final String errorMessage;
    /** A body shared with other responses (media segments), sent as it is; null for {@link #body}. */
    private final ByteBuf content;

    private Response(int status, String contentType, ByteBuf content) {
        this(status, contentType, new byte[0], null, null, content);
    }

    private Response(int status, String contentType, byte[] body, String errorCode, String errorMessage) {
        this(status, contentType, body, errorCode, errorMessage, null);
    }

    private Response(int status, String contentType, byte[] body, String errorCode, String errorMessage,
                     ByteBuf content) {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("HTTP status out of range: " + status);
        }
        this.status = status;
        this.body = body;
        this.errorCode = errorCode;
        this.errorMessage = errorMessage;
        this.content = content;
        if (contentType != null) {
            headers.set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
    }

    /** A response without a body (e.g. 204). */
    public static Response of(int status) {
        return new Response(status, null, new byte[0], null, null);
    }

    /** {@code value} written as JSON with the shared mapper. */
    public static Response json(int status, Object value) {
        return new Response(status, JSON, Json.bytes(value), null, null);
    }

    public static Response text(int status, String contentType, String body) {
        return new Response(status, contentType, body.getBytes(StandardCharsets.UTF_8), null, null);
    }

    public static Response bytes(int status, String contentType, byte[] body) {
        return new Response(status, contentType, body.clone(), null, null);
    }

    /**
     * A body made of byte arrays that are shared, not copied (HLS segments and parts: the same
     * bytes for every viewer). The arrays must not change afterwards.
     */
    public static Response shared(int status, String contentType, byte[]... chunks) {
        return new Response(status, contentType, Unpooled.wrappedBuffer(chunks));
    }

    /** The most a {@link #mapped} body may hold (a Netty buffer is indexed by int). */
    public static final long MAX_MAPPED = Integer.MAX_VALUE - 8;

    /**
     * {@code length} bytes of {@code file} from {@code position}, memory-mapped (read-only, not
     * copied into the heap; the pages come from the page cache as the socket takes them). At most
     * {@link #MAX_MAPPED} bytes: larger files are served in ranges.
     */
    public static Response mapped(int status, String contentType, java.nio.file.Path file, long position, long length)
            throws java.io.IOException {
        if (length < 0 || length > MAX_MAPPED) {
            throw new IllegalArgumentException("mapped length " + length + " out of range");
        }
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
                java.nio.file.StandardOpenOption.READ)) {
            long chunk = 1L << 30;
            java.util.List<java.nio.ByteBuffer> maps = new java.util.ArrayList<>();
            for (long at = 0; at < length; at += chunk) {
                maps.add(ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, position + at, Math.min(chunk, length - at)));
            }
            return new Response(status, contentType, maps.isEmpty() ? Unpooled.EMPTY_BUFFER
                    : Unpooled.wrappedBuffer(maps.toArray(java.nio.ByteBuffer[]::new)));
        }
    }

    /**
     * An error with the JSON body {@code {"code","message","requestId"}}; the server fills in the
     * request id.
     */
    public static Response error(int status, String code, String message) {
        return new Response(status, JSON, null, Objects.requireNonNull(code, "code"),
                Objects.requireNonNull(message, "message"));
    }

    /**
     * A refusal by the {@link Gate}, the same for every HTTP protocol (HTTP-FLV, HLS, WHIP/WHEP):
     * the gate's status and reason in the JSON body; a 403 also carries the reason in
     * {@code X-Tengine-Error}, as the cloud service does
     * ({@code denied by req auth: invalid md5hash=...}).
     */
    public static Response denied(Gate.Deny deny) {
        String reason = headerSafe(deny.reason());
        int status = deny.httpStatus() >= 400 && deny.httpStatus() <= 599 ? deny.httpStatus() : 403;
        Response r = error(status, status == 403 ? "Forbidden" : status == 429 ? "TooManyRequests" : "AccessDenied",
                reason);
        if (status == 403) {
            r.header(X_TENGINE_ERROR, reason);
        }
        if (deny.retryAfterSeconds() > 0) {
            r.header(HttpHeaderNames.RETRY_AFTER, deny.retryAfterSeconds());
        }
        return r;
    }

    /** Header values cannot carry control characters (RFC 9110 §5.5); keep to Latin-1 too. */
    private static String headerSafe(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f || c > 0xff ? ' ' : c);
        }
        return b.toString();
    }

    /** Sets a header (replacing an earlier value of the same name); returns this response. */
    public Response header(CharSequence name, Object value) {
        headers.set(name, value);
        return this;
    }

    public int status() {
        return status;
    }

    /** The first value of a header, or null. */
    public String header(CharSequence name) {
        return headers.get(name);
    }

    HttpHeaders headers() {
        return headers;
    }

    boolean isError() {
        return errorCode != null;
    }

    /** The shared body of {@link #shared}, or null. */
    ByteBuf content() {
        return content;
    }

    /** The body to send; error bodies are rendered with the request id. */
    byte[] body(String requestId) {
        if (errorCode != null) {
            return Json.bytes(new ApiError(errorCode, errorMessage, requestId));
        }
        return body;
    }

    @Override
    public String toString() {
        return "Response[" + status + (errorCode == null ? "" : " " + errorCode) + "]";
    }
}
