package dev.vireo.webrtc.whip;

import dev.vireo.core.Gate;
import dev.vireo.core.HubException;
import dev.vireo.core.HubListener;
import dev.vireo.core.LogContext;
import dev.vireo.core.Publication;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.http.routing.Reply;
import dev.vireo.http.routing.RequestContext;
import dev.vireo.http.routing.Response;
import dev.vireo.http.routing.Router;
import dev.vireo.webrtc.RtcTransport;
import dev.vireo.webrtc.WebRtcServer;
import dev.vireo.webrtc.sdp.Answer;
import dev.vireo.webrtc.sdp.IngestCodecs;
import dev.vireo.webrtc.sdp.NegotiatedMedia;
import dev.vireo.webrtc.sdp.SdpException;
import dev.vireo.webrtc.sdp.SessionDescription;
import dev.vireo.webrtc.sdp.SimulcastOffer;
import dev.vireo.webrtc.signaling.IcePatch;
import dev.vireo.webrtc.signaling.OfferAnswer;
import dev.vireo.webrtc.signaling.SessionResources;
import dev.vireo.webrtc.whep.IceServer;
import dev.vireo.webrtc.whep.Rendition;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WHIP ingest (RFC 9725, WebRTC-HTTP Ingestion Protocol): the HTTP side of a WebRTC publisher.
 *
 * <ul>
 *   <li>{@code POST /{app}/{stream}/whip} with an SDP offer: the gate decides as for any publisher
 *       (Host header; {@code ?auth_key=} or {@code Authorization: Bearer <auth_key>}, Type A), the
 *       hub grants the key (409 when someone publishes it already), and the answer comes back as
 *       {@code 201} with {@code a=recvonly} sections, every candidate (clients such as OBS do not
 *       trickle), {@code Location}, {@code ETag}. 415 for another content type, 400 for SDP that
 *       does not parse or cannot be answered, 406 naming the accepted codecs when the offer has
 *       none of them (H.264/AV1 video, Opus audio), 403 when the gate refuses. An offer whose video
 *       sends simulcast ({@code a=simulcast:send}, {@code a=rid}: RFC 8853, RFC 8851) is answered
 *       {@code a=simulcast:recv} with up to 3 layers, each also published as {@code {stream}~{rid}}
 *       ({@link SimulcastOutputs}); simulcast that cannot be received is refused with 400 and why.</li>
 *   <li>{@code PATCH} on the Location: trickle ICE / ICE restart ({@link IcePatch}, as WHEP).</li>
 *   <li>{@code DELETE} on the Location ends the publish (the stream gets the reconnect grace).</li>
 * </ul>
 *
 * The media comes in on the {@link WebRtcServer}'s shared UDP port ({@link WhipSession}).
 */
public final class WhipIngest {

    static final String PROTOCOL = "whip";
    static final String SDP = "application/sdp";

    private static final Logger log = LoggerFactory.getLogger(WhipIngest.class);

    private final StreamHub hub;
    private final Gate gate;
    private final WebRtcServer rtc;
    private final SecureRandom random = new SecureRandom();
    private final SessionResources<WhipSession> sessions;
    private final OfferAnswer answers;
    private volatile long mediaTimeoutNanos = Duration.ofSeconds(5).toNanos();
    private final Timer receiveDelay;

    public WhipIngest(StreamHub hub, Gate gate, WebRtcServer rtc, MeterRegistry registry) {
        this.hub = hub;
        this.gate = gate;
        this.rtc = rtc;
        this.sessions = new SessionResources<>(PROTOCOL, "publisher", rtc::candidates);
        this.answers = new OfferAnswer(rtc, PROTOCOL, "publishers");
        Gauge.builder("vireo.whip.sessions", sessions, SessionResources::size)
                .description("WHIP publishers").register(registry);
        // The receive side of server-added latency: a frame's first RTP packet to the frame in the
        // hub (reordering, waiting for retransmissions, reassembly). A WHEP viewer's
        // vireo.webrtc.egress.delay counts from the same first packet: WHIP in to WHEP out.
        receiveDelay = Timer.builder("vireo.whip.receive.delay")
                .description("first RTP packet of a WHIP frame to the frame published into the hub")
                .serviceLevelObjectives(LongStream.of(1, 2, 5, 10, 20, 40, 80, 150, 300, 600, 1000)
                        .mapToObj(Duration::ofMillis).toArray(Duration[]::new))
                .register(registry);
        hub.addListener(new HubListener() {
            @Override
            public void onPlay(Stream stream, String viewerId) {
                // A new viewer and no keyframe cached (browsers send keyframes only on request).
                if (!sessions.isEmpty() && stream.stats().gopCacheFrames() == 0) {
                    stream.requestKeyframe(viewerId);
                }
            }

            @Override
            public void onKeyframeRequest(Stream stream, String viewerId) {
                keyframeRequested(stream, viewerId);
            }
        });
    }

    /** Advertises STUN/TURN servers in every answer ({@code Link: <...>; rel="ice-server"}, RFC 9725 §4.6). */
    public WhipIngest withIceServers(List<IceServer> servers) {
        sessions.iceServersLink(IceServer.linkHeader(List.copyOf(servers)));
        return this;
    }

    /** How long a connected publisher may send no media before its session ends (default 5 s). */
    public WhipIngest withMediaTimeout(Duration timeout) {
        this.mediaTimeoutNanos = timeout.toNanos();
        return this;
    }

    public void mount(Router router) {
        router.post("/{app}/{stream}/whip", this::offer);
        sessions.mount(router);
    }

    /** Stats of a live session, if there is one with that id. */
    public Optional<WhipSessionStats> session(String id) {
        return sessions.get(id).map(WhipSession::stats);
    }

    /** Stats of every live session. */
    public List<WhipSessionStats> sessions() {
        return sessions.all().stream().map(WhipSession::stats).toList();
    }

    // ---- POST: offer → answer ----

    Reply offer(RequestContext request) {
        Response notSdp = sessions.requireSdp(request);
        if (notSdp != null) {
            return notSdp;
        }
        String app = request.param("app");
        String name = request.param("stream");
        Gate.AccessRequest access = new Gate.AccessRequest(Gate.Action.PUBLISH, PROTOCOL, request.host(), app, name,
                "", queryWithBearer(request), request.clientAddress());
        StreamKey key;
        switch (gate.admit(access)) {
            case Gate.Deny deny -> {
                return Response.denied(deny);
            }
            case Gate.Allow allow -> key = allow.key();
        }
        SessionResources.Offer offer;
        IngestCodecs codecs;
        try {
            offer = SessionResources.readOffer(request);
        } catch (SessionResources.Refused invalid) {
            return invalid.response();
        }
        try {
            codecs = IngestCodecs.choose(offer.sdp());
        } catch (SdpException e) {
            return Response.error(406, "CodecNotSupported", e.getMessage());
        }
        SimulcastOffer simulcast;
        try {
            simulcast = codecs.video() == null ? null : SimulcastOffer.ofVideo(offer.sdp());
        } catch (SdpException e) {
            LogContext.run(key, null, () -> log.info("WHIP offer from {} refused: {}", request.clientAddress(),
                    e.getMessage()));
            return Response.error(400, "InvalidOffer", e.getMessage());
        }

        String id = HexFormat.of().formatHex(randomBytes(16));
        Publication publication;
        try {
            publication = hub.publish(key, "whip-" + id, reason -> close(id, "revoked: " + reason));
        } catch (HubException e) {
            return switch (e.reason()) {
                case STREAM_BUSY -> Response.error(409, "StreamBusy", e.getMessage()
                        + "; stop the other publisher (or DELETE its WHIP session) first");
                default -> Response.error(503, "ServiceUnavailable", e.getMessage());
            };
        }
        SimulcastOutputs layers = null;
        if (simulcast != null) {
            try {
                layers = publishLayers(simulcast, key, id, publication);
            } catch (HubException e) {
                publication.close();
                return Response.error(e.reason() == HubException.Reason.STREAM_BUSY ? 409 : 503,
                        e.reason() == HubException.Reason.STREAM_BUSY ? "StreamBusy" : "ServiceUnavailable",
                        "a simulcast layer's stream: " + e.getMessage());
            }
        }
        WhipSession session = new WhipSession(id, key, publication, layers, mediaTimeoutNanos,
                nanos -> receiveDelay.record(nanos, TimeUnit.NANOSECONDS), sessions::remove);
        RtcTransport transport;
        try {
            transport = answers.open(id, key.toString(), offer, session);
        } catch (SessionResources.Refused refused) {
            publication.close();
            closeQuietly(layers);
            return refused.response();
        }
        return OfferAnswer.closingOnFailure(transport,
                () -> answer(request, key, offer.sdp(), codecs, simulcast, session, transport));
    }

    private Response answer(RequestContext request, StreamKey key, SessionDescription offer, IngestCodecs codecs,
                            SimulcastOffer simulcast, WhipSession session, RtcTransport transport) {
        Answer answer;
        try {
            answer = answers.answer(offer, transport, builder -> {
                builder.receiving(); // transport-cc drives the sender; REMB beside it where offered
                // the offered rtx for the video is accepted: retransmissions then come on the sender's RTX SSRC
                if (codecs.video() != null) {
                    builder.video(codecs.video(), 1, 2);
                }
                if (codecs.audio() != null) {
                    builder.audio(codecs.audio(), 3);
                }
                Answer built = builder.simulcast(simulcast).build();
                if (simulcast != null) {
                    if (built.video().isEmpty()) {
                        throw new SdpException("the simulcast video section could not be answered");
                    }
                    simulcast.requirePayloadType(built.video().get().payloadType());
                }
                return built;
            });
        } catch (SessionResources.Refused refused) {
            return refused.response();
        }
        session.attach(transport, answer);
        Response created = sessions.created(request, session, answer);
        LogContext.run(key, session.id(), () -> log.info("WHIP offer from {} for {}: video {}{}, audio {}",
                request.clientAddress(), key, answer.video().map(WhipIngest::describe).orElse("none"),
                simulcast == null ? "" : " simulcast " + String.join(";", simulcast.layers()) + " as "
                        + key.stream() + SimulcastOutputs.SEPARATOR + "{rid}",
                answer.audio().map(WhipIngest::describe).orElse("none")));
        return created;
    }

    /**
     * One derived stream per layer, {@code {stream}~{rid}}: the layers are renditions of the
     * stream (the main stream carries the best of them, {@link SimulcastOutputs}).
     */
    private SimulcastOutputs publishLayers(SimulcastOffer simulcast, StreamKey key, String id, Publication main)
            throws HubException {
        List<Publication> layers = new ArrayList<>();
        try {
            for (String rid : simulcast.layers()) {
                layers.add(hub.publishDerived(SimulcastOutputs.layerKey(key, rid), "whip-" + id + "-" + rid,
                        reason -> close(id, "revoked: " + reason)));
            }
        } catch (HubException | RuntimeException e) {
            layers.forEach(Publication::close);
            throw e;
        }
        return new SimulcastOutputs(simulcast, key, main, layers);
    }

    private static void closeQuietly(SimulcastOutputs layers) {
        if (layers != null) {
            layers.close();
        }
    }

    /**
     * The WHEP ABR ladder a simulcast publisher gives {@code key}: the layers below the one the
     * main stream carries, highest first, as renditions ({@code {stream}~{rid}}); empty when no
     * simulcast publisher feeds that stream. From memory: safe on the signaling path.
     */
    public List<Rendition> simulcastLadder(StreamKey key) {
        for (WhipSession s : sessions.all()) {
            if (s.key().equals(key)) {
                return s.simulcastLadder();
            }
        }
        return List.of();
    }

    private static String describe(NegotiatedMedia m) {
        return m.codec().rtpmapValue() + (m.hasRtx() ? " +rtx" : "") + (m.nack() ? " +nack" : "")
                + (m.remb() ? " +remb" : "");
    }

    /**
     * RFC 9725 §4.5: the token of {@code Authorization: Bearer} is the stream's auth_key (Type A),
     * as OBS and other WHIP clients send it; an {@code auth_key} in the query wins.
     */
    static String queryWithBearer(RequestContext request) {
        String query = request.rawQuery() == null ? "" : request.rawQuery();
        String authorization = request.header(HttpHeaderNames.AUTHORIZATION);
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return query;
        }
        String token = authorization.substring(7).trim();
        if (token.isEmpty() || request.query("auth_key") != null) {
            return query;
        }
        String param = "auth_key=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
        return query.isEmpty() ? param : query + "&" + param;
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private void close(String id, String reason) {
        sessions.get(id).ifPresent(s -> s.close(reason));
    }

    /**
     * A viewer of a stream a WHIP publisher feeds needs a keyframe the hub has not cached (a new
     * viewer, a viewer's PLI; already coalesced per stream): the publisher gets a PLI.
     */
    private void keyframeRequested(Stream stream, String viewerId) {
        for (WhipSession s : sessions.all()) {
            if (s.feeds(stream.key())) {
                s.requestKeyframe(stream.key(), "a viewer needs a keyframe and none is cached (" + viewerId + ")");
            }
        }
    }
}
