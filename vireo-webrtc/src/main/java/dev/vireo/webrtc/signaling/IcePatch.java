package dev.vireo.webrtc.signaling;

import dev.vireo.http.routing.RequestContext;
import dev.vireo.http.routing.Response;
import dev.vireo.webrtc.RtcTransport;
import dev.vireo.webrtc.ice.IceCredentials;
import dev.vireo.webrtc.sdp.Answer;
import dev.vireo.webrtc.sdp.NegotiatedMedia;
import dev.vireo.webrtc.sdp.SdpCandidate;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.List;
import java.util.Locale;

/**
 * The ICE side of a WHIP or WHEP session resource (RFC 9725 §4.3): its {@code ETag} and
 * {@code PATCH} with a trickle ICE fragment (RFC 8840) — trickled candidates are accepted (an
 * ICE-lite server learns the client's addresses from its checks), new ICE credentials restart ICE
 * and get the server's new credentials and candidates. One per session; thread-safe enough for
 * HTTP requests on any loop (the fields are volatile, a client PATCHes one at a time).
 */
public final class IcePatch {

    private final String restartMediaLines;
    private volatile String remoteUfrag;
    private volatile String etag;

    /** For a session answered with {@code answer} whose transport has {@code local} credentials. */
    public IcePatch(Answer answer, IceCredentials local) {
        this.restartMediaLines = restartMediaLines(answer);
        this.remoteUfrag = answer.remoteUfrag();
        this.etag = etag(local);
    }

    /** RFC 9725 §4.3.1: the ETag names the ICE session; it changes with an ICE restart. */
    public String etag() {
        return etag;
    }

    /**
     * Answers a PATCH on the session.
     *
     * @param onRestart runs (for a log line) when the client restarts ICE
     */
    public Response patch(RequestContext request, RtcTransport transport, List<SdpCandidate> candidates,
                          Runnable onRestart) {
        if (!hasContentType(request, TrickleIceFragment.MEDIA_TYPE)) {
            return Response.error(415, "UnsupportedMediaType", "PATCH a session with Content-Type: "
                    + TrickleIceFragment.MEDIA_TYPE).header("Accept-Patch", TrickleIceFragment.MEDIA_TYPE);
        }
        String ifMatch = request.header(HttpHeaderNames.IF_MATCH);
        if (ifMatch != null && !ifMatch.trim().equals("*") && !ifMatch.trim().equals(etag)) {
            // RFC 9725 §4.3.1: the client's view of the ICE session is outdated.
            return Response.error(412, "PreconditionFailed", "the ETag does not match the current ICE session");
        }
        TrickleIceFragment fragment;
        try {
            fragment = TrickleIceFragment.parse(request.bodyAsString());
        } catch (IllegalArgumentException e) {
            return Response.error(400, "InvalidFragment", e.getMessage());
        }
        if (fragment.ufrag() == null || fragment.ufrag().equals(remoteUfrag)) {
            // Trickled candidates: an ICE-lite agent never checks towards them (RFC 8445 §2.5).
            return Response.of(204).header(HttpHeaderNames.ETAG, etag);
        }
        // RFC 9725 §4.3.2: an ICE restart; answer with our new credentials and candidates.
        IceCredentials fresh = transport.restartIce();
        remoteUfrag = fragment.ufrag();
        etag = etag(fresh);
        StringBuilder body = new StringBuilder(256);
        body.append("a=ice-lite\r\n")
                .append("a=ice-ufrag:").append(fresh.ufrag()).append("\r\n")
                .append("a=ice-pwd:").append(fresh.pwd()).append("\r\n")
                .append(restartMediaLines);
        for (SdpCandidate c : candidates) {
            body.append("a=candidate:").append(c.sdpValue()).append("\r\n");
        }
        body.append("a=end-of-candidates\r\n");
        onRestart.run();
        return Response.text(200, TrickleIceFragment.MEDIA_TYPE, body.toString()).header(HttpHeaderNames.ETAG, etag);
    }

    private static String etag(IceCredentials local) {
        return "\"" + local.ufrag() + "\"";
    }

    /** The media section lines of an ICE restart answer fragment (RFC 8840 §9): the BUNDLE transport's. */
    private static String restartMediaLines(Answer answer) {
        NegotiatedMedia first = answer.video().or(answer::audio).orElseThrow();
        if (!answer.bundle().isEmpty()) {
            String mid = answer.bundle().getFirst();
            first = answer.video().filter(m -> m.mid().equals(mid))
                    .or(() -> answer.audio().filter(m -> m.mid().equals(mid))).orElse(first);
        }
        String bundle = answer.bundle().isEmpty() ? "" : "a=group:BUNDLE " + String.join(" ", answer.bundle()) + "\r\n";
        return bundle + "m=" + first.kind() + " 9 UDP/TLS/RTP/SAVPF " + first.payloadType() + "\r\n"
                + "a=mid:" + first.mid() + "\r\n";
    }

    /** Whether the request's Content-Type (without parameters) is {@code expected}. */
    public static boolean hasContentType(RequestContext request, String expected) {
        String type = request.header(HttpHeaderNames.CONTENT_TYPE);
        if (type == null) {
            return false;
        }
        int semicolon = type.indexOf(';');
        String base = (semicolon < 0 ? type : type.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
        return base.equals(expected);
    }
}
