package dev.vireo.http.flv;

import dev.vireo.core.Gate;
import dev.vireo.core.HubException;
import dev.vireo.core.SlowViewerPolicy;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.Subscription;
import dev.vireo.http.routing.Reply;
import dev.vireo.http.routing.RequestContext;
import dev.vireo.http.routing.Response;
import dev.vireo.http.routing.Router;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import java.util.Optional;
import java.util.function.Function;

/**
 * HTTP-FLV playback, {@code GET /{app}/{stream}.flv}: the gate decides with the Host header and
 * the query (auth_key), the hub attaches the viewer, and the response streams until the stream
 * ends or the viewer goes. HEAD answers whether the stream is live without subscribing.
 */
public final class HttpFlvPlayback {

    static final String PROTOCOL = "http-flv";

    /** Netty's writability bounds for a viewer: above high the slow-viewer policy skips frames. */
    static final WriteBufferWaterMark VIEWER_WATER_MARK = new WriteBufferWaterMark(512 * 1024, 2 * 1024 * 1024);

    private final StreamHub hub;
    private final Gate gate;
    private final long maxLagNanos;
    private final Counter bytesOut;
    private final Counter dropped;
    /**
     * The variant an FLV viewer of a stream plays instead of the stream, when there is one: the
     * server wires in the transcoder's rule (Opus audio, e.g. from WHIP, plays as {@code
     * {stream}@aac}); this module may not import it.
     */
    private volatile Function<Stream, Optional<StreamKey>> variant = s -> Optional.empty();

    public HttpFlvPlayback(StreamHub hub, Gate gate, MeterRegistry registry) {
        this.hub = hub;
        this.gate = gate;
        this.maxLagNanos = hub.config().slowViewerMaxLag().toNanos();
        this.bytesOut = Counter.builder("vireo.egress.bytes").baseUnit("bytes").tag("protocol", PROTOCOL)
                .description("media bytes sent to viewers").register(registry);
        this.dropped = Counter.builder("vireo.viewers.dropped").tag("protocol", PROTOCOL)
                .description("viewers disconnected for being too slow").register(registry);
    }

    /** Plays the variant {@code rule} names instead of a stream FLV cannot carry as it is. */
    public HttpFlvPlayback withVariant(Function<Stream, Optional<StreamKey>> rule) {
        this.variant = rule;
        return this;
    }

    public void mount(Router router) {
        router.get("/{app}/{stream}.flv", this::play);
    }

    Reply play(RequestContext request) {
        String app = request.param("app");
        String name = request.param("stream");
        Gate.Verdict verdict = gate.admit(new Gate.AccessRequest(Gate.Action.PLAY, PROTOCOL, request.host(), app,
                name, ".flv", request.rawQuery(), request.clientAddress()));
        StreamKey key;
        switch (verdict) {
            case Gate.Deny deny -> {
                return Response.denied(deny);
            }
            case Gate.Allow allow -> key = allow.key();
        }
        if (request.method().equals(HttpMethod.HEAD)) {
            return hub.find(key).isPresent()
                    ? Response.of(200).header(HttpHeaderNames.CONTENT_TYPE, "video/x-flv")
                            .header(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                    : notLive(key);
        }
        Optional<StreamKey> alias = hub.find(key).flatMap(variant);
        if (alias.isPresent()) {
            key = alias.get();
        }
        Channel channel = request.channel();
        FlvViewer viewer = new FlvViewer(channel, key, "flv-" + request.requestId(),
                new SlowViewerPolicy(maxLagNanos), bytesOut, dropped);
        Subscription subscription;
        try {
            subscription = hub.subscribe(key, viewer);
        } catch (HubException e) {
            return switch (e.reason()) {
                case STREAM_NOT_FOUND -> notLive(key);
                case SHUTTING_DOWN, CLUSTER_UNAVAILABLE -> Response.error(503, "ServiceUnavailable", e.getMessage());
                case STREAM_BUSY -> Response.error(409, "StreamBusy", e.getMessage());
                case SOURCE_REFUSED -> Response.error(404, "StreamUnavailable", e.getMessage());
            };
        }
        channel.config().setWriteBufferWaterMark(VIEWER_WATER_MARK);
        viewer.start(subscription, request.protocolVersion());
        return Reply.takenOver();
    }

    private static Response notLive(StreamKey key) {
        return Response.error(404, "StreamNotFound", "stream " + key.path() + " is not live");
    }
}
