package dev.vireo.webrtc.sdp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of {@link SessionDescription#parse} (issue 17): only
 * {@link SdpException} escapes. Seeds in {@code SessionDescriptionJazzerTestInputs/} (offers
 * captured from Chromium); {@code JAZZER_FUZZ=1} fuzzes (docs/RELIABILITY.md).
 */
class SessionDescriptionJazzerTest {

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void parse(byte[] data) {
        try {
            SessionDescription.parse(new String(data, StandardCharsets.UTF_8));
        } catch (SdpException expected) {
            // documented refusal
        }
    }
}
