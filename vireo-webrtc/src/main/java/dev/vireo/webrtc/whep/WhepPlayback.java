package dev.vireo.webrtc.whep;

import dev.vireo.core.Gate;
import dev.vireo.core.HubException;
import dev.vireo.core.LogContext;
import dev.vireo.core.SlowViewerPolicy;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.Subscription;
import dev.vireo.http.routing.Reply;
import dev.vireo.http.routing.RequestContext;
import dev.vireo.http.routing.Response;
import dev.vireo.http.routing.Router;
import dev.vireo.media.Codec;
import dev.vireo.webrtc.RtcTransport;
import dev.vireo.webrtc.SessionAdmission;
import dev.vireo.webrtc.WebRtcServer;
import dev.vireo.webrtc.sdp.Answer;
import dev.vireo.webrtc.sdp.NegotiatedMedia;
import dev.vireo.webrtc.sdp.SessionDescription;
import dev.vireo.webrtc.signaling.OfferAnswer;
import dev.vireo.webrtc.signaling.SessionResources;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WHEP playback (RFC 9725, WebRTC-HTTP Egress Protocol): the HTTP resource of WebRTC viewers.
 *
 * <ul>
 *   <li>{@code POST /{app}/{stream}/whep} with an SDP offer ({@code application/sdp}): the gate
 *       decides (Host header, query with auth_key), the viewer subscribes, and the answer comes
 *       back as {@code 201 Created} with the session's {@code Location} and {@code ETag}. 415 for
 *       another content type, 400 for an offer that cannot be answered, 403 when the gate
 *       refuses, 404 when the stream is not live.</li>
 *   <li>{@code PATCH} (trickle ICE / ICE restart) and {@code DELETE} on the session: the shared
 *       {@link SessionResources}, as for WHIP.</li>
 * </ul>
 *
 * What the stream carries is {@link StreamMedia}'s; the viewer itself is a {@link WhepSession}
 * whose media runs over the {@link WebRtcServer}'s shared port.
 */
public final class WhepPlayback {

    static final String PROTOCOL = "whep";
    static final String SDP = "application/sdp";

    private static final Logger log = LoggerFactory.getLogger(WhepPlayback.class);
    /** How long an offer for an on-demand stream waits for the stream's tracks (see {@link TrackWait}). */
    private static final java.time.Duration TRACK_WAIT = java.time.Duration.ofMillis(2500);

    private final StreamHub hub;
    private final Gate gate;
    private final WebRtcServer rtc;
    private final long maxLagNanos;
    private final SecureRandom random = new SecureRandom();
    private final StreamMedia media;
    private final SessionResources<WhepSession> sessions;
    private final OfferAnswer answers;
    private final WhepMetrics metrics;
    /** Offers per address and sessions still connecting; null when every offer may go on. Set once at wiring. */
    private SessionAdmission admission;
    /** The ABR ladder below a stream; set once at wiring. */
    private BiFunction<Gate.AccessRequest, StreamKey, List<Rendition>> ladder = (a, k) -> List.of();
    /** RFC 2198 redundancy for Opus where offered ({@code rtc.red}). Set once at wiring. */
    private volatile boolean red = true;
    /**
     * ULPFEC in RED for video where offered, sent to viewers whose link loses packets. Off by
     * default: on loopback it bought nothing over NACK/RTX; to be measured on real round trips
     * first (docs/ARCHITECTURE.md, "How loss is handled").
     */
    private volatile boolean fec;

    public WhepPlayback(StreamHub hub, Gate gate, WebRtcServer rtc, MeterRegistry registry) {
        this.hub = hub;
        this.gate = gate;
        this.rtc = rtc;
        this.maxLagNanos = hub.config().slowViewerMaxLag().toNanos();
        this.media = new StreamMedia(hub);
        this.sessions = new SessionResources<>(PROTOCOL, "browser", rtc::candidates);
        this.answers = new OfferAnswer(rtc, PROTOCOL, "viewers");
        this.metrics = new WhepMetrics(registry);
        Gauge.builder("vireo.whep.sessions", sessions, SessionResources::size)
                .description("WHEP sessions").register(registry);
        Gauge.builder("vireo.webrtc.viewers.below.bitrate", sessions,
                        all -> all.all().stream().filter(WhepSession::belowSendRate).count())
                .description("WHEP viewers whose bandwidth estimate is below what their stream sends them")
                .register(registry);
    }

    /**
     * Plays the browser variant {@code rule} names instead of a stream that needs one (AAC→Opus,
     * no B-frames); the rule also sees the viewer's request (its domain may have HTML5 transcoding
     * switched off). The server wires the transcoder's rule in (this module may not import it).
     */
    public WhepPlayback withBrowserVariant(BiFunction<Gate.AccessRequest, Stream, Optional<StreamKey>> rule) {
        media.browserVariant(rule);
        return this;
    }

    /**
     * The lower renditions of a viewer's stream (its domain's ABR ladder of transcoding templates,
     * highest first; empty: no switching), from the viewer's request and the stream it asked for.
     * The server wires the control plane's ladder in.
     */
    public WhepPlayback withLadder(BiFunction<Gate.AccessRequest, StreamKey, List<Rendition>> ladder) {
        this.ladder = ladder;
        return this;
    }

    /** Advertises STUN/TURN servers to WHEP clients in every answer ({@code Link: <...>; rel="ice-server"}). */
    public WhepPlayback withIceServers(List<IceServer> servers) {
        sessions.iceServersLink(IceServer.linkHeader(List.copyOf(servers)));
        return this;
    }

    /** Admits offers through {@code a} (rate per address, a cap and timeout on unconnected sessions). */
    public WhepPlayback withAdmission(SessionAdmission a) {
        this.admission = a;
        return this;
    }

    /** Whether to answer RED for Opus where the offer has it (default on; off to compare). */
    public WhepPlayback withRed(boolean enabled) {
        this.red = enabled;
        return this;
    }

    /** Whether to answer ULPFEC for video where the offer has it (default off). */
    public WhepPlayback withFec(boolean enabled) {
        this.fec = enabled;
        return this;
    }

    public void mount(Router router) {
        router.post("/{app}/{stream}/whep", this::offer);
        sessions.mount(router);
    }

    /** Stats of a live session, if there is one with that id. */
    public Optional<WhepSessionStats> session(String id) {
        return sessions.get(id).map(WhepSession::stats);
    }

    /** Stats of every live session. */
    public List<WhepSessionStats> sessions() {
        return sessions.all().stream().map(WhepSession::stats).toList();
    }

    /** Stats of the live sessions playing {@code key} (the key they subscribed to: a browser variant's viewers are its). */
    public List<WhepSessionStats> sessions(StreamKey key) {
        return sessions.all().stream().filter(s -> s.key().equals(key)).map(WhepSession::stats).toList();
    }

    /** RTP packets resent for NACKs since start, all sessions. */
    public long retransmissions() {
        return metrics.retransmissions();
    }

    // ---- POST: offer → answer ----

    private Response admit(RequestContext request) {
        if (admission == null) {
            return null;
        }
        return switch (admission.admit(request.clientAddress())) {
            case ADMITTED -> null;
            case RATE_LIMITED -> Response.error(429, "TooManyRequests", "too many offers from this address; retry shortly")
                    .header(HttpHeaderNames.RETRY_AFTER, 1);
            case TOO_MANY_PENDING -> Response.error(503, "ServiceUnavailable",
                    "too many sessions are connecting; retry shortly").header(HttpHeaderNames.RETRY_AFTER, 1);
        };
    }

    Reply offer(RequestContext request) {
        Response notSdp = sessions.requireSdp(request);
        if (notSdp != null) {
            return notSdp;
        }
        Response refused = admit(request);
        if (refused != null) {
            return refused;
        }
        Gate.AccessRequest access = new Gate.AccessRequest(Gate.Action.PLAY, PROTOCOL, request.host(),
                request.param("app"), request.param("stream"), "", request.rawQuery(), request.clientAddress());
        StreamKey requested;
        switch (gate.admit(access)) {
            case Gate.Deny deny -> {
                return Response.denied(deny);
            }
            case Gate.Allow allow -> requested = allow.key();
        }
        SessionResources.Offer offer;
        try {
            offer = SessionResources.readOffer(request);
        } catch (SessionResources.Refused invalid) {
            return invalid.response();
        }
        // An on-demand stream (a cold edge's pull, a template) is started and its tracks awaited first.
        TrackWait wait = TrackWait.start(hub, requested, "whep-tracks-" + HexFormat.of().formatHex(randomBytes(4)),
                request.channel().eventLoop(), TRACK_WAIT);
        if (!wait.waited()) {
            return play(request, access, requested, offer);
        }
        return Reply.later(wait.ready().thenApply(v -> {
            try {
                return play(request, access, requested, offer);
            } finally {
                wait.close(); // the viewer's own subscription holds the stream now
            }
        }));
    }

    private Response play(RequestContext request, Gate.AccessRequest access, StreamKey requested,
                          SessionResources.Offer offer) {
        StreamMedia.Choice choice;
        try {
            choice = media.choose(access, requested);
        } catch (UnsupportedOperationException e) {
            return Response.error(406, "CodecNotSupported", e.getMessage());
        }
        if (choice.video() == null && choice.audio() == null) {
            return Response.error(406, "CodecNotSupported", "stream " + choice.key().path()
                    + " carries nothing WebRTC can play");
        }
        String id = HexFormat.of().formatHex(randomBytes(16));
        WhepSession session = new WhepSession(id, choice.key(), new SlowViewerPolicy(maxLagNanos), metrics,
                sessions::remove);
        RtcTransport transport;
        try {
            transport = answers.open(id, choice.key().toString(), offer, session);
        } catch (SessionResources.Refused refused) {
            return refused.response();
        }
        if (admission != null) {
            admission.opened(transport, request.clientAddress(), request.channel().eventLoop());
        }
        return OfferAnswer.closingOnFailure(transport,
                () -> answer(request, offer.sdp(), choice, session, transport, access, requested));
    }

    private Response answer(RequestContext request, SessionDescription offer, StreamMedia.Choice choice,
                            WhepSession session, RtcTransport transport, Gate.AccessRequest access,
                            StreamKey requested) {
        StreamKey key = choice.key();
        String id = session.id();
        int videoSsrc = ssrc(0, 0);
        int rtxSsrc = ssrc(videoSsrc, 0);
        int audioSsrc = ssrc(videoSsrc, rtxSsrc);
        String cname = HexFormat.of().formatHex(randomBytes(8));
        Answer answer;
        try {
            answer = answers.answer(offer, transport, builder -> {
                builder.cname(cname).red(red).fec(fec);
                if (choice.video() != null) {
                    builder.video(choice.video(), videoSsrc, rtxSsrc);
                }
                if (choice.audio() != null) {
                    builder.audio(choice.audio(), audioSsrc);
                }
                return builder.build();
            });
        } catch (SessionResources.Refused refused) {
            return refused.response();
        }
        if (choice.video() != null && answer.video().isEmpty()) {
            LogContext.run(key, id, () -> log.info("WHEP viewer {} gets no video: the stream's video is {} and the"
                    + " offer has no codec for it (or no video section it can receive on)", request.clientAddress(),
                    choice.video()));
        }
        MediaPlan plan = plan(answer, videoSsrc, rtxSsrc, audioSsrc, cname);
        session.attach(transport, plan);
        if (plan.videoCodec() == Codec.H264) {
            // ABR: the templates are H.264; the viewer's own stream stays the top of its ladder.
            session.renditions(hub, ladder.apply(access, requested).stream()
                    .filter(r -> !r.key().equals(key)).toList());
        }
        Response created = sessions.created(request, session, answer);
        Subscription subscription;
        try {
            subscription = hub.subscribe(key, session);
        } catch (HubException e) {
            // listed before subscribing (a stream ending at once must find it to remove it); a refused
            // offer is forgotten now, not when the transport's close reaches the session on its loop
            sessions.remove(session);
            transport.close("not played: " + e.getMessage());
            if (e.reason() == HubException.Reason.SOURCE_REFUSED && !key.equals(requested)) {
                // The requested stream is live, only its browser variant was refused (transcoding
                // capacity, ffmpeg missing): not a 404, which players take for "offline" (the player
                // page then stopped instead of falling back to HTTP-FLV, which plays the stream as it is)
                return Response.error(503, "ServiceUnavailable", "stream " + requested.path()
                        + " is live, but its browser variant cannot start: " + e.getMessage());
            }
            return switch (e.reason()) {
                case STREAM_NOT_FOUND, SOURCE_REFUSED -> Response.error(404, "StreamNotFound", e.getMessage());
                case SHUTTING_DOWN, STREAM_BUSY, CLUSTER_UNAVAILABLE -> Response.error(503, "ServiceUnavailable", e.getMessage());
            };
        }
        session.subscribed(subscription);
        LogContext.run(key, id, () -> log.info("WHEP offer from {} for {}: video {}, audio {}", request.clientAddress(),
                key, answer.video().map(WhepPlayback::describe).orElse("none"),
                answer.audio().map(WhepPlayback::describe).orElse("none")));
        return created;
    }

    private static String describe(NegotiatedMedia m) {
        return m.codec().rtpmapValue() + (m.hasRtx() ? " +rtx" : "") + (m.nack() ? " +nack" : "")
                + (m.hasUlpfec() ? " +red/ulpfec" : m.hasRed() ? " +red" : "");
    }

    private static MediaPlan plan(Answer answer, int videoSsrc, int rtxSsrc, int audioSsrc, String cname) {
        NegotiatedMedia v = answer.video().orElse(null);
        NegotiatedMedia a = answer.audio().orElse(null);
        NegotiatedMedia any = v != null ? v : a;
        return new MediaPlan(v == null ? -1 : v.payloadType(), v == null ? -1 : v.rtxPayloadType(),
                v != null && v.nack(), a == null ? -1 : a.payloadType(), any.absSendTimeId(), any.transportCcId(),
                videoSsrc, rtxSsrc, audioSsrc, cname, v == null ? null : v.codec().is("AV1") ? Codec.AV1 : Codec.H264,
                a == null ? -1 : a.redPayloadType(), v == null || !v.hasUlpfec() ? -1 : v.redPayloadType(),
                v == null || !v.hasUlpfec() ? -1 : v.ulpfecPayloadType(), a != null && a.nack());
    }

    private int ssrc(int notA, int notB) {
        while (true) {
            int s = random.nextInt();
            if (s != 0 && s != notA && s != notB) {
                return s;
            }
        }
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
