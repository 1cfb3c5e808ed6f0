package dev.vireo.webrtc.rtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class RtxAndHistoryTest {

    @Test
    void rtxWrapsAndRestoresTheOriginal() {
        ByteBuf original = Unpooled.buffer();
        new RtpHeaderWriter(2, 4).write(original, true, 102, 4242, 90000, 0x1111, 7, 9);
        original.writeBytes(new byte[] {1, 2, 3, 4, 5});
        ByteBuf rtx = Unpooled.buffer();
        RtxPacket.write(rtx, original, 103, 17, 0x2222);
        RtpHeader h = RtpHeader.parse(rtx);
        assertThat(h.payloadType()).isEqualTo(103);
        assertThat(h.sequenceNumber()).isEqualTo(17);
        assertThat(h.ssrc()).isEqualTo(0x2222);
        assertThat(h.timestamp()).isEqualTo(90000);
        assertThat(h.marker()).isTrue();
        assertThat(RtpHeaderExtensions.find(rtx, h, 4).getUnsignedShort(0)).isEqualTo(9);
        assertThat(ByteBufUtil.getBytes(h.payload(rtx))).containsExactly(0x10, 0x92, 1, 2, 3, 4, 5); // OSN 4242
        assertThat(RtxPacket.originalSequenceNumber(rtx)).isEqualTo(4242);

        ByteBuf restored = Unpooled.buffer();
        RtxPacket.restore(restored, rtx, 102, 0x1111);
        assertThat(ByteBufUtil.getBytes(restored)).isEqualTo(ByteBufUtil.getBytes(original));

        ByteBuf empty = Unpooled.buffer();
        RtpHeader.write(empty, false, 103, 1, 1, 1);
        empty.writeByte(1);
        assertThatThrownBy(() -> RtxPacket.originalSequenceNumber(empty)).isInstanceOf(RtpException.class);
    }

    @Test
    void opusPayloadsAreSharedAndTimed() {
        ByteBuf opus = Unpooled.buffer().writeByte(0xFC).writeBytes(new byte[60]); // CELT 20 ms, 1 frame
        PacketizedFrame f = OpusPacketizer.packetize(opus, 960, 1200);
        assertThat(opus.refCnt()).isEqualTo(2);
        assertThat(f.count()).isEqualTo(1);
        assertThat(f.length(0)).isEqualTo(61);
        f.release();
        assertThat(opus.refCnt()).isEqualTo(1);
        assertThat(OpusPacketizer.sampleCount(opus)).isEqualTo(960);
        assertThat(OpusPacketizer.sampleCount(Unpooled.wrappedBuffer(new byte[] {0x08}))).isEqualTo(960); // SILK 20 ms
        assertThat(OpusPacketizer.sampleCount(Unpooled.wrappedBuffer(new byte[] {0x10}))).isEqualTo(1920); // SILK 40 ms
        assertThat(OpusPacketizer.sampleCount(Unpooled.wrappedBuffer(new byte[] {0x19}))).isEqualTo(5760); // SILK 60 ms, 2 frames
        assertThat(OpusPacketizer.sampleCount(Unpooled.wrappedBuffer(new byte[] {(byte) 0x83, 3}))).isEqualTo(360); // CELT 2.5 ms x3
        assertThatThrownBy(() -> OpusPacketizer.sampleCount(Unpooled.wrappedBuffer(new byte[] {0x1B, 3})))
                .isInstanceOf(RtpException.class); // 3 x 60 ms
        assertThatThrownBy(() -> OpusPacketizer.packetize(Unpooled.buffer(), 0, 1200)).isInstanceOf(RtpException.class);
        opus.release();
    }
}
