package dev.vireo.webrtc.sdp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vireo.webrtc.dtls.CertificateFingerprint;
import dev.vireo.webrtc.signaling.SessionResources;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Coverage-guided fuzzing of the WHEP offer path (RFC 9725 §4.2; issue 17) without sockets: what
 * {@code SessionResources.readOffer} and {@code WhepPlayback} do with a POSTed offer — SDP parse
 * and fingerprints (refused with {@link SdpException} or {@link IllegalArgumentException}: 400),
 * then the {@code sendonly} answer for the stream's codecs with RED and FEC on (refused only with
 * {@link SdpException}: 400; anything else would be a 500), which must parse again. The first byte
 * picks the stream's codecs (H.264 Constrained Baseline or High, AV1, audio only) and Opus or no
 * audio. Seeds in {@code WhepOfferJazzerTestInputs/} (Chromium's recvonly offer);
 * {@code JAZZER_FUZZ=1} fuzzes (docs/RELIABILITY.md).
 */
class WhepOfferJazzerTest {

    private static final CertificateFingerprint OURS = CertificateFingerprint.parse("sha-256 "
            + "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89");
    private static final List<SdpCandidate> CANDIDATES = List.of(SdpCandidate.udpHost("1", "127.0.0.1", 50000, 65535));
    private static final MediaSource[] VIDEO = {new MediaSource.H264(H264ProfileLevelId.parse("42e01f")),
        new MediaSource.H264(H264ProfileLevelId.parse("64001f")), new MediaSource.Av1(0), null};

    @Test
    void chromiumsOfferIsAnsweredWithVideoAndAudio() throws Exception {
        try (var in = getClass().getResourceAsStream("WhepOfferJazzerTestInputs/offer/chromium-recvonly-h264-opus")) {
            Answer answer = answer(in.readAllBytes());
            assertThat(answer).isNotNull();
            assertThat(answer.video()).isPresent();
            assertThat(answer.audio()).isPresent();
        }
    }

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void offer(byte[] data) {
        answer(data);
    }

    /** The answer to the offer after the first byte, or null when it is refused with a 400. */
    private static Answer answer(byte[] data) {
        if (data.length == 0) {
            return null;
        }
        SessionDescription offer;
        try {
            offer = SessionDescription.parse(new String(data, 1, data.length - 1, StandardCharsets.UTF_8));
            SessionResources.fingerprints(offer);
        } catch (SdpException | IllegalArgumentException refused) {
            return null;
        }
        MediaSource video = VIDEO[data[0] & 3];
        boolean audio = (data[0] & 4) == 0 || video == null;
        Answer answer;
        try {
            AnswerBuilder builder = new AnswerBuilder(offer)
                    .iceCredentials("ufrag0001", "password0123456789abcdef")
                    .fingerprint(OURS)
                    .candidates(CANDIDATES)
                    .cname("0123456789abcdef")
                    .red(true)
                    .fec(true);
            if (video != null) {
                builder.video(video, 0x11111111, 0x22222222);
            }
            if (audio) {
                builder.audio(new MediaSource.Opus(2), 0x33333333);
            }
            answer = builder.build();
        } catch (SdpException refused) {
            return null;
        }
        assertThat(SessionDescription.parse(answer.sdp()).media()).isNotEmpty();
        return answer;
    }
}
