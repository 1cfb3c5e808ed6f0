package dev.vireo.webrtc.rtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Random;
import org.junit.jupiter.api.Test;

class H264DepacketizerTest {

    static ByteBuf packet(int seq, long ts, boolean marker, int... payload) {
        ByteBuf p = Unpooled.buffer();
        RtpHeader.write(p, marker, 102, seq, ts, 1);
        for (int b : payload) {
            p.writeByte(b);
        }
        return p;
    }

    @Test
    void singleStapAndFu() {
        try (H264Depacketizer d = new H264Depacketizer(ByteBufAllocator.DEFAULT)) {
            d.push(packet(1, 10, false, 24, 0, 2, 0x67, 0x42, 0, 1, 0x68)); // STAP-A: SPS, PPS
            d.push(packet(2, 10, false, 0x7C, 0x85, 0xAA)); // FU-A start of IDR
            d.push(packet(3, 10, false, 0x7C, 0x05, 0xBB));
            d.push(packet(4, 10, true, 0x7C, 0x45, 0xCC)); // end
            d.push(packet(5, 20, true, 0x41, 0x01)); // P slice
            H264Depacketizer.AccessUnit key = d.poll();
            assertThat(key.keyframe()).isTrue();
            assertThat(key.timestamp()).isEqualTo(10);
            assertThat(ByteBufUtil.getBytes(key.data())).containsExactly(
                    0, 0, 0, 2, 0x67, 0x42, 0, 0, 0, 1, 0x68, 0, 0, 0, 4, 0x65, 0xAA, 0xBB, 0xCC);
            key.data().release();
            H264Depacketizer.AccessUnit p = d.poll();
            assertThat(p.keyframe()).isFalse();
            assertThat(ByteBufUtil.getBytes(p.data())).containsExactly(0, 0, 0, 2, 0x41, 0x01);
            p.data().release();
            assertThat(d.poll()).isNull();
            assertThat(d.keyframeNeeded()).isFalse();
        }
    }

    @Test
    void lossDropsUntilTheNextKeyframe() {
        try (H264Depacketizer d = new H264Depacketizer(ByteBufAllocator.DEFAULT)) {
            d.push(packet(1, 0, false, 0x41, 0x01)); // a P frame before any keyframe: dropped
            d.push(packet(2, 0, true, 0x41, 0x02));
            assertThat(d.poll()).isNull();
            assertThat(d.keyframeNeeded()).isTrue();
            d.push(packet(3, 10, true, 0x65, 0x01));
            H264Depacketizer.AccessUnit k = d.poll();
            assertThat(k.keyframe()).isTrue();
            k.data().release();
            d.push(packet(4, 20, false, 0x7C, 0x81, 1)); // FU-A start of a non-IDR
            d.push(packet(6, 20, true, 0x7C, 0x41, 3)); // 5 lost
            assertThat(d.poll()).isNull();
            assertThat(d.keyframeNeeded()).isTrue();
            d.push(packet(7, 30, true, 0x41, 0x09)); // decodable only after a keyframe
            assertThat(d.poll()).isNull();
            d.push(packet(8, 40, true, 0x65, 0x02));
            H264Depacketizer.AccessUnit k2 = d.poll();
            assertThat(k2.keyframe()).isTrue();
            k2.data().release();
            assertThat(d.keyframeNeeded()).isFalse();
            // a timestamp change without marker finishes the previous access unit
            d.push(packet(9, 50, false, 0x41, 0x03));
            d.push(packet(10, 60, true, 0x41, 0x04));
            H264Depacketizer.AccessUnit a = d.poll();
            H264Depacketizer.AccessUnit b = d.poll();
            assertThat(a.timestamp()).isEqualTo(50);
            assertThat(b.timestamp()).isEqualTo(60);
            a.data().release();
            b.data().release();
            // a fragment whose start was lost is dropped
            d.push(packet(11, 70, false, 0x7C, 0x05, 1));
            d.push(packet(12, 70, true, 0x7C, 0x45, 1));
            assertThat(d.poll()).isNull();
            assertThat(d.keyframeNeeded()).isTrue();
        }
    }

    @Test
    void rejectsInterleavedModeAndBrokenAggregates() {
        try (H264Depacketizer d = new H264Depacketizer(ByteBufAllocator.DEFAULT)) {
            assertThatThrownBy(() -> d.push(packet(1, 0, true, 25, 0, 0))).isInstanceOf(RtpException.class)
                    .hasMessageContaining("interleaved");
            assertThatThrownBy(() -> d.push(packet(2, 0, true, 24, 0, 9, 0x67))).isInstanceOf(RtpException.class);
            assertThatThrownBy(() -> d.push(packet(3, 0, true, 0x7C, 0xC5, 1))).isInstanceOf(RtpException.class);
        }
        try (H264Depacketizer small = new H264Depacketizer(ByteBufAllocator.DEFAULT, 10)) {
            assertThatThrownBy(() -> small.push(packet(1, 0, true, 0x65, 1, 2, 3, 4, 5, 6, 7, 8)))
                    .isInstanceOf(RtpException.class).hasMessageContaining("exceeds");
        }
    }

    @Test
    void randomPayloadsOnlyThrowRtpException() {
        Random rnd = new Random(6184);
        try (H264Depacketizer d = new H264Depacketizer(ByteBufAllocator.DEFAULT, 4096)) {
            for (int i = 0; i < 20_000; i++) {
                ByteBuf p = Unpooled.buffer();
                RtpHeader.write(p, rnd.nextInt(4) == 0, 102, i + (rnd.nextInt(20) == 0 ? 1 : 0), i / 5, 1);
                byte[] payload = new byte[rnd.nextInt(40)];
                rnd.nextBytes(payload);
                if (payload.length > 0 && rnd.nextBoolean()) {
                    payload[0] = (byte) (payload[0] & 0xE0 | (rnd.nextBoolean() ? 24 : 28));
                }
                p.writeBytes(payload);
                try {
                    d.push(p);
                } catch (RtpException expected) {
                    assertThat(expected.getMessage()).isNotBlank();
                }
                H264Depacketizer.AccessUnit au;
                while ((au = d.poll()) != null) {
                    au.data().release();
                }
            }
        }
    }
}
