package dev.vireo.webrtc.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Coverage-guided fuzzing of what a WHIP session does with a retransmission (RFC 4588 §4;
 * issue 17): {@link RtxPacket#restore} refuses with {@link RtpException} or gives a packet that
 * parses again with the original payload type, sequence number (the OSN) and SSRC. Seeds in
 * {@code RtxJazzerTestInputs/} (ffmpeg's H.264 RTP packets wrapped as RTX);
 * {@code JAZZER_FUZZ=1} fuzzes (docs/RELIABILITY.md).
 */
class RtxJazzerTest {

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void restore(byte[] data) {
        ByteBuf rtx = Unpooled.wrappedBuffer(data);
        ByteBuf out = Unpooled.buffer(data.length);
        try {
            int osn;
            try {
                osn = RtxPacket.originalSequenceNumber(rtx.duplicate());
                RtxPacket.restore(out, rtx, 96, 0x1111);
            } catch (RtpException refused) {
                return;
            }
            RtpHeader h = RtpHeader.parse(out);
            assertThat(h.payloadType()).isEqualTo(96);
            assertThat(h.sequenceNumber()).isEqualTo(osn);
            assertThat(h.ssrc()).isEqualTo(0x1111);
            assertThat(out.readableBytes()).isEqualTo(data.length - 2);
        } finally {
            out.release();
        }
    }
}
