package dev.vireo.webrtc.whep.retransmit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.webrtc.rtp.RtpPayloads;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class RetransmissionBufferTest {

    /** A frame's payloads in the cached form: {@code lengths.length} payloads, the last with the marker. */
    private static ByteBuf payloads(int... lengths) {
        ByteBuf b = Unpooled.buffer().writeShort(lengths.length);
        for (int i = 0; i < lengths.length; i++) {
            b.writeShort(lengths[i]).writeByte(i == lengths.length - 1 ? 1 : 0);
        }
        for (int i = 0; i < lengths.length; i++) {
            for (int k = 0; k < lengths[i]; k++) {
                b.writeByte(i);
            }
        }
        return b;
    }

    @Test
    void theRetransmissionBufferFindsPacketsByTheirFrameAndHoldsTheFramesOnce() {
        ByteBuf frame = payloads(20, 5, 7);
        ByteBuf config = payloads(9);
        try (RetransmissionBuffer rb = new RetransmissionBuffer(8, 1_000)) {
            rb.put(65_535, 1, config, true, 1234, 0);
            rb.put(0, 3, frame, false, 1234, 0); // sequence numbers 0, 1, 2
            assertThat(frame.refCnt()).as("one reference per frame, not per packet").isEqualTo(2);
            int slot = rb.find(1, 500);
            assertThat(slot).isNotNegative();
            assertThat(rb.payloads(slot)).isSameAs(frame);
            assertThat(rb.index(slot, 1)).isEqualTo(1);
            assertThat(RtpPayloads.length(frame, 1)).isEqualTo(5);
            assertThat(frame.getByte(RtpPayloads.offset(frame, 1))).isEqualTo((byte) 1);
            assertThat(rb.timestamp(slot)).isEqualTo(1234);
            int cfg = rb.find(65_535, 500);
            assertThat(rb.payloads(cfg)).isSameAs(config);
            assertThat(rb.noMarker(cfg)).isTrue();
            assertThat(rb.index(rb.find(2, 0), 2)).isEqualTo(2);
            assertThat(rb.resentNanos(1)).isEqualTo(Long.MIN_VALUE);
            rb.markResent(1, 600);
            assertThat(rb.resentNanos(1)).isEqualTo(600);
            assertThat(rb.resentNanos(65)).as("another packet of the same slot").isEqualTo(Long.MIN_VALUE);
            assertThat(rb.find(1, 1_001)).as("too old").isEqualTo(-1);
            assertThat(rb.find(3, 0)).as("never sent").isEqualTo(-1);
            assertThat(rb.find(65_534, 0)).as("never sent, before the wrap").isEqualTo(-1);
        }
        assertThat(frame.refCnt()).isEqualTo(1);
        assertThat(config.refCnt()).isEqualTo(1);
        frame.release();
        config.release();
        assertThatThrownBy(() -> new RetransmissionBuffer(100, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theRetransmissionBufferGrowsOnlyWhileItWouldDropResendableFrames() {
        ByteBuf shared = payloads(1, 1);
        try (RetransmissionBuffer rb = new RetransmissionBuffer(4, 16, 1_000)) {
            // 10 frames within the horizon: 4 entries are not enough, the ring doubles twice
            for (int i = 0; i < 10; i++) {
                rb.put(65_530 + 2 * i & 0xFFFF, 2, shared, false, i, i);
            }
            assertThat(rb.capacity()).isEqualTo(16);
            for (int i = 0; i < 10; i++) {
                int slot = rb.find(65_531 + 2 * i & 0xFFFF, 10);
                assertThat(slot).as("frame %d kept across the growth", i).isNotNegative();
                assertThat(rb.timestamp(slot)).isEqualTo(i);
                assertThat(rb.index(slot, 65_531 + 2 * i & 0xFFFF)).isEqualTo(1);
            }
            assertThat(shared.refCnt()).isEqualTo(11);
            // at the maximum, the oldest is overwritten
            for (int i = 10; i < 20; i++) {
                rb.put(65_530 + 2 * i & 0xFFFF, 2, shared, false, i, i);
            }
            assertThat(rb.capacity()).isEqualTo(16);
            assertThat(rb.find(65_530, 20)).isEqualTo(-1);
            assertThat(rb.find(65_530 + 2 * 19 & 0xFFFF, 20)).isNotNegative();
            assertThat(shared.refCnt()).isEqualTo(17);
        }
        try (RetransmissionBuffer slow = new RetransmissionBuffer(4, 16, 1_000)) {
            // one frame a second: old entries have expired, overwriting them costs nothing
            for (int i = 0; i < 10; i++) {
                slow.put(i, 1, shared, false, i, i * 1_001L);
            }
            assertThat(slow.capacity()).isEqualTo(4);
            assertThat(slow.find(9, 9 * 1_001L)).isNotNegative();
        }
        assertThat(shared.refCnt()).isEqualTo(1);
        shared.release();
        assertThatThrownBy(() -> new RetransmissionBuffer(32, 16, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
