package dev.vireo.webrtc.rtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class RtpPaddingTest {

    @Test
    void aPaddingOnlyPacketParsesAsNoPayloadAndAllPadding() {
        RtpHeaderWriter writer = new RtpHeaderWriter(2, 3);
        ByteBuf b = Unpooled.buffer();
        b.writeZero(5); // the header need not start at 0
        writer.write(b, false, 97, 4242, 90_000, 0x1234_5678, 0x010203, 77);
        RtpPadding.append(b, 5, 224);
        b.readerIndex(5);
        RtpHeader h = RtpHeader.parse(b);
        assertThat(b.getUnsignedByte(5) & 0x20).as("P bit (RFC 3550 §5.1)").isEqualTo(0x20);
        assertThat(b.getUnsignedByte(5) >> 6).isEqualTo(2);
        assertThat(h.payloadType()).isEqualTo(97);
        assertThat(h.sequenceNumber()).isEqualTo(4242);
        assertThat(h.paddingLength()).isEqualTo(224);
        assertThat(h.payloadLength()).isZero();
        assertThat(h.headerLength()).isEqualTo(writer.headerLength());
        assertThat(b.readableBytes()).isEqualTo(writer.headerLength() + 224);
        assertThat((int) b.getUnsignedByte(b.writerIndex() - 1)).isEqualTo(224);
        assertThat((int) b.getUnsignedByte(b.writerIndex() - 2)).isZero();
    }

    @Test
    void oneOctetIsTheCountAloneAndTheCountFitsAnOctet() {
        ByteBuf b = Unpooled.buffer();
        new RtpHeaderWriter(0, 0).write(b, false, 96, 1, 1, 1, 0, 0);
        RtpPadding.append(b, 0, 1);
        assertThat(RtpHeader.parse(b).paddingLength()).isEqualTo(1);
        assertThat(b.readableBytes()).isEqualTo(13);
        assertThatThrownBy(() -> RtpPadding.append(b, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RtpPadding.append(b, 0, 256)).isInstanceOf(IllegalArgumentException.class);
    }
}
