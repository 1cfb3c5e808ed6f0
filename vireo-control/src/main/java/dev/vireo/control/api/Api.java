package dev.vireo.control.api;

import dev.vireo.control.access.ApiKeys;
import dev.vireo.control.access.AuthThrottle;
import dev.vireo.control.model.Account;
import dev.vireo.control.model.ApiException;
import dev.vireo.control.model.ControlState;
import dev.vireo.control.model.Credential;
import dev.vireo.control.store.Database;
import dev.vireo.http.routing.Reply;
import dev.vireo.http.routing.RequestContext;
import dev.vireo.http.routing.Response;
import dev.vireo.http.routing.RouteHandler;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge of the REST API: checks the API key on the event loop (from memory, in constant time),
 * runs the handler on a virtual thread (it may block on the store), and turns refusals into the
 * stable error body {@code {code, message, requestId}}. At most {@link #MAX_IN_FLIGHT} requests run
 * at once; more get 503 at once rather than queueing without bound.
 */
public final class Api {

    private static final Logger log = LoggerFactory.getLogger(Api.class);

    static final int MAX_IN_FLIGHT = 64;

    /** A handler of an authenticated request; runs off the event loop. */
    @FunctionalInterface
    interface Handler {
        Response handle(RequestContext request, Account caller) throws Exception;
    }

    private final Supplier<ControlState> state;
    private final ExecutorService executor;
    private final AuthThrottle throttle;
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final LongAdder busy = new LongAdder();
    /** Told the hash of every key that opened the API (last-used times); none until set. */
    private volatile java.util.function.Consumer<byte[]> keyUsed = hash -> { };

    public Api(Supplier<ControlState> state, ExecutorService executor, AuthThrottle throttle) {
        this.state = state;
        this.executor = executor;
        this.throttle = throttle;
    }

    /** Who to tell when a key opened the API ({@link ApiKeyUsage}). */
    public void onKeyUsed(java.util.function.Consumer<byte[]> listener) {
        keyUsed = listener;
    }

    /** A route that needs an API key. */
    RouteHandler authed(Handler handler) {
        return request -> {
            String from = request.clientAddress();
            Duration wait = throttle.blocked(from);
            if (!wait.isZero()) {
                return Response.error(429, "TooManyRequests",
                        "too many failed authentications from this address; retry later")
                        .header(HttpHeaderNames.RETRY_AFTER, Math.max(1, (wait.toMillis() + 999) / 1000));
            }
            String authorization = request.header(HttpHeaderNames.AUTHORIZATION);
            Account caller = authenticate(authorization);
            if (caller == null) {
                if (authorization != null) {
                    throttle.failed(from, AuthThrottle.Kind.API_KEY);
                }
                return Response.error(401, "Unauthorized",
                        "a valid API key is required: send 'Authorization: Bearer <key>'")
                        .header(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"vireo\"");
            }
            if (!inFlight.tryAcquire()) {
                busy.increment();
                return Response.error(503, "ServiceUnavailable", "too many API requests in progress; retry shortly")
                        .header(HttpHeaderNames.RETRY_AFTER, "1");
            }
            CompletableFuture<Response> reply = new CompletableFuture<>();
            try {
                executor.execute(() -> {
                    try {
                        reply.complete(run(handler, request, caller));
                    } finally {
                        inFlight.release();
                    }
                });
            } catch (RuntimeException e) {
                inFlight.release();
                return Response.error(503, "ServiceUnavailable", "the control plane is shutting down");
            }
            return Reply.later(reply);
        };
    }

    private static Response run(Handler handler, RequestContext request, Account caller) {
        try {
            return handler.handle(request, caller);
        } catch (ApiException e) {
            return Response.error(e.status(), e.code(), e.getMessage());
        } catch (Database.StoreException e) {
            log.warn("store failure on {} {} [{}]: {}", request.method(), request.path(), request.requestId(),
                    e.getMessage());
            return e.unavailable()
                    ? Response.error(503, "StoreUnavailable", "the store is not reachable; retry shortly")
                    : Response.error(500, "InternalError", "the store failed to handle the request");
        } catch (Exception | LinkageError e) {
            log.warn("API {} {} failed [{}]", request.method(), request.path(), request.requestId(), e);
            return Response.error(500, "InternalError", "the server failed to handle the request");
        }
    }

    /**
     * The account of a {@code Bearer} key, or null. Every stored hash is compared, in constant time
     * and without an early exit, so neither the answer time nor its absence tells anything.
     */
    Account authenticate(String authorization) {
        if (authorization == null) {
            return null;
        }
        String value = authorization.trim();
        if (value.length() < 7 || !value.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            return null;
        }
        String key = value.substring(7).trim();
        if (key.isEmpty() || key.length() > 256) {
            return null;
        }
        byte[] hash = ApiKeys.hash(key);
        Account found = null;
        for (Credential c : state.get().credentials()) {
            if (MessageDigest.isEqual(c.keyHash(), hash)) {
                found = c.account();
            }
        }
        if (found != null) {
            keyUsed.accept(hash);
        }
        return found;
    }

    /** Requests refused because {@link #MAX_IN_FLIGHT} were running. */
    public long refusedBusy() {
        return busy.sum();
    }

    static <T> T body(RequestContext request, Class<T> type) {
        return JsonBody.read(request.body(), type);
    }

    /** A query parameter that must be absent or a non-empty bounded text. */
    static String query(RequestContext request, String name) {
        String v = request.query(name);
        if (v != null && (v.isEmpty() || v.length() > 512 || !StandardCharsets.US_ASCII.newEncoder().canEncode(v))) {
            throw ApiException.badRequest("InvalidParameter", name + " must be a non-empty ASCII value");
        }
        return v;
    }
}
