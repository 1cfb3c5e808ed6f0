package dev.vireo.webrtc.rtcp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;

/**
 * Coverage-guided fuzzing of {@link RtcpCompound#parse} (issue 17): only {@link RtcpException}
 * escapes. Seeds in {@code RtcpCompoundJazzerTestInputs/} (SR+SDES, RR, NACK, PLI, REMB, transport-cc
 * as Chromium sends them); {@code JAZZER_FUZZ=1} fuzzes (docs/RELIABILITY.md).
 */
class RtcpCompoundJazzerTest {

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void parse(byte[] data) {
        try {
            RtcpCompound.parse(Unpooled.wrappedBuffer(data));
        } catch (RtcpException expected) {
            // documented refusal
        }
    }
}
