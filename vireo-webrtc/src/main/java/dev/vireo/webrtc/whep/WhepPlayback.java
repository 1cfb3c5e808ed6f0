package dev.vireo.webrtc.whep;

import dev.vireo.core.Gate;
import dev.vireo.core.HubException;
import dev.vireo.core.LogContext;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.SlowViewerPolicy;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.StreamStats;
import dev.vireo.core.Subscription;
import dev.vireo.http.Reply;
import dev.vireo.http.RequestContext;
import dev.vireo.http.Response;
import dev.vireo.http.Router;
import dev.vireo.media.Codec;
import dev.vireo.media.MediaFormatException;
import dev.vireo.media.av1.Av1CodecConfigurationRecord;
import dev.vireo.media.avc.AvcDecoderConfigurationRecord;
import dev.vireo.media.opus.OpusHead;
import dev.vireo.webrtc.RtcTransport;
import dev.vireo.webrtc.SessionAdmission;
import dev.vireo.webrtc.SessionLimitException;
import dev.vireo.webrtc.WebRtcServer;
import dev.vireo.webrtc.dtls.CertificateFingerprint;
import dev.vireo.webrtc.ice.IceCredentials;
import dev.vireo.webrtc.sdp.Answer;
import dev.vireo.webrtc.sdp.AnswerBuilder;
import dev.vireo.webrtc.sdp.H264ProfileLevelId;
import dev.vireo.webrtc.sdp.MediaDescription;
import dev.vireo.webrtc.sdp.MediaSource;
import dev.vireo.webrtc.sdp.NegotiatedMedia;
import dev.vireo.webrtc.sdp.SdpException;
import dev.vireo.webrtc.sdp.SessionDescription;
import dev.vireo.webrtc.signaling.IcePatch;
import dev.vireo.webrtc.signaling.TrickleIceFragment;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.stream.LongStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WHEP playback (RFC 9725, WebRTC-HTTP Egress Protocol): the HTTP side of a WebRTC viewer.
 *
 * <ul>
 *   <li>{@code POST /{app}/{stream}/whep} with an SDP offer ({@code application/sdp}): the gate
 *       decides (Host header, query with auth_key), the viewer subscribes, and the answer comes
 *       back as {@code 201 Created} with the session's {@code Location} and {@code ETag}. 415 for
 *       another content type, 400 for an offer that cannot be answered, 403 when the gate
 *       refuses, 404 when the stream is not live.</li>
 *   <li>{@code PATCH} on the session with {@code application/trickle-ice-sdpfrag}: trickled
 *       candidates are accepted (204; an ICE-lite server learns the browser's addresses from its
 *       checks), new ICE credentials restart ICE (200 with the server's new fragment).</li>
 *   <li>{@code DELETE} on the session ends it (200).</li>
 * </ul>
 *
 * The media runs over the {@link WebRtcServer}'s shared UDP port.
 */
public final class WhepPlayback {

    static final String PROTOCOL = "whep";
    static final String SDP = "application/sdp";

    private static final Logger log = LoggerFactory.getLogger(WhepPlayback.class);
    /** The source assumed for a stream whose video is not known yet (on-demand, just starting). */
    private static final MediaSource DEFAULT_VIDEO = new MediaSource.H264(H264ProfileLevelId.parse("64001f"));
    /** AV1 before its av1C is known: Main profile, what every WebRTC AV1 decoder takes. */
    private static final MediaSource DEFAULT_AV1 = new MediaSource.Av1(0);

    private final StreamHub hub;
    private final Gate gate;
    private final WebRtcServer rtc;
    private final long maxLagNanos;
    private final SecureRandom random = new SecureRandom();
    private final ConcurrentHashMap<String, Entry> sessions = new ConcurrentHashMap<>();
    private final Counter retransmissions;
    private final Counter nacked;
    private final Counter keyframeRequests;
    private final WhepSession.Metrics metrics;

    /**
     * A session, what PATCH needs to know about it, and the app and stream its {@code Location}
     * names (those of the request: a session that plays a browser variant plays another key).
     */
    private record Entry(WhepSession session, IcePatch ice, String app, String stream) {
    }

    /**
     * Chooses the browser variant of a stream (AAC→Opus, no B-frames) when the stream needs one;
     * the server wires the transcoder's rule in (this module may not import it).
     */
    private volatile BiFunction<Gate.AccessRequest, Stream, Optional<StreamKey>> browserVariant =
            (r, s) -> Optional.empty();

    /**
     * Plays the browser variant {@code rule} names instead of a stream that needs one; the rule
     * also sees the viewer's request (its domain may have HTML5 transcoding switched off).
     */
    public WhepPlayback withBrowserVariant(BiFunction<Gate.AccessRequest, Stream, Optional<StreamKey>> rule) {
        this.browserVariant = rule;
        return this;
    }

    /** What a viewer refused at the session cap is told to wait before trying again. */
    private static final int RETRY_AFTER_SECONDS = 5;
    private volatile long lastLimitLogNanos = System.nanoTime() - 2_000_000_000L;

    /** The {@code Link} header value advertising the configured STUN/TURN servers, or null. */
    private volatile String iceServersLink;

    /** Advertises STUN/TURN servers to WHEP clients in every answer ({@code Link: <...>; rel="ice-server"}). */
    public WhepPlayback withIceServers(List<IceServer> servers) {
        this.iceServersLink = IceServer.linkHeader(List.copyOf(servers));
        return this;
    }

    /** Bucket bounds (µs) of the egress delay histogram: fine around the 5 ms the fan-out aims at. */
    private static final Duration[] EGRESS_DELAY_BUCKETS = LongStream.of(
            100, 250, 500, 1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 8_000, 10_000, 15_000, 20_000, 30_000, 50_000,
            100_000, 250_000, 500_000, 1_000_000).mapToObj(micros -> Duration.ofNanos(micros * 1_000))
            .toArray(Duration[]::new);

    public WhepPlayback(StreamHub hub, Gate gate, WebRtcServer rtc, MeterRegistry registry) {
        this.hub = hub;
        this.gate = gate;
        this.rtc = rtc;
        this.maxLagNanos = hub.config().slowViewerMaxLag().toNanos();
        Counter bytesOut = Counter.builder("vireo.egress.bytes").baseUnit("bytes").tag("protocol", PROTOCOL)
                .description("media bytes sent to viewers").register(registry);
        Counter dropped = Counter.builder("vireo.viewers.dropped").tag("protocol", PROTOCOL)
                .description("viewers disconnected for being too slow").register(registry);
        retransmissions = Counter.builder("vireo.webrtc.retransmissions")
                .description("RTP packets resent for NACKs").register(registry);
        nacked = Counter.builder("vireo.webrtc.nacked")
                .description("sequence numbers WebRTC viewers reported lost").register(registry);
        keyframeRequests = Counter.builder("vireo.webrtc.keyframe.requests")
                .description("PLI and FIR received from WebRTC viewers").register(registry);
        Gauge.builder("vireo.whep.sessions", sessions, ConcurrentHashMap::size)
                .description("WHEP sessions").register(registry);
        // Server-added latency: from a frame's arrival (its ingest) to its packets queued on the
        // media socket for one viewer; a histogram so that percentiles can be taken over any window.
        Timer egressDelay = Timer.builder("vireo.webrtc.egress.delay")
                .description("live frame arrival to its RTP packets queued for a WHEP viewer")
                .serviceLevelObjectives(EGRESS_DELAY_BUCKETS).register(registry);
        metrics = new WhepSession.Metrics(n -> bytesOut.increment(n), retransmissions::increment,
                n -> nacked.increment(n), keyframeRequests::increment, dropped::increment,
                nanos -> egressDelay.record(nanos, TimeUnit.NANOSECONDS));
    }

    public void mount(Router router) {
        router.post("/{app}/{stream}/whep", this::offer);
        router.patch("/{app}/{stream}/whep/{session}", this::patch);
        router.delete("/{app}/{stream}/whep/{session}", this::delete);
    }

    /** Stats of a live session, if there is one with that id. */
    public Optional<WhepSessionStats> session(String id) {
        Entry e = sessions.get(id);
        return e == null ? Optional.empty() : Optional.of(e.session.stats());
    }

    /** Stats of every live session. */
    public List<WhepSessionStats> sessions() {
        List<WhepSessionStats> out = new ArrayList<>();
        for (Entry e : sessions.values()) {
            out.add(e.session.stats());
        }
        return out;
    }

    /** RTP packets resent for NACKs since start, all sessions. */
    public long retransmissions() {
        return (long) retransmissions.count();
    }

    // ---- POST: offer → answer ----

    /**
     * Offers per address and sessions still connecting ({@link SessionAdmission}); null when
     * every offer may go on. Set once at wiring.
     */
    private SessionAdmission admission;

    /** Admits offers through {@code a} (rate per address, a cap and timeout on unconnected sessions). */
    public WhepPlayback withAdmission(SessionAdmission a) {
        this.admission = a;
        return this;
    }

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
        if (!IcePatch.hasContentType(request, SDP)) {
            return Response.error(415, "UnsupportedMediaType", "a WHEP offer must be sent as Content-Type: " + SDP)
                    .header("Accept-Post", SDP);
        }
        Response refused = admit(request);
        if (refused != null) {
            return refused;
        }
        String app = request.param("app");
        String name = request.param("stream");
        StreamKey key;
        Gate.AccessRequest access = new Gate.AccessRequest(Gate.Action.PLAY, PROTOCOL, request.host(), app, name, "",
                request.rawQuery(), request.clientAddress());
        switch (gate.admit(access)) {
            case Gate.Deny deny -> {
                return Response.denied(deny);
            }
            case Gate.Allow allow -> key = allow.key();
        }
        SessionDescription offer;
        List<CertificateFingerprint> fingerprints;
        try {
            offer = SessionDescription.parse(request.bodyAsString());
            fingerprints = fingerprints(offer);
        } catch (SdpException | IllegalArgumentException e) {
            return Response.error(400, "InvalidOffer", "the offer is not valid SDP: " + e.getMessage());
        }
        if (fingerprints.isEmpty()) {
            return Response.error(400, "InvalidOffer", "the offer has no a=fingerprint");
        }
        Optional<Stream> stream = hub.find(key);
        Optional<Stream> videoFrom = stream;
        Optional<StreamKey> variant = stream.flatMap(s -> browserVariant.apply(access, s));
        boolean variantAudio = false;
        if (variant.isPresent()) {
            // HTML5 auto transcoding: the browser gets the shared variant (Opus audio, H.264
            // without B-frames), produced on demand. Until it has published, its video is the
            // source's when the video is copied (no B-frames), else the transcoder's H.264.
            Stream source = stream.get();
            StreamStats sourceStats = source.stats();
            log.info("WHEP viewers of {} play the browser variant {} (audio {}, B-frames {})", key, variant.get(),
                    sourceStats.audioCodec(), sourceStats.bFrames());
            key = variant.get();
            stream = hub.find(key);
            videoFrom = stream.isPresent() || sourceStats.bFrames() ? stream : Optional.of(source);
            // The variant's audio is Opus whenever the source has audio: answer it from what the
            // variant will carry, not from its job's start-up state (audio not yet known).
            variantAudio = sourceStats.audioCodec() != null || source.hasAudio();
        }
        MediaSource video;
        MediaSource audio;
        try {
            video = videoSource(videoFrom);
            audio = variantAudio ? new MediaSource.Opus(2) : audioSource(stream, key);
        } catch (UnsupportedOperationException e) {
            return Response.error(406, "CodecNotSupported", e.getMessage());
        }
        if (video == null && audio == null) {
            return Response.error(406, "CodecNotSupported", "stream " + key.path() + " carries nothing WebRTC can play");
        }

        String id = HexFormat.of().formatHex(randomBytes(16));
        int videoSsrc = ssrc(0, 0);
        int rtxSsrc = ssrc(videoSsrc, 0);
        int audioSsrc = ssrc(videoSsrc, rtxSsrc);
        String cname = HexFormat.of().formatHex(randomBytes(8));
        WhepSession session = new WhepSession(id, key, new SlowViewerPolicy(maxLagNanos), metrics, this::forget);
        RtcTransport transport;
        try {
            transport = rtc.open(id, key.toString(), fingerprints, session);
        } catch (SessionLimitException e) {
            long now = System.nanoTime();
            if (now - lastLimitLogNanos > 1_000_000_000L) { // at most once a second under a stampede
                lastLimitLogNanos = now;
                log.warn("refusing WHEP viewers: {} (VIREO_RTC_MAX_SESSIONS)", e.getMessage());
            }
            return Response.error(503, "ServiceUnavailable", e.getMessage())
                    .header(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
        } catch (IllegalStateException e) {
            return Response.error(503, "ServiceUnavailable", e.getMessage());
        }
        if (admission != null) {
            admission.opened(transport, request.clientAddress(), request.channel().eventLoop());
        }
        try {
            return answer(request, key, offer, session, transport, video, audio, videoSsrc, rtxSsrc, audioSsrc, cname,
                    app, name);
        } catch (RuntimeException e) {
            transport.close("failed to answer: " + e);
            throw e;
        }
    }

    private Response answer(RequestContext request, StreamKey key, SessionDescription offer, WhepSession session,
                            RtcTransport transport, MediaSource video, MediaSource audio, int videoSsrc, int rtxSsrc,
                            int audioSsrc, String cname, String app, String name) {
        String id = session.id();
        IceCredentials ice = transport.localCredentials();
        Answer answer;
        try {
            AnswerBuilder builder = new AnswerBuilder(offer)
                    .iceCredentials(ice.ufrag(), ice.pwd())
                    .fingerprint(rtc.fingerprint())
                    .candidates(rtc.candidates())
                    .cname(cname);
            if (video != null) {
                builder.video(video, videoSsrc, rtxSsrc);
            }
            if (audio != null) {
                builder.audio(audio, audioSsrc);
            }
            answer = builder.build();
        } catch (SdpException e) {
            transport.close("the offer cannot be answered");
            return Response.error(400, "InvalidOffer", e.getMessage());
        }
        if (answer.dtlsClient()) {
            transport.close("the offer wants the server to be the DTLS client");
            return Response.error(400, "InvalidOffer", "the offer must be a=setup:actpass or active (the server is"
                    + " the DTLS server)");
        }
        if (video != null && answer.video().isEmpty()) {
            inContext(key, id, () -> log.info("WHEP viewer {} gets no video: the stream's video is {} and the offer"
                    + " has no codec for it (or no video section it can receive on)", request.clientAddress(), video));
        }
        MediaPlan plan = plan(answer, videoSsrc, rtxSsrc, audioSsrc, cname);
        session.attach(transport, plan);
        Entry entry = new Entry(session, new IcePatch(answer, ice), app, name);
        sessions.put(id, entry);
        Subscription subscription;
        try {
            subscription = hub.subscribe(key, session);
        } catch (HubException e) {
            transport.close("not played: " + e.getMessage());
            return switch (e.reason()) {
                case STREAM_NOT_FOUND, SOURCE_REFUSED -> Response.error(404, "StreamNotFound", e.getMessage());
                case SHUTTING_DOWN, STREAM_BUSY, CLUSTER_UNAVAILABLE -> Response.error(503, "ServiceUnavailable", e.getMessage());
            };
        }
        session.subscribed(subscription);
        inContext(key, id, () -> log.info("WHEP offer from {} for {}: video {}, audio {}", request.clientAddress(),
                key, answer.video().map(WhepPlayback::describe).orElse("none"),
                answer.audio().map(WhepPlayback::describe).orElse("none")));
        Response created = Response.text(201, SDP, answer.sdp())
                .header(HttpHeaderNames.LOCATION, request.path() + "/" + id)
                .header(HttpHeaderNames.ETAG, entry.ice().etag())
                .header("Accept-Patch", TrickleIceFragment.MEDIA_TYPE)
                .header(HttpHeaderNames.CACHE_CONTROL, "no-store");
        String link = iceServersLink;
        return link == null ? created : created.header("Link", link);
    }

    private static String describe(NegotiatedMedia m) {
        return m.codec().rtpmapValue() + (m.hasRtx() ? " +rtx" : "") + (m.nack() ? " +nack" : "");
    }

    /** Every distinct a=fingerprint of the offer (session level and per section). */
    private static List<CertificateFingerprint> fingerprints(SessionDescription offer) {
        Set<CertificateFingerprint> out = new LinkedHashSet<>();
        for (MediaDescription m : offer.media()) {
            offer.fingerprint(m).ifPresent(out::add);
        }
        offer.attribute("fingerprint").ifPresent(v -> out.add(CertificateFingerprint.parse(v)));
        return List.copyOf(out);
    }

    /** The stream's video as negotiation needs it; null when the stream has no video. */
    private static MediaSource videoSource(Optional<Stream> stream) {
        if (stream.isEmpty()) {
            return DEFAULT_VIDEO; // produced on demand: the browser variant is H.264
        }
        MediaFrame config = stream.get().videoConfig();
        if (config == null) {
            String codec = stream.get().stats().videoCodec();
            if (codec == null) {
                // Nothing seen yet: a stream that has not sent anything yet is assumed to be video.
                return stream.get().hasAudio() ? null : DEFAULT_VIDEO;
            }
            return requireSupported(codec) == Codec.AV1 ? DEFAULT_AV1 : DEFAULT_VIDEO;
        }
        try {
            return switch (requireSupported(config.codec().name())) {
                case AV1 -> MediaSource.av1(Av1CodecConfigurationRecord.parse(config.payload().duplicate()));
                default -> MediaSource.h264(AvcDecoderConfigurationRecord.parse(config.payload().duplicate()));
            };
        } catch (MediaFormatException e) {
            return config.codec() == Codec.AV1 ? DEFAULT_AV1 : DEFAULT_VIDEO;
        } finally {
            config.release();
        }
    }

    /** The video codec if WHEP carries it (H.264, AV1). */
    private static Codec requireSupported(String codec) {
        if (codec.equals(Codec.H264.name()) || codec.equals(Codec.AV1.name())) {
            return Codec.valueOf(codec);
        }
        throw new UnsupportedOperationException("the stream's video is " + codec
                + "; WHEP playback carries H.264 and AV1 only");
    }

    /** The stream's audio if WebRTC can carry it (Opus), else null (and the log says why). */
    private static MediaSource audioSource(Optional<Stream> stream, StreamKey key) {
        if (stream.isEmpty()) {
            return new MediaSource.Opus(2); // produced on demand: the browser variant has Opus
        }
        MediaFrame config = stream.get().audioConfig();
        String codec = config != null ? config.codec().name() : stream.get().stats().audioCodec();
        try {
            if (codec == null) {
                return null;
            }
            if (!codec.equals(Codec.OPUS.name())) {
                log.info("WHEP viewers of {} get video only: the audio is {} and WebRTC carries Opus", key, codec);
                return null;
            }
            int channels = 2;
            if (config != null && config.payload().isReadable()) {
                try {
                    channels = OpusHead.parse(config.payload().duplicate()).channels();
                } catch (MediaFormatException e) {
                    channels = 2;
                }
            }
            return new MediaSource.Opus(Math.max(1, Math.min(2, channels)));
        } finally {
            if (config != null) {
                config.release();
            }
        }
    }

    private static MediaPlan plan(Answer answer, int videoSsrc, int rtxSsrc, int audioSsrc, String cname) {
        NegotiatedMedia v = answer.video().orElse(null);
        NegotiatedMedia a = answer.audio().orElse(null);
        NegotiatedMedia any = v != null ? v : a;
        return new MediaPlan(v == null ? -1 : v.payloadType(), v == null ? -1 : v.rtxPayloadType(),
                v != null && v.nack(), a == null ? -1 : a.payloadType(), any.absSendTimeId(), any.transportCcId(),
                videoSsrc, rtxSsrc, audioSsrc, cname, v == null ? null : v.codec().is("AV1") ? Codec.AV1 : Codec.H264);
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

    // ---- PATCH: trickle / ICE restart ----

    Reply patch(RequestContext request) {
        Entry entry = find(request);
        if (entry == null) {
            return Response.error(404, "SessionNotFound", "no such WHEP session");
        }
        WhepSession s = entry.session();
        return entry.ice().patch(request, s.transport(), rtc.candidates(),
                () -> inContext(s.key(), s.id(), () -> log.info("ICE restart requested by the browser")));
    }

    // ---- DELETE ----

    Reply delete(RequestContext request) {
        Entry entry = find(request);
        if (entry == null) {
            return Response.error(404, "SessionNotFound", "no such WHEP session");
        }
        entry.session().close("the client deleted the session");
        return Response.of(200);
    }

    /** The session named by the URL, when its Location is that URL (also for a variant-backed session). */
    private Entry find(RequestContext request) {
        Entry entry = sessions.get(request.param("session"));
        if (entry == null) {
            return null;
        }
        return entry.app().equals(request.param("app")) && entry.stream().equals(request.param("stream")) ? entry : null;
    }

    private void forget(WhepSession session) {
        sessions.remove(session.id());
    }

    private static void inContext(StreamKey key, String sessionId, Runnable logStatement) {
        LogContext.run(key, sessionId, logStatement);
    }
}
