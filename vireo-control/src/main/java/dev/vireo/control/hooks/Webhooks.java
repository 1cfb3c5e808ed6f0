package dev.vireo.control.hooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vireo.control.model.ControlConfig;
import dev.vireo.control.model.NotifyConfig;
import dev.vireo.control.outbound.OutboundHttp;
import dev.vireo.core.Stream;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers webhook events: a signed JSON POST per event, retried with exponential backoff on network
 * errors, timeouts, 429 and 5xx. Entirely asynchronous (Netty client, retries scheduled on an event
 * loop): {@link #deliver} returns at once and never blocks media. Beyond
 * {@link ControlConfig.WebhookPolicy#maxPending()} events in flight, new ones are dropped and logged.
 *
 * <p>Signature: {@code X-Vireo-Signature: sha256=<hex HMAC-SHA256(secret, "{timestamp}.{body}")>}
 * with {@code X-Vireo-Timestamp: <unix seconds>}; receivers recompute it over the raw body and
 * should refuse old timestamps (replays). Also sent: {@code X-Vireo-Event}, {@code X-Vireo-Event-Id}
 * (same on every retry), {@code X-Vireo-Attempt} (1, 2, ...).
 *
 * <p>On-publish authorization: when the domain's notify has {@code onPublishAuth}, the answer to a
 * publish event decides: 2xx allows, 401 or 403 denies (the optional JSON field {@code reason} is
 * the reason). No decision within {@link ControlConfig.WebhookPolicy#authTimeout()} (retries
 * included), any other answer, or a target the {@link dev.vireo.control.outbound.OutboundPolicy} refuses is a failed hook:
 * the publisher is kicked (fail-closed, the default) or, with
 * {@link ControlConfig.WebhookPolicy#authFailOpen()}, allowed with a warning.
 */
public final class Webhooks {

    private static final Logger log = LoggerFactory.getLogger(Webhooks.class);

    public static final String SIGNATURE_HEADER = "X-Vireo-Signature";
    static final String TIMESTAMP_HEADER = "X-Vireo-Timestamp";
    static final String DEFAULT_DENIAL = "denied by the publish authorization hook";
    private static final int MAX_REASON = 200;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OutboundHttp http;
    private final EventExecutor timer;
    private final ControlConfig.WebhookPolicy policy;
    private final Clock clock;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile boolean closed;

    public Webhooks(OutboundHttp http, EventExecutor timer, ControlConfig.WebhookPolicy policy, Clock clock) {
        this.http = http;
        this.timer = timer;
        this.policy = policy;
        this.clock = clock;
    }

    /**
     * Sends {@code event} to {@code target}. {@code onDenied} (may be null) is called with the reason
     * when the target has {@code onPublishAuth} and answers 401/403 to a publish event.
     */
    void deliver(NotifyConfig target, WebhookEvent event, Consumer<String> onDenied) {
        if (closed) {
            return;
        }
        if (pending.incrementAndGet() > policy.maxPending()) {
            pending.decrementAndGet();
            log.warn("webhook {} for {} to {} dropped: {} events already pending", event.event(), event.domain(),
                    target.safeTarget(), policy.maxPending());
            return;
        }
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            pending.decrementAndGet();
            throw new IllegalStateException("webhook event cannot be written as JSON", e);
        }
        AuthDecision auth = target.onPublishAuth() && event.event().equals("publish") && onDenied != null
                ? new AuthDecision(event, onDenied) : null;
        attempt(target, event, body, 1, auth);
    }

    /** The one decision of an on-publish authorization hook: the first answer, or the deadline. */
    private final class AuthDecision {
        private final WebhookEvent event;
        private final Consumer<String> onDenied;
        private final AtomicBoolean done = new AtomicBoolean();
        private final ScheduledFuture<?> deadline;

        AuthDecision(WebhookEvent event, Consumer<String> onDenied) {
            this.event = event;
            this.onDenied = onDenied;
            long ms = policy.authTimeout().toMillis();
            deadline = timer.schedule(() -> fail("did not answer within " + ms + " ms"), ms, TimeUnit.MILLISECONDS);
        }

        void allow() {
            if (done.compareAndSet(false, true)) {
                deadline.cancel(false);
            }
        }

        void deny(String reason) {
            if (done.compareAndSet(false, true)) {
                deadline.cancel(false);
                onDenied.accept(reason);
            }
        }

        void fail(String why) {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            deadline.cancel(false);
            if (policy.authFailOpen()) {
                log.warn("publish authorization hook for {} {}: publisher allowed (webhooks.auth-failure allow)",
                        event.domain(), why);
            } else {
                log.warn("publish authorization hook for {} {}: publisher refused (fail-closed)", event.domain(), why);
                onDenied.accept("publish authorization hook " + why);
            }
        }
    }

    private void attempt(NotifyConfig target, WebhookEvent event, byte[] body, int attempt, AuthDecision auth) {
        if (closed) {
            pending.decrementAndGet();
            return;
        }
        String timestamp = String.valueOf(clock.instant().getEpochSecond());
        Map<String, String> headers = Map.of(
                "X-Vireo-Event", event.event(),
                "X-Vireo-Event-Id", event.id(),
                "X-Vireo-Attempt", String.valueOf(attempt),
                TIMESTAMP_HEADER, timestamp,
                SIGNATURE_HEADER, "sha256=" + signature(target.secret(), timestamp, body));
        http.post(URI.create(target.url()), "application/json", body, headers, policy.timeout()).whenComplete((r, err) -> {
            if (err instanceof OutboundHttp.Refused refused) {
                pending.decrementAndGet();
                log.warn("webhook {} for {} {}", event.event(), event.domain(), refused.getMessage());
                if (auth != null) {
                    auth.fail("was not asked: " + refused.getMessage());
                }
                return;
            }
            boolean retry = err != null || r.status() == 429 || r.status() >= 500;
            if (!retry) {
                pending.decrementAndGet();
                if (auth != null) {
                    if (r.status() == 401 || r.status() == 403) {
                        auth.deny(reason(r.body()));
                    } else if (r.status() >= 200 && r.status() < 300) {
                        auth.allow();
                    } else {
                        auth.fail("answered HTTP " + r.status());
                    }
                } else if (r.status() >= 300) {
                    log.warn("webhook {} for {} refused by {}: HTTP {}", event.event(), event.domain(),
                            target.safeTarget(), r.status());
                }
                return;
            }
            String why = err != null ? String.valueOf(err.getMessage()) : "HTTP " + r.status();
            if (attempt >= policy.attempts()) {
                pending.decrementAndGet();
                log.warn("webhook {} for {} to {} failed after {} attempts: {}", event.event(), event.domain(),
                        target.safeTarget(), attempt, why);
                if (auth != null) {
                    auth.fail("failed after " + attempt + " attempts: " + why);
                }
                return;
            }
            long delay = retryDelay(attempt).toMillis();
            log.debug("webhook {} to {} attempt {} failed ({}); retry in {} ms", event.event(), target.safeTarget(),
                    attempt, why, delay);
            try {
                timer.schedule(() -> attempt(target, event, body, attempt + 1, auth), delay, TimeUnit.MILLISECONDS);
            } catch (RuntimeException rejected) {
                pending.decrementAndGet();
            }
        });
    }

    /** Delay after failed attempt {@code n} (1-based): first, 2×first, 4×first, ... capped. */
    Duration retryDelay(int n) {
        Duration d = policy.firstRetryDelay();
        for (int i = 1; i < n && d.compareTo(policy.maxRetryDelay()) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(policy.maxRetryDelay()) > 0 ? policy.maxRetryDelay() : d;
    }

    static String signature(String secret, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update(timestamp.getBytes(StandardCharsets.US_ASCII));
            mac.update((byte) '.');
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is required of every Java platform", e);
        }
    }

    /** The {@code reason} of a denial body, printable and bounded, or the default text. */
    private static String reason(byte[] body) {
        try {
            JsonNode n = JSON.readTree(body);
            if (n != null && n.path("reason").isTextual()) {
                String r = n.get("reason").asText().replaceAll("[^\\x20-\\x7e]", " ").strip();
                if (!r.isEmpty()) {
                    return r.length() > MAX_REASON ? r.substring(0, MAX_REASON) : r;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not JSON: the default reason.
        }
        return DEFAULT_DENIAL;
    }

    static WebhookEvent event(String id, String type, Instant time, String domain, Stream stream,
                              String sessionId) {
        return new WebhookEvent(id, type, time.toString(), domain, stream.key().vhost(), stream.key().app(),
                stream.key().stream(), sessionId, null);
    }

    public int pending() {
        return pending.get();
    }

    public void close() {
        closed = true;
    }
}
