package dev.vireo.bench;

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
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
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
