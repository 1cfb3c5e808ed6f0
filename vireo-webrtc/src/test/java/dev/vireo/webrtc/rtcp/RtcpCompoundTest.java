package dev.vireo.webrtc.rtcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RtcpCompoundTest {

    static List<RtcpPacket> parse(String hex) {
        return RtcpCompound.parse(Unpooled.wrappedBuffer(HexFormat.of().parseHex(hex.replaceAll("\\s", ""))));
    }

    static List<RtcpPacket> roundTrip(RtcpPacket... packets) {
        ByteBuf b = Unpooled.buffer();
        RtcpCompound.write(b, packets);
        assertThat(b.readableBytes() % 4).isZero();
        return RtcpCompound.parse(b);
    }

    @Test
    void senderReportWithSdesAndBye() {
        ReportBlock block = new ReportBlock(0x1234, 64, -3, 0x0001_FFFFL, 77, 0xABCD_0000L, 0x0001_8000L);
        SenderReport sr = new SenderReport(0xCAFE, NtpTime.fromUnixMillis(1_700_000_000_500L), 0xFFFF_FFF0L, 10, 12000,
                List.of(block));
        SourceDescription sdes = SourceDescription.cname(0xCAFE, "vireo-cname");
        Goodbye bye = new Goodbye(new int[] {0xCAFE, 7}, "done");
        List<RtcpPacket> back = roundTrip(sr, sdes, bye, new ReceiverReport(9, List.of(block, block)));
        assertThat(back).containsExactly(sr, sdes, bye, new ReceiverReport(9, List.of(block, block)));
        assertThat(((SourceDescription) back.get(1)).chunks().get(0).cname()).contains("vireo-cname");
        assertThat(block.lossRatio()).isEqualTo(0.25);
        assertThat(NtpTime.toUnixMillis(sr.ntpTimestamp())).isEqualTo(1_700_000_000_500L);
    }

    @Test
    void sdesChunkPaddingPerRfc3550() {
        // CNAME of 2 bytes: 4 SSRC + 1 type + 1 len + 2 text + 1 null = 9 -> padded to 12
        ByteBuf b = Unpooled.buffer();
        SourceDescription.cname(1, "ab").write(b);
        assertThat(HexFormat.of().formatHex(ByteBufUtil.getBytes(b))).isEqualTo("81ca0003" + "00000001" + "01026162" + "00000000");
        ByteBuf c = Unpooled.buffer();
        SourceDescription.cname(1, "abc").write(c); // 4 + 1 + 1 + 3 + 1 = 10 -> 12
        assertThat(HexFormat.of().formatHex(ByteBufUtil.getBytes(c))).isEqualTo("81ca0003" + "00000001" + "01036162" + "63000000");
    }

    @Test
    void genericNackPidAndBlp() {
        // RFC 4585 §6.2.1: PID 100, BLP 0b101 -> 100, 101, 103
        List<RtcpPacket> p = parse("81cd0003 00000001 00000002 0064 0005");
        assertThat(p).containsExactly(new GenericNack(1, 2, new int[] {100, 101, 103}));
        // packing across wrap-around and more than 16 apart
        GenericNack nack = new GenericNack(1, 2, new int[] {65534, 65535, 0, 5, 15, 40, 41});
        ByteBuf b = Unpooled.buffer();
        nack.write(b);
        assertThat(HexFormat.of().formatHex(ByteBufUtil.getBytes(b)))
                .isEqualTo("81cd0005" + "00000001" + "00000002" + "fffe" + "0043" + "000f" + "0000" + "0028" + "0001");
        assertThat(RtcpCompound.parse(b)).containsExactly(nack);
    }

    @Test
    void pliFirRemb() {
        PictureLossIndication pli = new PictureLossIndication(1, 0xABCDEF01);
        FullIntraRequest fir = new FullIntraRequest(1, List.of(new FullIntraRequest.Entry(0xABCDEF01, 7)));
        assertThat(roundTrip(pli, fir)).containsExactly(pli, fir);
        ByteBuf b = Unpooled.buffer();
        pli.write(b);
        assertThat(HexFormat.of().formatHex(ByteBufUtil.getBytes(b))).isEqualTo("81ce0002" + "00000001" + "abcdef01");

        // REMB of 8927168 bit/s for SSRC 0x4874ED16: exponent 6, mantissa 139487
        String remb = "8fce0005 00000001 00000000 52454d42 011a20df 4874ed16";
        assertThat(parse(remb)).containsExactly(new ReceiverEstimatedMaxBitrate(1, 8_927_168L, new int[] {0x4874ED16}));
        ByteBuf r = Unpooled.buffer();
        new ReceiverEstimatedMaxBitrate(1, 8_927_168L, new int[] {0x4874ED16}).write(r);
        assertThat(HexFormat.of().formatHex(ByteBufUtil.getBytes(r))).isEqualTo(remb.replace(" ", ""));
        // large values lose only low bits
        ReceiverEstimatedMaxBitrate big = (ReceiverEstimatedMaxBitrate) roundTrip(
                new ReceiverEstimatedMaxBitrate(1, 123_456_789_012L, new int[0])).get(0);
        assertThat(big.bitrate()).isBetween(123_456_789_012L - (1L << 19), 123_456_789_012L);
    }

    @Test
    void transportCcFeedbackFromChrome() {
        // one packet received, run-length chunk, with one byte of RTCP padding
        List<RtcpPacket> p = parse("afcd0005 fa17fa17 43032fa0 00990001 3de80217 2001 94 01");
        TransportCcFeedback f = (TransportCcFeedback) p.get(0);
        assertThat(f.senderSsrc()).isEqualTo(0xfa17fa17);
        assertThat(f.mediaSsrc()).isEqualTo(0x43032fa0);
        assertThat(f.baseSequence()).isEqualTo(153);
        assertThat(f.packetStatusCount()).isEqualTo(1);
        assertThat(f.referenceTime()).isEqualTo(0x3de802);
        assertThat(f.feedbackCount()).isEqualTo(0x17);
        assertThat(f.statuses()).containsExactly(TransportCcFeedback.SMALL_DELTA);
        assertThat(f.deltas()).containsExactly(0x94);
        assertThat(f.arrivalTimesMicros()).containsExactly(0x3de802 * 64_000L + 0x94 * 250L);
    }

    @Test
    void transportCcChunksAllKinds() {
        // base 10, 20 statuses: run of 3 small, 1-bit vector (14: received/lost alternating), 2-bit vector (3)
        ByteBuf b = Unpooled.buffer();
        b.writeByte(0x8F).writeByte(205).writeShort(0).writeInt(1).writeInt(2);
        b.writeShort(10).writeShort(20).writeMedium(-2).writeByte(5);
        b.writeShort(0x2003); // run length: symbol 01 x 3
        b.writeShort(0x8000 | 0b10101010101010); // 14 x 1-bit
        b.writeShort(0xC000 | 0b10_00_01 << 8); // 2-bit: large, not received, small (then unused)
        for (int i = 0; i < 3 + 7; i++) {
            b.writeByte(4); // small deltas: 3 from the run, 7 from the 1-bit vector
        }
        b.writeShort(-8); // the large delta
        b.writeByte(4); // last small
        while (b.writerIndex() % 4 != 0) {
            b.writeByte(0);
        }
        b.setShort(2, b.writerIndex() / 4 - 1);
        TransportCcFeedback f = (TransportCcFeedback) RtcpCompound.parse(b).get(0);
        assertThat(f.packetStatusCount()).isEqualTo(20);
        assertThat(f.receivedCount()).isEqualTo(3 + 7 + 2);
        assertThat(f.referenceTime()).isEqualTo(-2);
        assertThat(f.statuses()[17]).isEqualTo(TransportCcFeedback.LARGE_DELTA);
        assertThat(f.deltas()[17]).isEqualTo(-8);
        assertThat(f.statuses()[18]).isEqualTo(TransportCcFeedback.NOT_RECEIVED);
        assertThat(roundTrip(f)).containsExactly(f);
    }

    @Test
    void unknownTypesAreKept() {
        List<RtcpPacket> p = parse("80cc0002 00000001 41424344"); // APP
        assertThat(p.get(0)).isEqualTo(new UnknownRtcpPacket(204, 0, HexFormat.of().parseHex("0000000141424344")));
        assertThat(roundTrip(p.get(0))).containsExactly(p.get(0));
    }

    @Test
    void rejectsMalformed() {
        assertThatThrownBy(() -> parse("")).isInstanceOf(RtcpException.class);
        assertThatThrownBy(() -> parse("40c80000")).isInstanceOf(RtcpException.class).hasMessageContaining("version");
        assertThatThrownBy(() -> parse("80c90005 00000001")).isInstanceOf(RtcpException.class).hasMessageContaining("runs past");
        assertThatThrownBy(() -> parse("81c90001 00000001")).isInstanceOf(RtcpException.class).hasMessageContaining("RR");
        assertThatThrownBy(() -> parse("a0c90001 00000001 80c90001 00000001")).isInstanceOf(RtcpException.class)
                .hasMessageContaining("padding");
        assertThatThrownBy(() -> parse("8fcd0004 00000001 00000002 00000003 00000000")).isInstanceOf(RtcpException.class);
    }

    @Test
    void demuxByPayloadType() {
        assertThat(RtcpDemux.isRtcp(Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, (byte) 200}))).isTrue();
        assertThat(RtcpDemux.isRtcp(Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, (byte) 206}))).isTrue();
        assertThat(RtcpDemux.isRtcp(Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, 96}))).isFalse();
        assertThat(RtcpDemux.isRtcp(Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, (byte) (0x80 | 111)}))).isFalse();
        assertThat(RtcpDemux.isRtcp(Unpooled.wrappedBuffer(new byte[] {(byte) 0x80}))).isFalse();
    }

    @Test
    void roundTripTime() {
        long sent = NtpTime.fromUnixMillis(1_000_000);
        long lsr = NtpTime.compact(sent);
        long dlsr = NtpTime.toCompactDuration(50_000_000L); // receiver held it 50 ms
        long arrival = NtpTime.compact(NtpTime.fromUnixMillis(1_000_000 + 50 + 30));
        assertThat(NtpTime.roundTripNanos(arrival, lsr, dlsr)).isBetween(29_900_000L, 30_100_000L);
        assertThat(NtpTime.roundTripNanos(arrival, 0, dlsr)).isEqualTo(-1);
    }

    @Test
    void randomBytesOnlyThrowRtcpException() {
        Random rnd = new Random(3550);
        for (int i = 0; i < 30_000; i++) {
            byte[] b = new byte[4 * rnd.nextInt(20) + (rnd.nextInt(5) == 0 ? rnd.nextInt(4) : 0)];
            rnd.nextBytes(b);
            if (b.length >= 4) {
                b[0] = (byte) (0x80 | b[0] & 0x3F);
                b[1] = (byte) (200 + rnd.nextInt(8));
                if (rnd.nextBoolean()) {
                    b[2] = 0;
                    b[3] = (byte) (b.length / 4 - 1);
                }
            }
            try {
                RtcpCompound.parse(Unpooled.wrappedBuffer(b));
            } catch (RtcpException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }
}
