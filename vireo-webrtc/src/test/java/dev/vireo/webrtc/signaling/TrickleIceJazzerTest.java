package dev.vireo.webrtc.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vireo.webrtc.sdp.SdpCandidate;
import dev.vireo.webrtc.sdp.SdpException;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of the body of a WHIP/WHEP {@code PATCH} (a trickle ICE / ICE restart
 * SDP fragment, RFC 8840, RFC 9725 §4.3; issue 17): {@link TrickleIceFragment#parse} refuses with
 * {@link IllegalArgumentException} (400) or gives credentials that come as a pair; the candidates
 * it keeps parse or are refused with {@link SdpException}. Seeds in
 * {@code TrickleIceJazzerTestInputs/} (a trickle and an ICE restart fragment with Chromium's
 * credentials and candidates); {@code JAZZER_FUZZ=1} fuzzes (docs/RELIABILITY.md).
 */
class TrickleIceJazzerTest {

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void fragment(byte[] data) {
        TrickleIceFragment f;
        try {
            f = TrickleIceFragment.parse(new String(data, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException expected) {
            return; // 400 InvalidFragment
        }
        assertThat(f.ufrag() == null).as("ufrag and pwd together").isEqualTo(f.pwd() == null);
        assertThat(f.candidates().size()).isLessThanOrEqualTo(256);
        for (String c : f.candidates()) {
            try {
                SdpCandidate.parse(c);
            } catch (SdpException expected) {
                // a candidate an ICE-lite agent ignores anyway
            }
        }
    }
}
