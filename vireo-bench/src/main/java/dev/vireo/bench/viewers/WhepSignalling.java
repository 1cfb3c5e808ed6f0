package dev.vireo.bench.viewers;

import dev.vireo.bench.FreePort;
import dev.vireo.webrtc.dtls.CertificateFingerprint;
import dev.vireo.webrtc.ice.IceCredentials;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * WHEP signalling (RFC 9725): POST a browser-like offer ({@link WhepOffer}), read the answer and
 * the session's Location; DELETE it at the end (§4.2).
 */
final class WhepSignalling implements RtcSignalling {

    private final HttpClient http;
    private final URI url;
    private final SecureRandom random;
    private volatile URI location;

    WhepSignalling(HttpClient http, URI url, SecureRandom random) {
        this.http = http;
        this.url = url;
        this.random = random;
    }

    @Override
    public CompletableFuture<Peer> connect(IceCredentials local, CertificateFingerprint fingerprint,
                                           InetSocketAddress candidate) {
        String offer = WhepOffer.build(random.nextLong(), local, fingerprint);
        HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/sdp")
                .POST(HttpRequest.BodyPublishers.ofString(offer)).build();
        return post(request, System.nanoTime() + RETRY_BUDGET_NANOS).thenApply(r -> {
            if (r.statusCode() != 201) {
                String body = r.body() == null ? "" : r.body().strip();
                throw new IllegalStateException("POST answered " + r.statusCode() + ": "
                        + body.substring(0, Math.min(200, body.length())));
            }
            r.headers().firstValue("Location").ifPresent(l -> location = url.resolve(l));
            WhepOffer.Answer a;
            try {
                a = WhepOffer.Answer.parse(r.body());
            } catch (RuntimeException e) {
                throw new IllegalStateException("unreadable answer: " + e.getMessage());
            }
            if (a.port() < 0 || a.videoPt() < 0) {
                throw new IllegalStateException("the answer has no 127.0.0.1 candidate or no video: " + a);
            }
            return new Peer(a.credentials(), a.fingerprint(), new InetSocketAddress(FreePort.LOOPBACK, a.port()),
                    a.videoPt(), a.audioPt());
        });
    }

    /** How long a viewer keeps offering while the server answers 429/503 with Retry-After (as the player does). */
    private static final long RETRY_BUDGET_NANOS = 60_000_000_000L;

    /**
     * POSTs the offer; a 429 or 503 with {@code Retry-After} (the server's offer rate limit per
     * address, its cap on sessions still connecting: every bench viewer comes from 127.0.0.1) is
     * sent again after the wait the server names, within the budget.
     */
    private CompletableFuture<HttpResponse<String>> post(HttpRequest request, long deadlineNanos) {
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenCompose(r -> {
            int status = r.statusCode();
            var retryAfter = r.headers().firstValue("Retry-After");
            if ((status == 429 || status == 503) && retryAfter.isPresent() && System.nanoTime() < deadlineNanos) {
                long millis;
                try {
                    millis = Math.max(100, Long.parseLong(retryAfter.get().trim()) * 1000);
                } catch (NumberFormatException e) {
                    return CompletableFuture.completedFuture(r);
                }
                // spread the retries of a stampede over the wait
                long wait = millis / 2 + random.nextLong(millis);
                return CompletableFuture.supplyAsync(() -> null,
                                CompletableFuture.delayedExecutor(wait, java.util.concurrent.TimeUnit.MILLISECONDS))
                        .thenCompose(x -> post(request, deadlineNanos));
            }
            return CompletableFuture.completedFuture(r);
        });
    }

    /** DELETE on the session resource, retried once. */
    @Override
    public boolean end() {
        URI l = location;
        if (l == null) {
            return true;
        }
        HttpRequest request = HttpRequest.newBuilder(l).timeout(Duration.ofSeconds(10)).DELETE().build();
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200 || status == 204 || status == 404) {
                    return true;
                }
            } catch (IOException e) {
                // retried once below
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
        }
        return false;
    }
}
