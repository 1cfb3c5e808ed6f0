package dev.vireo.webrtc.whip;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vireo.webrtc.dtls.CertificateFingerprint;
import dev.vireo.webrtc.sdp.Answer;
import dev.vireo.webrtc.sdp.AnswerBuilder;
import dev.vireo.webrtc.sdp.IngestCodecs;
import dev.vireo.webrtc.sdp.MediaDescription;
import dev.vireo.webrtc.sdp.SdpCandidate;
import dev.vireo.webrtc.sdp.SdpException;
import dev.vireo.webrtc.sdp.SessionDescription;
import dev.vireo.webrtc.sdp.SimulcastOffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Coverage-guided fuzzing of the WHIP offer path (RFC 9725 §4.2; issue 17), the steps
 * {@code WhipIngest} takes on a POSTed offer before any socket is involved: SDP parse, the
 * offer's DTLS fingerprints, codec selection ({@link IngestCodecs#choose}) and the
 * {@code recvonly} answer. Only the refusals {@code WhipIngest} turns into 400/406 escape
 * ({@link SdpException}, {@link IllegalArgumentException}); an answer that is built parses again.
 * Seeds in {@code WhipOfferJazzerTestInputs/} (Chromium's and aiortc's WHIP offers, Chromium's with
 * simulcast: the rid and simulcast lines, RFC 8851/8853);
 * {@code JAZZER_FUZZ=1} fuzzes (docs/RELIABILITY.md).
 */
class WhipOfferJazzerTest {

    private static final CertificateFingerprint OURS = CertificateFingerprint.parse("sha-256 "
            + "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89");
    private static final List<SdpCandidate> CANDIDATES = List.of(SdpCandidate.udpHost("1", "127.0.0.1", 50000, 65535));

    @Test
    void theSeedOffersOfChromiumAndAiortcAreAnsweredWithVideoAndAudio() throws Exception {
        for (String seed : List.of("chromium-sendonly-whip.sdp", "aiortc-sendonly-whip.sdp",
                "chromium-simulcast-whip.sdp")) {
            try (var in = getClass().getResourceAsStream("WhipOfferJazzerTestInputs/offer/" + seed)) {
                Answer answer = answer(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                assertThat(answer.video()).as(seed).isPresent();
                assertThat(answer.audio()).as(seed).isPresent();
                assertThat(answer.sdp().contains("a=simulcast:recv q;h;f")).as(seed).isEqualTo(seed.contains("simulcast"));
            }
        }
    }

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void offer(byte[] data) {
        try {
            answer(new String(data, StandardCharsets.UTF_8));
        } catch (SdpException | IllegalArgumentException expected) {
            // WhipIngest answers 400 (invalid offer) or 406 (no codec it takes)
        }
    }

    private static Answer answer(String body) {
        SessionDescription offer = SessionDescription.parse(body);
        for (MediaDescription m : offer.media()) {
            offer.fingerprint(m);
        }
        offer.attribute("fingerprint").ifPresent(CertificateFingerprint::parse);
        IngestCodecs codecs = IngestCodecs.choose(offer);
        AnswerBuilder builder = new AnswerBuilder(offer).receiving()
                .iceCredentials("ufrag0001", "password0123456789abcdef")
                .fingerprint(OURS)
                .candidates(CANDIDATES)
                .remb(false);
        if (codecs.video() != null) {
            builder.video(codecs.video(), 1, 2);
        }
        if (codecs.audio() != null) {
            builder.audio(codecs.audio(), 3);
        }
        SimulcastOffer simulcast = codecs.video() == null ? null : SimulcastOffer.ofVideo(offer);
        Answer answer = builder.simulcast(simulcast).build();
        if (simulcast != null && answer.video().isPresent()) {
            simulcast.requirePayloadType(answer.video().get().payloadType());
        }
        assertThat(codecs.video() != null || codecs.audio() != null).as("an answer receives something").isTrue();
        SessionDescription again = SessionDescription.parse(answer.sdp());
        assertThat(again.media()).isNotEmpty();
        return answer;
    }
}
