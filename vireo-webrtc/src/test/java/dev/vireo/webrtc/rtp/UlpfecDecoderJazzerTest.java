package dev.vireo.webrtc.rtp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Coverage-guided fuzzing of {@link UlpfecDecoder} (RFC 5109): parsing and recovering against a
 * fixed set of received packets (even sequence numbers present) lets only {@link RtpException}
 * escape. Seeds in {@code UlpfecDecoderJazzerTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes
 * (docs/RELIABILITY.md).
 */
class UlpfecDecoderJazzerTest {

    private static final ByteBuf RECEIVED = Unpooled.wrappedBuffer(
            new byte[] {(byte) 0x80, 0x60, 0, 100, 0, 0, 0x0b, (byte) 0xb8, 0x11, 0x22, 0x33, 0x44, (byte) 0xaa, (byte) 0xbb});

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void recover(byte[] data) {
        try {
            ByteBuf out = UlpfecDecoder.recover(Unpooled.wrappedBuffer(data),
                    seq -> (seq & 1) == 0 ? RECEIVED.duplicate() : null, 1);
            if (out != null && out.readableBytes() > 12 + 0xFFFF) {
                throw new AssertionError("recovered " + out.readableBytes() + " bytes");
            }
        } catch (RtpException expected) {
            // documented refusal
        }
    }
}
