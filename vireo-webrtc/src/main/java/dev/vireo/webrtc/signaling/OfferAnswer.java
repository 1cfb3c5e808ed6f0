package dev.vireo.webrtc.signaling;

import dev.vireo.http.routing.Response;
import dev.vireo.webrtc.RtcTransport;
import dev.vireo.webrtc.SessionLimitException;
import dev.vireo.webrtc.WebRtcServer;
import dev.vireo.webrtc.ice.IceCredentials;
import dev.vireo.webrtc.sdp.Answer;
import dev.vireo.webrtc.sdp.AnswerBuilder;
import dev.vireo.webrtc.sdp.SdpException;
import dev.vireo.webrtc.sdp.SessionDescription;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.Locale;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part of a WHEP or WHIP {@code POST} (RFC 9725 §4.2) both protocols do the same way once
 * they have decided to take the offer: open the session's transport on the {@link WebRtcServer}'s
 * shared port, and answer the offer on it — the transport's ICE credentials, the server's
 * certificate fingerprint and candidates, then what the protocol sends or receives. An offer
 * refused here gets its response in {@link SessionResources.Refused}: 503 when the server cannot
 * take a session ({@code Retry-After} at the session cap), 400 when the offer cannot be answered
 * or wants the server to be the DTLS client (RFC 5763 §5: the server is always the DTLS server);
 * the transport is closed then. Thread-safe.
 */
public final class OfferAnswer {

    private static final Logger log = LoggerFactory.getLogger(OfferAnswer.class);
    /** What an offer refused at the session cap is told to wait before trying again. */
    private static final int RETRY_AFTER_SECONDS = 5;

    /** What the protocol puts into the answer (its media and direction), then builds it. */
    @FunctionalInterface
    public interface Media {
        Answer build(AnswerBuilder builder) throws SdpException;
    }

    private final WebRtcServer rtc;
    private final String protocol;
    private final String peers;
    private volatile long lastLimitLogNanos = System.nanoTime() - 2_000_000_000L;

    /**
     * @param protocol {@code whep} or {@code whip}, for logs
     * @param peers who is refused at the cap, for logs ("viewers", "publishers")
     */
    public OfferAnswer(WebRtcServer rtc, String protocol, String peers) {
        this.rtc = rtc;
        this.protocol = protocol.toUpperCase(Locale.ROOT);
        this.peers = peers;
    }

    /**
     * Opens the transport of a new session.
     *
     * @param label the stream, for the transport's logs
     * @throws SessionResources.Refused 503 when the port has its limit of sessions (with
     *     {@code Retry-After}; logged at most once a second) or the server does not run
     */
    public RtcTransport open(String id, String label, SessionResources.Offer offer, RtcTransport.Listener session)
            throws SessionResources.Refused {
        try {
            return rtc.open(id, label, offer.fingerprints(), session);
        } catch (SessionLimitException e) {
            long now = System.nanoTime();
            if (now - lastLimitLogNanos > 1_000_000_000L) { // at most once a second under a stampede
                lastLimitLogNanos = now;
                log.warn("refusing {} {}: {} (VIREO_RTC_MAX_SESSIONS)", protocol, peers, e.getMessage());
            }
            throw new SessionResources.Refused(Response.error(503, "ServiceUnavailable", e.getMessage())
                    .header(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS));
        } catch (RuntimeException e) {
            throw new SessionResources.Refused(Response.error(503, "ServiceUnavailable", e.getMessage()));
        }
    }

    /**
     * The answer to {@code offer} on {@code transport}: the transport's ICE credentials, the
     * server's fingerprint and candidates, then the protocol's {@code media}.
     *
     * @throws SessionResources.Refused 400 (the transport closed) when the offer cannot be answered
     *     or wants the server to be the DTLS client
     */
    public Answer answer(SessionDescription offer, RtcTransport transport, Media media)
            throws SessionResources.Refused {
        IceCredentials ice = transport.localCredentials();
        Answer answer;
        try {
            answer = media.build(new AnswerBuilder(offer)
                    .iceCredentials(ice.ufrag(), ice.pwd())
                    .fingerprint(rtc.fingerprint())
                    .candidates(rtc.candidates()));
        } catch (SdpException e) {
            transport.close("the offer cannot be answered");
            throw new SessionResources.Refused(Response.error(400, "InvalidOffer", e.getMessage()));
        }
        if (answer.dtlsClient()) {
            transport.close("the offer wants the server to be the DTLS client");
            throw new SessionResources.Refused(Response.error(400, "InvalidOffer", "the offer must be"
                    + " a=setup:actpass or active (the server is the DTLS server)"));
        }
        return answer;
    }

    /**
     * Runs the rest of a POST on a transport just opened: what fails there closes the transport
     * (it would otherwise wait for its consent timeout) before the failure goes on.
     */
    public static <T> T closingOnFailure(RtcTransport transport, Supplier<T> rest) {
        try {
            return rest.get();
        } catch (RuntimeException e) {
            transport.close("failed to answer: " + e);
            throw e;
        }
    }
}
