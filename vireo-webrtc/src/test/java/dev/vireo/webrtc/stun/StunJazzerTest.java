package dev.vireo.webrtc.stun;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;

/**
 * Coverage-guided fuzzing of STUN parsing and checks (issue 17): only {@link StunException}
 * escapes. Seeds in {@code StunJazzerTestInputs/} (RFC 5769 test vectors); {@code JAZZER_FUZZ=1}
 * fuzzes (docs/RELIABILITY.md).
 */
class StunJazzerTest {

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void parse(byte[] data) {
        try {
            StunMessage m = StunMessage.parse(Unpooled.wrappedBuffer(data));
            m.verifyIntegrity(StunMessageTest.PASSWORD);
            m.verifyFingerprint();
            m.unknownComprehensionRequired();
            StunBinding.check(m, "evtj", "VOkJxbRl1RmTxUk/WvJxBt");
        } catch (StunException expected) {
            // documented refusal
        }
    }
}
