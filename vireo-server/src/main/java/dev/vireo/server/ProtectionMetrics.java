package dev.vireo.server;

import dev.vireo.control.ControlPlane;
import dev.vireo.http.HttpServer;
import dev.vireo.rtmp.RtmpServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * What the server refuses and holds back, for operators to alert on: {@code vireo_refusals_total}
 * by reason (every module's refusals of one kind summed at scrape time), and the HTTP listeners'
 * back-pressure (bytes waiting for clients that do not read, reads paused).
 */
final class ProtectionMetrics {

    /** Why something was refused. */
    enum Reason {
        /** A missing or wrong API key, or a throttled address. */
        AUTH,
        /** A missing, malformed, expired, future or wrong Type A signature. */
        SIGNATURE,
        /** A cap reached: sessions, offers per address, streams per domain, requests in flight. */
        CAPS,
        /** Malformed input: HTTP syntax, sizes, versions. */
        MALFORMED
    }

    private final Map<Reason, List<LongSupplier>> sources = new EnumMap<>(Reason.class);
    /** Micrometer keeps only weak references to what function meters read: these are held here. */
    private final HttpServer[] servers;
    private final List<Object> held = new ArrayList<>();

    /** Keep the instance (a field of the server): the meters read through it. */
    ProtectionMetrics(MeterRegistry registry, ControlPlane control, RtmpServer rtmp, HttpServer... servers) {
        this.servers = servers;
        for (Reason r : Reason.values()) {
            sources.put(r, new ArrayList<>());
        }
        add(Reason.AUTH, control::apiKeyFailures);
        add(Reason.AUTH, control::authThrottled);
        add(Reason.SIGNATURE, control::signatureRefusals);
        add(Reason.CAPS, control::capRefusals);
        add(Reason.CAPS, () -> (long) registry.get("vireo.webrtc.sessions.refused").counter().count());
        add(Reason.CAPS, () -> (long) registry.find("vireo.webrtc.offers.refused").counters().stream()
                .mapToDouble(Counter::count).sum());
        add(Reason.MALFORMED, rtmp::peerFaults);
        FunctionCounter.builder("vireo.auth.failures", control, ControlPlane::apiKeyFailures).tag("kind", "api_key")
                .description("failed authentications").register(registry);
        FunctionCounter.builder("vireo.auth.failures", control, ControlPlane::signatureFailures)
                .tag("kind", "signature").description("failed authentications").register(registry);
        FunctionCounter.builder("vireo.auth.throttled", control, ControlPlane::authThrottled)
                .description("attempts refused (429) because their address failed to authenticate too often")
                .register(registry);
        Gauge.builder("vireo.http.outbound.pending", servers, s -> sum(s, HttpServer::pendingOutboundBytes))
                .baseUnit("bytes").description("HTTP response bytes not yet taken by their clients").register(registry);
        FunctionCounter.builder("vireo.http.reads.paused", servers, s -> sum(s, HttpServer::readsPaused))
                .description("times an HTTP connection stopped being read because its client did not take its"
                        + " responses").register(registry);
        for (HttpServer s : servers) {
            add(Reason.MALFORMED, s::malformedRequests);
        }
        register(registry);
    }

    /** Counts {@code source} as refusals for {@code reason}. */
    private ProtectionMetrics add(Reason reason, LongSupplier source) {
        sources.get(reason).add(source);
        return this;
    }

    /** Registers {@code vireo_refusals_total{reason}} over every source added. */
    private void register(MeterRegistry registry) {
        for (Map.Entry<Reason, List<LongSupplier>> e : sources.entrySet()) {
            List<LongSupplier> list = List.copyOf(e.getValue());
            held.add(list);
            FunctionCounter.builder("vireo.refusals", list, l -> l.stream().mapToLong(LongSupplier::getAsLong).sum())
                    .tag("reason", e.getKey().name().toLowerCase(Locale.ROOT))
                    .description("requests and sessions refused, by reason").register(registry);
        }
    }

    private static double sum(HttpServer[] servers, java.util.function.ToLongFunction<HttpServer> f) {
        long n = 0;
        for (HttpServer s : servers) {
            n += f.applyAsLong(s);
        }
        return n;
    }
}
