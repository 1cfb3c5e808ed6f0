package dev.vireo.webrtc.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** RFC 7983 §7 first-byte ranges and RFC 5761 §4 RTP/RTCP split. */
class PacketKindTest {

    private static PacketKind of(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return PacketKind.of(Unpooled.wrappedBuffer(b));
    }

    @Test
    void classifiesByTheFirstByte() {
        assertThat(of(0, 1)).isEqualTo(PacketKind.STUN);
        assertThat(of(3)).isEqualTo(PacketKind.STUN);
        assertThat(of(4)).isEqualTo(PacketKind.UNKNOWN);
        assertThat(of(16)).isEqualTo(PacketKind.UNKNOWN); // ZRTP
        assertThat(of(20)).isEqualTo(PacketKind.DTLS);
        assertThat(of(22, 0xfe, 0xfd)).isEqualTo(PacketKind.DTLS);
        assertThat(of(63)).isEqualTo(PacketKind.DTLS);
        assertThat(of(64)).isEqualTo(PacketKind.UNKNOWN); // TURN channel
        assertThat(of(127, 0)).isEqualTo(PacketKind.UNKNOWN);
        assertThat(of(0x80, 96)).isEqualTo(PacketKind.RTP);
        assertThat(of(0x80, 0x80 | 96)).isEqualTo(PacketKind.RTP); // marker set
        assertThat(of(0x81, 200)).isEqualTo(PacketKind.RTCP); // SR
        assertThat(of(0x81, 205)).isEqualTo(PacketKind.RTCP); // RTPFB
        assertThat(of(0x8f, 223)).isEqualTo(PacketKind.RTCP);
        assertThat(of(0x80, 224)).isEqualTo(PacketKind.RTP);
        assertThat(of(191, 201)).isEqualTo(PacketKind.RTCP);
        assertThat(of(192, 201)).isEqualTo(PacketKind.UNKNOWN);
        assertThat(of(0x80)).isEqualTo(PacketKind.UNKNOWN);
        assertThat(of()).isEqualTo(PacketKind.UNKNOWN);
    }
}
