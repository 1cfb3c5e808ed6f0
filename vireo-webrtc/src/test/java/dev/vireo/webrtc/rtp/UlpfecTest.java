package dev.vireo.webrtc.rtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** RFC 5109 level-0 ULPFEC: hand-computed bytes, and recovery of every single loss of a group. */
class UlpfecTest {

    private static ByteBuf hex(String s) {
        return Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(s.replace(" ", "")));
    }

    @Test
    void twoPacketsByHand() {
        ByteBuf p1 = hex("8060 0064 00000bb8 11223344 aabb"); // seq 100, ts 3000, payload aa bb
        ByteBuf p2 = hex("80e0 0065 00000bb8 11223344 cc"); // marker, seq 101, payload cc
        ByteBuf fec = Unpooled.buffer();
        assertThat(UlpfecEncoder.write(fec, List.of(p1, p2))).isEqualTo(16);
        // E=0 L=0 PXCC 0 | M+PT 0x60^0xe0 | SN base 100 | TS 3000^3000 | length 2^1 | protection length 2 | mask 11000..
        // | aa^cc, bb^00
        assertThat(ByteBufUtil.hexDump(fec)).isEqualTo("00800064" + "00000000" + "0003" + "0002" + "c000" + "66bb");

        UlpfecDecoder.Header h = UlpfecDecoder.parse(fec);
        assertThat(h.protectedSequences()).containsExactly(100, 101);
        ByteBuf rebuilt2 = UlpfecDecoder.recover(fec, seq -> seq == 100 ? p1 : null, 0x11223344);
        assertThat(ByteBufUtil.hexDump(rebuilt2)).isEqualTo(ByteBufUtil.hexDump(p2));
        ByteBuf rebuilt1 = UlpfecDecoder.recover(fec, seq -> seq == 101 ? p2 : null, 0x11223344);
        assertThat(ByteBufUtil.hexDump(rebuilt1)).isEqualTo(ByteBufUtil.hexDump(p1));
        // nothing missing, or both missing: nothing to rebuild
        assertThat(UlpfecDecoder.recover(fec, seq -> seq == 100 ? p1 : p2, 1)).isNull();
        assertThat(UlpfecDecoder.recover(fec, seq -> null, 1)).isNull();
    }

    @Test
    void recoversAnySingleLossOfAGroupWithExtensionsAndTheLongMask() {
        Random random = new Random(5109);
        RtpHeaderWriter writer = new RtpHeaderWriter(2, 3); // abs-send-time id 2, transport-cc id 3
        Map<Integer, ByteBuf> sent = new HashMap<>();
        List<ByteBuf> group = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int seq = 65_530 + i & 0xFFFF; // wraps inside the group
            ByteBuf p = Unpooled.buffer();
            writer.write(p, i == 19, 118, seq, 90_000L * (i / 5), 0xCAFE, random.nextInt(), i);
            byte[] payload = new byte[1 + random.nextInt(1100)];
            random.nextBytes(payload);
            p.writeByte(102); // the RED header of the media packet, as sent
            p.writeBytes(payload);
            // what the receiver rebuilds: RED header removed, media PT 102, mutable extensions zeroed
            ByteBuf unwrapped = Unpooled.buffer();
            RtpHeader h = RtpHeader.parse(p);
            unwrapped.writeBytes(p, 0, h.headerLength());
            unwrapped.writeBytes(p, h.headerLength() + 1, p.readableBytes() - h.headerLength() - 1);
            ByteBuf form = Unpooled.buffer();
            UlpfecEncoder.protectedForm(form, unwrapped, 102, 2, 3);
            RtpHeader f = RtpHeader.parse(form);
            assertThat(f.payloadType()).isEqualTo(102);
            assertThat(ByteBufUtil.getBytes(RtpHeaderExtensions.find(form, f, 3))).containsOnly(0);
            assertThat(ByteBufUtil.getBytes(RtpHeaderExtensions.find(form, f, 2))).containsOnly(0);
            sent.put(seq, form);
            group.add(form);
        }
        ByteBuf fec = Unpooled.buffer();
        UlpfecEncoder.write(fec, group);
        UlpfecDecoder.Header h = UlpfecDecoder.parse(fec);
        assertThat(h.longMask()).isTrue();
        assertThat(h.sequenceBase()).isEqualTo(65_530);
        assertThat(h.protectedSequences()).hasSize(20).contains(65_535, 0, 13);
        for (int lost : sent.keySet()) {
            ByteBuf rebuilt = UlpfecDecoder.recover(fec, seq -> seq == lost ? null : sent.get(seq), 0xCAFE);
            assertThat(ByteBufUtil.hexDump(rebuilt)).as("packet %d", lost).isEqualTo(ByteBufUtil.hexDump(sent.get(lost)));
        }
    }

    @Test
    void protectsOnlyWhatFitsTheFormat() {
        ByteBuf p = hex("8060 0064 00000bb8 11223344 aa");
        ByteBuf far = hex("8060 0094 00000bb8 11223344 aa"); // 48 after the base
        assertThatThrownBy(() -> UlpfecEncoder.write(Unpooled.buffer(), List.of(p, far))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UlpfecEncoder.write(Unpooled.buffer(), List.of(p, p))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UlpfecEncoder.write(Unpooled.buffer(), List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UlpfecEncoder.write(Unpooled.buffer(), List.of(hex("8060")))).isInstanceOf(IllegalArgumentException.class);
        assertThat(UlpfecEncoder.groupSize(0)).isZero();
        assertThat(UlpfecEncoder.groupSize(0.05)).isEqualTo(10);
        assertThat(UlpfecEncoder.groupSize(0.30)).isEqualTo(2);
    }

    @Test
    void refusesGarbage() {
        assertThatThrownBy(() -> UlpfecDecoder.parse(hex("0080"))).isInstanceOf(RtpException.class);
        assertThatThrownBy(() -> UlpfecDecoder.parse(hex("80800064 00000000 0003 0002 c000 66bb"))).hasMessageContaining("E bit");
        assertThatThrownBy(() -> UlpfecDecoder.parse(hex("40800064 00000000 0003 0002 c000 66bb"))).hasMessageContaining("long-mask");
        assertThatThrownBy(() -> UlpfecDecoder.parse(hex("00800064 00000000 0003 0002 0000 66bb"))).hasMessageContaining("empty mask");
        assertThatThrownBy(() -> UlpfecDecoder.parse(hex("00800064 00000000 0003 0009 c000 66bb"))).hasMessageContaining("protection length");
        // a recovered length beyond the protection length
        ByteBuf bad = hex("00800064 00000000 0fff 0002 c000 66bb");
        ByteBuf p1 = hex("8060 0064 00000bb8 11223344 aabb");
        assertThatThrownBy(() -> UlpfecDecoder.recover(bad, seq -> seq == 100 ? p1 : null, 1)).isInstanceOf(RtpException.class);
        // a received packet longer than the protection length
        ByteBuf longer = hex("8060 0064 00000bb8 11223344 aabbccdd");
        ByteBuf fec = hex("00800064 00000000 0003 0002 c000 66bb");
        assertThatThrownBy(() -> UlpfecDecoder.recover(fec, seq -> seq == 100 ? longer : null, 1)).isInstanceOf(RtpException.class);
    }
}
