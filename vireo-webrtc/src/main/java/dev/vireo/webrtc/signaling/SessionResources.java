package dev.vireo.webrtc.signaling;

import dev.vireo.core.LogContext;
import dev.vireo.core.StreamKey;
import dev.vireo.http.routing.Reply;
import dev.vireo.http.routing.RequestContext;
import dev.vireo.http.routing.Response;
import dev.vireo.http.routing.Router;
import dev.vireo.webrtc.RtcTransport;
import dev.vireo.webrtc.dtls.CertificateFingerprint;
import dev.vireo.webrtc.sdp.Answer;
import dev.vireo.webrtc.sdp.MediaDescription;
import dev.vireo.webrtc.sdp.SdpCandidate;
import dev.vireo.webrtc.sdp.SdpException;
import dev.vireo.webrtc.sdp.SessionDescription;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session resources of one WebRTC-over-HTTP protocol (WHEP or WHIP, RFC 9725 §4): the
 * registry of live sessions by id, and what both protocols do the same way on a session's
 * {@code Location} — {@code PATCH} (trickle ICE / ICE restart, {@link IcePatch}) and
 * {@code DELETE} (ends the session) — plus the {@code 201 Created} of a new one. A session is
 * found only under the {@code /{app}/{stream}} its {@code Location} names (for a WHEP viewer of a
 * browser variant, the stream it asked for, not the variant it plays).
 *
 * @param <S> the protocol's session
 */
public final class SessionResources<S extends SessionResources.Resource> {

    private static final Logger log = LoggerFactory.getLogger(SessionResources.class);
    private static final String SDP = "application/sdp";

    /** What the registry needs of a session: the listener of its transport. */
    public interface Resource extends RtcTransport.Listener {

        String id();

        /** The stream it plays or publishes (for logs). */
        StreamKey key();

        /** Its transport, null before the offer was answered. */
        RtcTransport transport();

        /** Ends the session (any thread): the transport closes, then {@code onClosed} cleans up. */
        default void close(String reason) {
            RtcTransport t = transport();
            if (t != null) {
                t.close(reason);
            } else {
                onClosed(reason);
            }
        }
    }

    /** A parsed offer and the certificate fingerprints the DTLS handshake must pin. */
    public record Offer(SessionDescription sdp, List<CertificateFingerprint> fingerprints) {
    }

    /** An offer refused, with the response that says why. */
    public static final class Refused extends Exception {

        private final transient Response response;

        Refused(Response response) {
            super(null, null, false, false);
            this.response = response;
        }

        public Response response() {
            return response;
        }
    }

    private record Entry<S>(S session, IcePatch ice, String app, String stream) {
    }

    private final String protocol;
    private final String peer;
    private final Supplier<List<SdpCandidate>> candidates;
    private final ConcurrentHashMap<String, Entry<S>> entries = new ConcurrentHashMap<>();
    private volatile String iceServersLink;

    /**
     * @param protocol the path segment and name: {@code whep} or {@code whip}
     * @param peer who is on the other side, for logs ("browser", "publisher")
     * @param candidates what an ICE restart answer advertises
     */
    public SessionResources(String protocol, String peer, Supplier<List<SdpCandidate>> candidates) {
        this.protocol = protocol;
        this.peer = peer;
        this.candidates = candidates;
    }

    /** Advertises STUN/TURN servers in every answer ({@code Link: <...>; rel="ice-server"}, RFC 9725 §4.6). */
    public void iceServersLink(String link) {
        this.iceServersLink = link;
    }

    /** Routes PATCH and DELETE on {@code /{app}/{stream}/<protocol>/{session}}. */
    public void mount(Router router) {
        router.patch("/{app}/{stream}/" + protocol + "/{session}", this::patch);
        router.delete("/{app}/{stream}/" + protocol + "/{session}", this::delete);
    }

    /**
     * Registers an answered session (its transport set) and builds its {@code 201 Created}: the
     * answer, its {@code Location} (the request path + the id), {@code ETag}, {@code Accept-Patch},
     * and the ICE servers' {@code Link} when configured.
     */
    public Response created(RequestContext request, S session, Answer answer) {
        IcePatch ice = new IcePatch(answer, session.transport().localCredentials());
        entries.put(session.id(), new Entry<>(session, ice, request.param("app"), request.param("stream")));
        Response created = Response.text(201, SDP, answer.sdp())
                .header(HttpHeaderNames.LOCATION, request.path() + "/" + session.id())
                .header(HttpHeaderNames.ETAG, ice.etag())
                .header("Accept-Patch", TrickleIceFragment.MEDIA_TYPE)
                .header(HttpHeaderNames.CACHE_CONTROL, "no-store");
        String link = iceServersLink;
        return link == null ? created : created.header("Link", link);
    }

    /** Forgets a session that ended. */
    public void remove(S session) {
        entries.remove(session.id());
    }

    public Optional<S> get(String id) {
        Entry<S> e = entries.get(id);
        return e == null ? Optional.empty() : Optional.of(e.session());
    }

    /** Every live session. */
    public List<S> all() {
        List<S> out = new ArrayList<>(entries.size());
        for (Entry<S> e : entries.values()) {
            out.add(e.session());
        }
        return out;
    }

    public int size() {
        return entries.size();
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    Reply patch(RequestContext request) {
        Entry<S> entry = find(request);
        if (entry == null) {
            return notFound();
        }
        S s = entry.session();
        return entry.ice().patch(request, s.transport(), candidates.get(),
                () -> LogContext.run(s.key(), s.id(), () -> log.info("ICE restart requested by the {}", peer)));
    }

    Reply delete(RequestContext request) {
        Entry<S> entry = find(request);
        if (entry == null) {
            return notFound();
        }
        entry.session().close("the " + peer + " deleted the session");
        return Response.of(200);
    }

    private Response notFound() {
        return Response.error(404, "SessionNotFound", "no such " + protocol.toUpperCase(java.util.Locale.ROOT)
                + " session");
    }

    /** The session named by the URL, when its Location is that URL. */
    private Entry<S> find(RequestContext request) {
        Entry<S> entry = entries.get(request.param("session"));
        if (entry == null) {
            return null;
        }
        return entry.app().equals(request.param("app")) && entry.stream().equals(request.param("stream")) ? entry : null;
    }

    /** 415 unless the request carries {@code application/sdp} (RFC 9725 §4.2), else null. */
    public Response requireSdp(RequestContext request) {
        if (IcePatch.hasContentType(request, SDP)) {
            return null;
        }
        return Response.error(415, "UnsupportedMediaType", "a " + protocol.toUpperCase(java.util.Locale.ROOT)
                + " offer must be sent as Content-Type: " + SDP).header("Accept-Post", SDP);
    }

    /**
     * Parses the request's SDP offer (with its size and count limits) and its fingerprints.
     *
     * @throws Refused 400 when it does not parse or names no certificate fingerprint
     */
    public static Offer readOffer(RequestContext request) throws Refused {
        SessionDescription sdp;
        List<CertificateFingerprint> fingerprints;
        try {
            sdp = SessionDescription.parse(request.bodyAsString());
            fingerprints = fingerprints(sdp);
        } catch (SdpException | IllegalArgumentException e) {
            throw new Refused(Response.error(400, "InvalidOffer", "the offer is not valid SDP: " + e.getMessage()));
        }
        if (fingerprints.isEmpty()) {
            throw new Refused(Response.error(400, "InvalidOffer", "the offer has no a=fingerprint"));
        }
        return new Offer(sdp, fingerprints);
    }

    /** Every distinct a=fingerprint of an offer (session level and per section). */
    public static List<CertificateFingerprint> fingerprints(SessionDescription offer) {
        Set<CertificateFingerprint> out = new LinkedHashSet<>();
        for (MediaDescription m : offer.media()) {
            offer.fingerprint(m).ifPresent(out::add);
        }
        offer.attribute("fingerprint").ifPresent(v -> out.add(CertificateFingerprint.parse(v)));
        return List.copyOf(out);
    }
}
