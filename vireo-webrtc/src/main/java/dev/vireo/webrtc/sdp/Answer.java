package dev.vireo.webrtc.sdp;

import dev.vireo.webrtc.dtls.CertificateFingerprint;
import java.util.List;
import java.util.Optional;

/**
 * The answer to an offer and what it agreed on.
 *
 * @param sdp               the answer text (CRLF line endings)
 * @param video             the accepted video section, if any
 * @param audio             the accepted audio section, if any
 * @param bundle            the mids of the answer's BUNDLE group (empty when only one section was accepted without BUNDLE)
 * @param remoteUfrag       the offerer's ICE username fragment (of the BUNDLE-tagged section)
 * @param remotePassword    the offerer's ICE password
 * @param remoteFingerprint the offerer's DTLS certificate fingerprint
 * @param localSetup        our a=setup: PASSIVE (we are the DTLS server) unless the offer said passive
 */
public record Answer(String sdp, Optional<NegotiatedMedia> video, Optional<NegotiatedMedia> audio, List<String> bundle,
                     String remoteUfrag, String remotePassword, CertificateFingerprint remoteFingerprint, SetupRole localSetup) {

    public Answer {
        bundle = List.copyOf(bundle);
    }

    /** Whether we take the DTLS client role (the offer was {@code a=setup:passive}). */
    public boolean dtlsClient() {
        return localSetup == SetupRole.ACTIVE;
    }
}
