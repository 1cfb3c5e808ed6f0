package dev.vireo.webrtc.rtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RtpHeaderTest {

    @Test
    void parsesCsrcExtensionAndPadding() {
        ByteBuf b = Unpooled.buffer();
        b.writeByte(0x80 | 0x20 | 0x10 | 2).writeByte(0x80 | 111).writeShort(0xABCD).writeInt(0xDEADBEEF).writeInt(0x01020304);
        b.writeInt(7).writeInt(8);
        RtpHeaderExtensions.writeBlock(b, new int[] {1, 3}, new byte[][] {{0x11}, {0x22, 0x33}});
        b.writeBytes(new byte[] {1, 2, 3, 4, 5});
        b.writeBytes(new byte[] {0, 0, 3}); // 3 padding bytes
        RtpHeader h = RtpHeader.parse(b);
        assertThat(h.marker()).isTrue();
        assertThat(h.payloadType()).isEqualTo(111);
        assertThat(h.sequenceNumber()).isEqualTo(0xABCD);
        assertThat(h.timestamp()).isEqualTo(0xDEADBEEFL);
        assertThat(h.ssrc()).isEqualTo(0x01020304);
        assertThat(h.csrcCount()).isEqualTo(2);
        assertThat(h.csrc(b, 1)).isEqualTo(8);
        assertThat(h.extensionProfile()).isEqualTo(0xBEDE);
        assertThat(h.headerLength()).isEqualTo(12 + 8 + 4 + 8);
        assertThat(h.paddingLength()).isEqualTo(3);
        assertThat(ByteBufUtil.getBytes(h.payload(b))).containsExactly(1, 2, 3, 4, 5);
        assertThat(ByteBufUtil.getBytes(RtpHeaderExtensions.find(b, h, 3))).containsExactly(0x22, 0x33);
        assertThat(ByteBufUtil.getBytes(RtpHeaderExtensions.find(b, h, 1))).containsExactly(0x11);
        assertThat(RtpHeaderExtensions.find(b, h, 2)).isNull();
        assertThat(RtpHeader.sequenceNumber(b)).isEqualTo(0xABCD);
        assertThat(RtpHeader.marker(b)).isTrue();
    }

    @Test
    void writerWithOneByteExtensions() {
        RtpHeaderWriter w = new RtpHeaderWriter(3, 5);
        ByteBuf b = Unpooled.buffer();
        w.write(b, true, 96, 65535, 0xFFFFFFFFL, 0xCAFEBABE, 0x123456, 0xBEEF);
        assertThat(b.readableBytes()).isEqualTo(w.headerLength()).isEqualTo(12 + 4 + 8);
        // RFC 8285 §4.2 layout: BEDE 0002 | 32 12 34 56 | 51 BE EF 00
        assertThat(HexFormat.of().formatHex(ByteBufUtil.getBytes(b)))
                .isEqualTo("90e0ffffffffffffcafebabe" + "bede0002" + "32123456" + "51beef00");
        RtpHeader h = RtpHeader.parse(b);
        assertThat(h.marker()).isTrue();
        assertThat(h.payloadLength()).isZero();
        assertThat(RtpHeaderExtensions.find(b, h, 3).readUnsignedMedium()).isEqualTo(0x123456);
        assertThat(RtpHeaderExtensions.find(b, h, 5).readUnsignedShort()).isEqualTo(0xBEEF);
    }

    @Test
    void writerWithTwoByteExtensionsAndWithout() {
        RtpHeaderWriter w = new RtpHeaderWriter(0, 200);
        ByteBuf b = Unpooled.buffer();
        w.write(b, false, 100, 1, 2, 3, 0, 0x4242);
        RtpHeader h = RtpHeader.parse(b);
        assertThat(h.extensionProfile()).isEqualTo(0x1000);
        assertThat(RtpHeaderExtensions.find(b, h, 200).readUnsignedShort()).isEqualTo(0x4242);

        RtpHeaderWriter plain = new RtpHeaderWriter(0, 0);
        ByteBuf c = Unpooled.buffer();
        plain.write(c, false, 100, 1, 2, 3, 0, 0);
        assertThat(plain.headerLength()).isEqualTo(12);
        assertThat(RtpHeader.parse(c).hasExtension()).isFalse();
        ByteBuf d = Unpooled.buffer();
        RtpHeader.write(d, false, 100, 1, 2, 3);
        assertThat(ByteBufUtil.getBytes(d)).isEqualTo(ByteBufUtil.getBytes(c));
    }

    @Test
    void sendFieldsAreRewrittenInPlaceForAPacedPacket() {
        for (RtpHeaderWriter w : new RtpHeaderWriter[] {new RtpHeaderWriter(3, 5), new RtpHeaderWriter(0, 200),
                new RtpHeaderWriter(20, 0), new RtpHeaderWriter(0, 0)}) {
            ByteBuf b = Unpooled.buffer();
            b.writeBytes(new byte[] {9, 9, 9}); // the packet need not start at 0
            w.write(b, true, 96, 7, 90_000, 0xCAFEBABE, 0x111111, 0x2222);
            b.writeBytes(new byte[] {1, 2, 3, 4}); // payload, untouched
            w.rewriteSendFields(b, 3, 0x654321, 0xBEEF);
            ByteBuf expected = Unpooled.buffer();
            expected.writeBytes(new byte[] {9, 9, 9});
            w.write(expected, true, 96, 7, 90_000, 0xCAFEBABE, 0x654321, 0xBEEF);
            expected.writeBytes(new byte[] {1, 2, 3, 4});
            assertThat(ByteBufUtil.getBytes(b)).isEqualTo(ByteBufUtil.getBytes(expected));
        }
    }

    @Test
    void absSendTimeIs6Dot18FixedPoint() {
        assertThat(RtpHeaderExtensions.absSendTime(1_500_000_000L)).isEqualTo(0x060000);
        assertThat(RtpHeaderExtensions.absSendTime(64_000_000_000L)).isZero(); // wraps every 64 s
        assertThat(RtpHeaderExtensions.absSendTime(3_814L)).isEqualTo(0); // below one 2^-18 s tick
        assertThat(RtpHeaderExtensions.absSendTime(3_815L)).isEqualTo(1);
    }

    @Test
    void rejectsMalformed() {
        assertThatThrownBy(() -> RtpHeader.parse(Unpooled.wrappedBuffer(new byte[11]))).isInstanceOf(RtpException.class);
        assertThatThrownBy(() -> RtpHeader.parse(Unpooled.wrappedBuffer(new byte[12]))).isInstanceOf(RtpException.class)
                .hasMessageContaining("version");
        byte[] cc = new byte[12];
        cc[0] = (byte) 0x8F;
        assertThatThrownBy(() -> RtpHeader.parse(Unpooled.wrappedBuffer(cc))).isInstanceOf(RtpException.class);
        byte[] pad = new byte[13];
        pad[0] = (byte) 0xA0;
        pad[12] = 5;
        assertThatThrownBy(() -> RtpHeader.parse(Unpooled.wrappedBuffer(pad))).isInstanceOf(RtpException.class)
                .hasMessageContaining("padding");
        ByteBuf badExt = Unpooled.buffer().writeByte(0x90).writeByte(0).writeShort(0).writeInt(0).writeInt(0)
                .writeShort(0xBEDE).writeShort(1).writeByte(0x2F).writeByte(0).writeShort(0);
        RtpHeader h = RtpHeader.parse(badExt);
        assertThatThrownBy(() -> RtpHeaderExtensions.find(badExt, h, 2)).isInstanceOf(RtpException.class);
    }

    @Test
    void randomBytesOnlyThrowRtpException() {
        Random rnd = new Random(3550);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[rnd.nextInt(80)];
            rnd.nextBytes(b);
            if (b.length > 0) {
                b[0] = (byte) (0x80 | b[0] & 0x3F);
            }
            ByteBuf buf = Unpooled.wrappedBuffer(b);
            try {
                RtpHeader h = RtpHeader.parse(buf);
                for (int id = 1; id < 16; id++) {
                    RtpHeaderExtensions.find(buf, h, id);
                }
                h.payload(buf);
            } catch (RtpException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }
}
