package dev.vireo.control.events;

import dev.vireo.core.Gate;
import dev.vireo.core.HubListener;
import dev.vireo.core.Stream;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The recent life of each stream, for troubleshooting: publishes, unpublishes, ends and the
 * Gate's refusals with their reasons, kept in memory per {@code app/stream} (the part of a URL a
 * user can always name, whatever domain it used). Bounded twice: {@link #PER_STREAM} events per
 * stream, {@link #STREAMS} streams (the least recently touched forgotten first), so a flood of
 * refused requests for invented names costs a fixed amount of memory. Called from event loops:
 * every method is short and never blocks.
 */
public final class StreamEvents implements HubListener {

    public static final int PER_STREAM = 30;
    public static final int STREAMS = 2_000;

    /**
     * One event.
     *
     * @param at ISO-8601 instant
     * @param kind {@code publish}, {@code unpublish}, {@code end} or {@code refused}
     * @param action for a refusal: {@code publish} or {@code play}; else null
     * @param protocol for a refusal: the protocol asked ({@code rtmp}, {@code whep}, ...); else null
     * @param domain the stream's vhost, or for a refusal the domain the client addressed
     * @param session the publisher's session id, or null
     * @param detail the refusal's reason (as the client was told), or why the stream ended; else null
     */
    public record Event(String at, String kind, String action, String protocol, String domain, String app,
                        String stream, String session, String detail) {
    }

    private final Clock clock;
    private final Map<String, Deque<Event>> byStream = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Deque<Event>> eldest) {
            return size() > STREAMS;
        }
    };

    public StreamEvents(Clock clock) {
        this.clock = clock;
    }

    /** {@code gate} with its refusals recorded under the host the client addressed. */
    public Gate recording(Gate gate) {
        return recording(gate, Gate.AccessRequest::host);
    }

    /**
     * {@code gate} with its refusals recorded.
     *
     * @param domainOf the domain a request names (e.g. its {@code vhost=} on an IP address)
     */
    public Gate recording(Gate gate, Function<Gate.AccessRequest, String> domainOf) {
        return request -> {
            Gate.Verdict verdict = gate.admit(request);
            if (verdict instanceof Gate.Deny deny) {
                add(new Event(now(), "refused", request.action().name().toLowerCase(java.util.Locale.ROOT),
                        request.protocol(), domainOf.apply(request), request.app(), request.stream(), null,
                        deny.httpStatus() + " " + deny.reason()));
            }
            return verdict;
        };
    }

    @Override
    public void onPublish(Stream stream, String sessionId) {
        add(of(stream, "publish", sessionId, null));
    }

    @Override
    public void onUnpublish(Stream stream, String sessionId) {
        add(of(stream, "unpublish", sessionId, null));
    }

    @Override
    public void onStreamEnd(Stream stream, String reason) {
        add(of(stream, "end", null, reason));
    }

    /** The events of {@code app/stream}, oldest first (any domain); empty when none is known. */
    public List<Event> recent(String app, String stream) {
        synchronized (byStream) {
            Deque<Event> events = byStream.get(name(app, stream));
            return events == null ? List.of() : List.copyOf(new ArrayList<>(events));
        }
    }

    private Event of(Stream stream, String kind, String session, String detail) {
        return new Event(now(), kind, null, null, stream.key().vhost(), stream.key().app(), stream.key().stream(),
                session, detail);
    }

    private void add(Event e) {
        if (e.app() == null || e.stream() == null) {
            return;
        }
        synchronized (byStream) {
            Deque<Event> events = byStream.computeIfAbsent(name(e.app(), e.stream()), k -> new ArrayDeque<>());
            events.addLast(e);
            while (events.size() > PER_STREAM) {
                events.removeFirst();
            }
        }
    }

    private String now() {
        return clock.instant().toString();
    }

    private static String name(String app, String stream) {
        return app + "/" + stream;
    }
}
