package dev.vireo.webrtc.rtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 2198 redundancy for Opus as Chromium negotiates it (red/48000/2, fmtp 111/111). */
class RedTest {

    private static ByteBuf bytes(int... b) {
        ByteBuf buf = Unpooled.buffer();
        for (int x : b) {
            buf.writeByte(x);
        }
        return buf;
    }

    private static String hex(RedPacketizer red, ByteBuf primary, long ts) {
        ByteBuf out = Unpooled.buffer();
        red.write(out, primary, ts);
        return ByteBufUtil.hexDump(out);
    }

    @Test
    void oneGenerationByHand() {
        RedPacketizer red = new RedPacketizer(111, 1, 1200);
        // first packet: no history, only the 1-byte primary header (F=0, PT 111 = 0x6f)
        assertThat(hex(red, bytes(0xAA, 0xBB), 960)).isEqualTo("6faabb");
        // F=1|PT 111 = 0xef; offset 960 = 0x3c0, length 2: 0x3c0 << 10 | 2 = 0x0f0002
        assertThat(hex(red, bytes(0xCC), 1920)).isEqualTo("ef0f00026faabbcc");
        assertThat(hex(red, bytes(0xDD, 0xEE), 2880)).isEqualTo("ef0f00016fccddee");
    }

    @Test
    void twoGenerationsOldestFirst() {
        RedPacketizer red = new RedPacketizer(111, 2, 1200);
        hex(red, bytes(0xAA, 0xBB), 960);
        hex(red, bytes(0xCC), 1920);
        // offsets 1920 (0x780 << 10 | 2 = 0x1e0002) then 960 (0x0f0001)
        assertThat(hex(red, bytes(0xDD), 2880)).isEqualTo("ef1e0002ef0f00016faabbccdd");
    }

    @Test
    void leavesOutWhatTheFormatOrTheLimitCannotCarry() {
        RedPacketizer red = new RedPacketizer(111, 2, 12);
        hex(red, bytes(1, 2, 3, 4, 5, 6), 0);
        // 1 + 1 primary, + 4 + 6 redundant = 12 fits
        assertThat(hex(red, bytes(7), 960)).isEqualTo("ef0f0006" + "6f" + "010203040506" + "07");
        // the oldest (6 bytes) no longer fits beside the newer one: only the newer goes
        assertThat(hex(red, bytes(8, 9), 1920)).isEqualTo("ef0f0001" + "6f" + "07" + "0809");
        // a gap over 14 bits of offset (341 ms at 48 kHz): no redundancy
        assertThat(hex(red, bytes(0x0A), 1920 + 16384)).isEqualTo("6f0a");
        // timestamps wrap at 2^32
        RedPacketizer wrap = new RedPacketizer(111, 1, 1200);
        hex(wrap, bytes(0xAA), 0xFFFF_FFFFL - 479);
        assertThat(hex(wrap, bytes(0xBB), 480)).isEqualTo("ef0f00016faabb");
        // a block over 10 bits of length is not repeated
        RedPacketizer big = new RedPacketizer(111, 1, 4000);
        hex(big, Unpooled.wrappedBuffer(new byte[1024]), 0);
        assertThat(hex(big, bytes(1), 960)).isEqualTo("6f01");
        assertThatThrownBy(() -> red.write(Unpooled.buffer(), Unpooled.buffer(), 0)).isInstanceOf(RtpException.class);
        assertThatThrownBy(() -> red.write(Unpooled.buffer(), Unpooled.wrappedBuffer(new byte[12]), 0))
                .isInstanceOf(RtpException.class);
    }

    @Test
    void parsesWhatChromiumSends() {
        // A Chromium 156 RED payload for Opus: one 20 ms generation (offset 960) of 3 bytes, primary of 4
        ByteBuf payload = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("ef0f0003" + "6f" + "fcff fe".replace(" ", "") + "fc010203"));
        List<RedDepacketizer.Block> blocks = RedDepacketizer.parse(payload, 100_000);
        assertThat(blocks).hasSize(2);
        assertThat(blocks.get(0).payloadType()).isEqualTo(111);
        assertThat(blocks.get(0).timestamp()).isEqualTo(100_000 - 960);
        assertThat(ByteBufUtil.hexDump(blocks.get(0).data())).isEqualTo("fcfffe");
        assertThat(blocks.get(0).primary()).isFalse();
        assertThat(blocks.get(1).timestamp()).isEqualTo(100_000);
        assertThat(ByteBufUtil.hexDump(blocks.get(1).data())).isEqualTo("fc010203");
        assertThat(blocks.get(1).primary()).isTrue();
        // the ULPFEC envelope: a lone primary header
        List<RedDepacketizer.Block> fec = RedDepacketizer.parse(bytes(0x78, 1, 2), 5);
        assertThat(fec).singleElement().satisfies(b -> assertThat(b.payloadType()).isEqualTo(0x78));
        // timestamp offsets wrap below 0
        assertThat(RedDepacketizer.parse(Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("ef0f00016faabb")), 100)
                .get(0).timestamp()).isEqualTo(0x1_0000_0000L + 100 - 960);
    }

    @Test
    void refusesGarbage() {
        assertThatThrownBy(() -> RedDepacketizer.parse(bytes(), 0)).isInstanceOf(RtpException.class);
        assertThatThrownBy(() -> RedDepacketizer.parse(bytes(0xEF, 0x0F), 0)).isInstanceOf(RtpException.class);
        assertThatThrownBy(() -> RedDepacketizer.parse(bytes(0xEF, 0x0F, 0x00, 0x05, 0x6F, 1, 2), 0))
                .hasMessageContaining("runs past");
        assertThatThrownBy(() -> RedDepacketizer.parse(bytes(0xEF, 0, 0, 0), 0)).hasMessageContaining("runs past");
        ByteBuf many = Unpooled.buffer();
        for (int i = 0; i < RedDepacketizer.MAX_BLOCKS; i++) {
            many.writeInt(0xEF000000);
        }
        many.writeByte(0x6F);
        assertThatThrownBy(() -> RedDepacketizer.parse(many, 0)).hasMessageContaining("blocks");
    }

    @Test
    void roundTripRecoversALostPacket() {
        RedPacketizer tx = new RedPacketizer(111, 2, 1200);
        RedDepacketizer rx = new RedDepacketizer();
        StringBuilder received = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            ByteBuf payload = Unpooled.buffer();
            tx.write(payload, bytes(i, i, i), 960L * i);
            if (i == 3 || i == 6 || i == 7) {
                continue; // lost; 6 and 7 in a row: two generations still recover both
            }
            for (RedDepacketizer.Block b : rx.accept(payload, 960L * i)) {
                assertThat(b.timestamp()).isEqualTo(960L * b.data().getByte(0));
                received.append(b.data().getByte(0));
            }
        }
        assertThat(received.toString()).isEqualTo("0123456789");
        // a duplicate gives nothing
        ByteBuf again = Unpooled.buffer();
        new RedPacketizer(111, 0, 1200).write(again, bytes(9), 960L * 9);
        assertThat(rx.accept(again, 960L * 9)).isEmpty();
    }
}
