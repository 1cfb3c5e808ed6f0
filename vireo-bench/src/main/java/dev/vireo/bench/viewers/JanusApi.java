package dev.vireo.bench.viewers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vireo.bench.BenchLog;
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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * Viewers of a Janus Streaming mountpoint through the Janus API over plain HTTP (the
 * janus.transport.http REST interface). One Janus session per ramp holds every viewer's handle:
 * a handle is a PeerConnection and its own Streaming plugin session, which is what a viewer
 * costs Janus; one session means one long-poll connection for the whole ramp, not one per viewer,
 * so signalling stays out of the measurement as it does for WHEP (one POST, one DELETE).
 *
 * <p>Per viewer ({@link #viewer()}): {@code attach} to janus.plugin.streaming, {@code watch} the
 * mountpoint, the offer arrives as an event on the session's long poll ({@code GET
 * /janus/<session>?maxev=N}), the viewer's answer goes with {@code start} ({@link JanusSdp}), and
 * {@code detach} ends it. Janus then waits for the viewer's ICE checks, as Vireo does after a WHEP
 * answer.
 */
public final class JanusApi implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Events one long poll returns at most. */
    private static final int MAX_EVENTS = 64;
    /** The offer follows "watch" at once; a viewer waiting longer than this fails. */
    private static final int OFFER_TIMEOUT_SECONDS = 20;

    /** Where the long poll delivers a handle's events. */
    interface Listener {
        void offer(String sdp);

        /** Janus ended the handle or refused a request. */
        void ended(String reason);
    }

    private final HttpClient http;
    private final URI session;
    private final int mountpoint;
    private final String hostAddress;
    private final SecureRandom random;
    private final Map<Long, Listener> handles = new ConcurrentHashMap<>();
    private final AtomicLong transactions = new AtomicLong();
    private final Thread poller;
    private volatile boolean closed;

    private JanusApi(HttpClient http, URI session, int mountpoint, String hostAddress, SecureRandom random) {
        this.http = http;
        this.hostAddress = hostAddress;
        this.session = session;
        this.mountpoint = mountpoint;
        this.random = random;
        this.poller = Thread.ofPlatform().daemon().name("janus-events").unstarted(this::poll);
    }

    /**
     * Creates the Janus session and starts its long poll.
     *
     * @param whep        the viewers' shared HTTP client and random source
     * @param hostAddress the address of Janus's ICE candidates, which the viewers bind to
     */
    public static JanusApi create(WhepViewer.Shared whep, URI api, int mountpoint, String hostAddress)
            throws IOException, InterruptedException {
        JsonNode r = parse(whep.http.send(post(api, request("create", "c")), HttpResponse.BodyHandlers.ofString()).body());
        long id = successId(r, "create");
        JanusApi janus = new JanusApi(whep.http, URI.create(api + "/" + id), mountpoint, hostAddress, whep.random);
        janus.poller.start();
        return janus;
    }

    /** The signalling of one new viewer. */
    RtcSignalling viewer() {
        return new Viewer();
    }

    private void poll() {
        URI events = URI.create(session + "?maxev=" + MAX_EVENTS);
        while (!closed) {
            try {
                // Janus answers a long poll after 30 s without events with a keepalive
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(events).timeout(Duration.ofSeconds(60)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    dispatch(parse(r.body()), handles::get);
                }
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    BenchLog.log("janus: event poll failed: %s", e);
                    try {
                        Thread.sleep(200); // back off before polling again, not a synchronisation
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * Routes long-poll events (one object, or an array with maxev &gt; 1) to their handle's
     * listener by {@code sender}: a JSEP offer, an error from the plugin, or {@code hangup} /
     * {@code detached}. Other events (webrtcup, media, slowlink, keepalive) carry nothing the
     * bench needs.
     */
    static void dispatch(JsonNode events, LongFunction<Listener> listeners) {
        if (events.isArray()) {
            for (JsonNode e : events) {
                dispatch(e, listeners);
            }
            return;
        }
        Listener l = listeners.apply(events.path("sender").asLong());
        if (l == null) {
            return;
        }
        switch (events.path("janus").asText()) {
            case "event" -> {
                JsonNode jsep = events.path("jsep");
                JsonNode data = events.path("plugindata").path("data");
                if (jsep.path("type").asText().equals("offer")) {
                    l.offer(jsep.path("sdp").asText());
                } else if (data.has("error")) {
                    l.ended("janus: " + data.path("error").asText() + " (" + data.path("error_code").asInt() + ")");
                }
            }
            case "hangup" -> l.ended("janus hung up: " + events.path("reason").asText());
            case "detached" -> l.ended("janus detached the handle");
            default -> {
            }
        }
    }

    private final class Viewer implements RtcSignalling, Listener {

        private final CompletableFuture<String> offer = new CompletableFuture<>();
        private volatile long handle;
        private volatile boolean ended;

        @Override
        public String bindAddress() {
            return hostAddress;
        }

        @Override
        public boolean serverChecks() {
            return true; // libnice checks the viewer's candidate and completes ICE on its response
        }

        @Override
        public CompletableFuture<Peer> connect(IceCredentials local, CertificateFingerprint fingerprint,
                                               InetSocketAddress candidate) {
            return send(session, request("attach", tx()).put("plugin", "janus.plugin.streaming"))
                    .thenCompose(r -> {
                        long id = successId(r, "attach");
                        handle = id;
                        handles.put(id, this);
                        if (ended) { // closed while attaching: end() saw no handle
                            detach(id);
                            throw new IllegalStateException("viewer closed while attaching");
                        }
                        ObjectNode watch = request("message", tx());
                        watch.putObject("body").put("request", "watch").put("id", mountpoint);
                        return send(handleUri(id), watch);
                    })
                    .thenCompose(ack -> {
                        expectAck(ack, "watch");
                        return offer.orTimeout(OFFER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    })
                    .thenCompose(sdp -> {
                        JanusSdp.Negotiated n;
                        try {
                            n = JanusSdp.answer(sdp, local, fingerprint, candidate, random.nextLong());
                        } catch (RuntimeException e) {
                            throw new IllegalStateException("cannot answer Janus's offer: " + e.getMessage());
                        }
                        ObjectNode start = request("message", tx());
                        start.putObject("body").put("request", "start");
                        start.putObject("jsep").put("type", "answer").put("sdp", n.answer());
                        return send(handleUri(handle), start).thenApply(ack -> {
                            expectAck(ack, "start");
                            return n.peer();
                        });
                    });
        }

        @Override
        public void offer(String sdp) {
            offer.complete(sdp);
        }

        @Override
        public void ended(String reason) {
            offer.completeExceptionally(new IllegalStateException(reason));
        }

        @Override
        public boolean end() {
            ended = true;
            long id = handle;
            return id == 0 || detach(id);
        }

        /** Detaches the handle: Janus hangs its PeerConnection up and frees it. */
        private boolean detach(long id) {
            handles.remove(id);
            try {
                JsonNode r = parse(http.send(post(handleUri(id), request("detach", tx())),
                        HttpResponse.BodyHandlers.ofString()).body());
                return r.path("janus").asText().equals("success");
            } catch (IOException | RuntimeException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private URI handleUri(long handle) {
        return URI.create(session + "/" + handle);
    }

    private String tx() {
        return Long.toString(transactions.incrementAndGet());
    }

    private CompletableFuture<JsonNode> send(URI uri, ObjectNode body) {
        return http.sendAsync(post(uri, body), HttpResponse.BodyHandlers.ofString()).thenApply(r -> parse(r.body()));
    }

    private static HttpRequest post(URI uri, ObjectNode body) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
    }

    static ObjectNode request(String janus, String transaction) {
        return JSON.createObjectNode().put("janus", janus).put("transaction", transaction);
    }

    static JsonNode parse(String body) {
        try {
            return JSON.readTree(body == null ? "" : body);
        } catch (IOException e) {
            throw new IllegalStateException("janus sent unreadable JSON: " + e.getMessage());
        }
    }

    /** {@code data.id} of a "success" reply (create, attach), else the error as an exception. */
    static long successId(JsonNode r, String what) {
        if (!r.path("janus").asText().equals("success") || !r.path("data").path("id").canConvertToLong()) {
            throw new IllegalStateException("janus refused " + what + ": " + r.path("error").path("reason").asText(r.toString()));
        }
        return r.path("data").path("id").asLong();
    }

    /** Plugin messages are asynchronous: Janus acknowledges them, the result comes as an event. */
    static void expectAck(JsonNode r, String what) {
        if (!r.path("janus").asText().equals("ack")) {
            throw new IllegalStateException("janus refused " + what + ": " + r.path("error").path("reason").asText(r.toString()));
        }
    }

    /** Ends the poll and destroys the session (Janus detaches any handle left). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            http.send(post(session, request("destroy", tx())), HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            // Janus stops with the ramp anyway
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        poller.interrupt();
    }
}
