package dev.vireo.webrtc.rtp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Coverage-guided fuzzing of {@link RedDepacketizer#parse} (RFC 2198): only {@link RtpException}
 * escapes, and the blocks stay inside the payload. Seeds in {@code RedDepacketizerJazzerTestInputs/};
 * {@code JAZZER_FUZZ=1} fuzzes (docs/RELIABILITY.md).
 */
class RedDepacketizerJazzerTest {

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void parse(byte[] data) {
        ByteBuf payload = Unpooled.wrappedBuffer(data);
        try {
            int total = 0;
            for (RedDepacketizer.Block b : RedDepacketizer.parse(payload, 1000)) {
                total += b.data().readableBytes();
            }
            if (total > data.length) {
                throw new AssertionError("blocks of " + total + " bytes in a " + data.length + "-byte payload");
            }
        } catch (RtpException expected) {
            // documented refusal
        }
    }
}
