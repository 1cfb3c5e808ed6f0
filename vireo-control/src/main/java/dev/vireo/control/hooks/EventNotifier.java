package dev.vireo.control.hooks;

import dev.vireo.control.model.ControlState;
import dev.vireo.control.model.Domain;
import dev.vireo.core.HubListener;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import java.time.Clock;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns hub events into webhooks. Called on event loops: it only reads the in-memory state and hands
 * the event to {@link Webhooks}, which never blocks.
 *
 * <p>Who is told: every event goes to the notify URL of the stream's ingest domain (its vhost);
 * play and stop also go to the streaming domains (main and sub) that play that ingest domain and
 * have a notify URL of their own. The hub does not know which of them a viewer used, so each hears
 * of every viewer of the stream.
 *
 * <p>The on-publish hook cannot hold the publisher back (the Gate must not block), so the publisher
 * is admitted, the hook is asked asynchronously, and a denial kicks the publisher — if it is still
 * the same session — with the hook's reason.
 */
public final class EventNotifier implements HubListener {

    private static final Logger log = LoggerFactory.getLogger(EventNotifier.class);

    private final Supplier<ControlState> state;
    private final Webhooks webhooks;
    private final StreamHub hub;
    private final Clock clock;

    public EventNotifier(Supplier<ControlState> state, Webhooks webhooks, StreamHub hub, Clock clock) {
        this.state = state;
        this.webhooks = webhooks;
        this.hub = hub;
        this.clock = clock;
    }

    @Override
    public void onPublish(Stream stream, String sessionId) {
        if (stream.isDerived()) {
            return; // a transcoding output: nobody published it (its viewers are reported)
        }
        Domain ingest = state.get().domain(stream.key().vhost());
        if (ingest != null && ingest.webhook() != null) {
            StreamKey key = stream.key();
            webhooks.deliver(ingest.webhook(), event("publish", ingest, stream, sessionId),
                    reason -> kickIfStillPublishing(key, sessionId, reason));
        }
    }

    @Override
    public void onUnpublish(Stream stream, String sessionId) {
        if (stream.isDerived()) {
            return;
        }
        toIngest("unpublish", stream, sessionId);
    }

    @Override
    public void onPlay(Stream stream, String sessionId) {
        toIngestAndPlayDomains("play", stream, sessionId);
    }

    @Override
    public void onStop(Stream stream, String sessionId) {
        toIngestAndPlayDomains("stop", stream, sessionId);
    }

    private void toIngest(String type, Stream stream, String sessionId) {
        Domain ingest = state.get().domain(stream.key().vhost());
        if (ingest != null && ingest.webhook() != null) {
            webhooks.deliver(ingest.webhook(), event(type, ingest, stream, sessionId), null);
        }
    }

    private void toIngestAndPlayDomains(String type, Stream stream, String sessionId) {
        ControlState s = state.get();
        Domain ingest = s.domain(stream.key().vhost());
        if (ingest == null) {
            return;
        }
        toIngest(type, stream, sessionId);
        for (Domain d : s.playDomainsOf(ingest.name())) {
            if (d.webhook() != null) {
                webhooks.deliver(d.webhook(), event(type, d, stream, sessionId), null);
            }
        }
    }

    /** A finished recording, told to the stream's ingest domain (event {@code record_done}). */
    public void recordDone(StreamKey key, WebhookEvent.Recording recording) {
        Domain ingest = state.get().domain(key.vhost());
        if (ingest == null || ingest.webhook() == null) {
            return;
        }
        byte[] id = new byte[12];
        ThreadLocalRandom.current().nextBytes(id);
        webhooks.deliver(ingest.webhook(), new WebhookEvent("evt_" + HexFormat.of().formatHex(id), "record_done",
                clock.instant().toString(), ingest.name(), key.vhost(), key.app(), key.stream(), "record-" + key,
                recording), null);
    }

    private WebhookEvent event(String type, Domain to, Stream stream, String sessionId) {
        byte[] id = new byte[12];
        ThreadLocalRandom.current().nextBytes(id);
        return Webhooks.event("evt_" + HexFormat.of().formatHex(id), type, clock.instant(), to.name(), stream, sessionId);
    }

    private void kickIfStillPublishing(StreamKey key, String sessionId, String reason) {
        hub.find(key).ifPresent(s -> {
            if (sessionId.equals(s.stats().publisherSession())) {
                log.info("publish of {} by {} denied by the authorization hook: {}", key, sessionId, reason);
                hub.kick(key, reason);
            }
        });
    }
}
