package dev.vireo.bench.viewers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.bench.measure.WallclockSei;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class RtpProbeTest {

    /** V=2, X, CC=2, marker, PT 102, seq 0xFFFE, 2 CSRCs, a 2-word one-byte-header extension, 3 bytes payload, 16 bytes "tag". */
    private static ByteBuf packet() {
        ByteBuf b = Unpooled.buffer();
        b.writeByte(0x80 | 0x10 | 2).writeByte(0x80 | 102).writeShort(0xFFFE).writeInt(1234).writeInt(0xCAFE);
        b.writeInt(1).writeInt(2);
        b.writeShort(0xBEDE).writeShort(2).writeInt(0x10AA0000).writeInt(0);
        b.writeBytes(new byte[] {1, 2, 3});
        b.writeZero(16);
        return b;
    }

    @Test
    void theClearHeaderGivesLengthMarkerTypeAndSequence() {
        ByteBuf p = packet();
        assertThat(RtpProbe.headerLength(p)).isEqualTo(12 + 8 + 12);
        assertThat(RtpProbe.marker(p)).isTrue();
        assertThat(RtpProbe.payloadType(p)).isEqualTo(102);
        assertThat(RtpProbe.sequence(p)).isEqualTo(0xFFFE);
        assertThat(RtpProbe.isRtcp(p)).isFalse();
        // an extension longer than the datagram, and a version other than 2, are not RTP
        assertThat(RtpProbe.headerLength(packet().setShort(22, 100))).isEqualTo(-1);
        assertThat(RtpProbe.headerLength(packet().setByte(0, 0x40))).isEqualTo(-1);
        ByteBuf sr = Unpooled.buffer().writeByte(0x80).writeByte(200).writeShort(6).writeZero(24);
        assertThat(RtpProbe.isRtcp(sr)).isTrue();
    }

    @Test
    void theWallclockStampIsFoundInASingleNalPacketAndInAStapA() {
        long stamp = 1_763_990_000_987_654_321L;
        byte[] tag = {0x17, 0x01, 0, 0, 0, 0, 0, 0, 3, 0x65, 1, 2};
        ByteBuf stamped = WallclockSei.stamp(ByteBufAllocator.DEFAULT, tag, 4, stamp);
        ByteBuf sei = stamped.slice(5 + 4, WallclockSei.NAL_SIZE);
        try {
            assertThat(RtpProbe.wallclockStamp(sei, sei.readerIndex(), sei.readableBytes())).isEqualTo(stamp);
            // STAP-A (RFC 6184 §5.7.1): an SPS first, then the SEI
            ByteBuf stap = Unpooled.buffer().writeByte(24).writeShort(3).writeBytes(new byte[] {0x67, 0x42, 0x1f})
                    .writeShort(WallclockSei.NAL_SIZE).writeBytes(sei, sei.readerIndex(), sei.readableBytes());
            assertThat(RtpProbe.wallclockStamp(stap, 0, stap.readableBytes())).isEqualTo(stamp);
            // a unit size past the end, an FU-A, and a plain slice carry no stamp
            stap.setShort(1, 500);
            assertThat(RtpProbe.wallclockStamp(stap, 0, stap.readableBytes())).isEqualTo(-1);
            ByteBuf fu = Unpooled.buffer().writeByte(28).writeByte(0x80 | 6).writeBytes(sei, 1, 30);
            assertThat(RtpProbe.wallclockStamp(fu, 0, fu.readableBytes())).isEqualTo(-1);
            ByteBuf slice = Unpooled.wrappedBuffer(new byte[] {0x65, 1, 2, 3});
            assertThat(RtpProbe.wallclockStamp(slice, 0, 4)).isEqualTo(-1);
        } finally {
            stamped.release();
        }
    }

    @Test
    void sequenceGapsCountLossAcrossTheWrapAndLatePacketsFillThemIn() {
        RtpProbe.SequenceGaps g = new RtpProbe.SequenceGaps();
        assertThat(g.onPacket(65_533)).isZero();
        assertThat(g.onPacket(65_534)).isZero();
        assertThat(g.onPacket(1)).as("65535 and 0 skipped").isEqualTo(2);
        assertThat(g.onPacket(1)).as("duplicate").isZero();
        assertThat(g.onPacket(0)).as("late").isEqualTo(-1);
        assertThat(g.lost()).isEqualTo(1);
        assertThat(g.onPacket(2)).isZero();
        assertThat(g.lost()).isEqualTo(1);
    }
}
