package dev.vireo.webrtc.stun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** RFC 5769 test vectors: parse, verify, and reproduce byte for byte. */
class StunMessageTest {

    static final byte[] PASSWORD = "VOkJxbRl1RmTxUk/WvJxBt".getBytes(StandardCharsets.UTF_8);
    static final byte[] TX = hex("b7e7a701bc34d686fa87dfae");

    // RFC 5769 §2.1 Sample Request
    static final byte[] REQUEST = hex("""
            000100582112a442b7e7a701bc34d686fa87dfae
            802200105354554e20746573742063
            6c69656e74002400046e0001ff80290008
            932ff9b151263b360006000965767
            46a3a683676592020200008001
            49aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a280280004e57a3bcf""");

    // RFC 5769 §2.2 Sample IPv4 Response
    static final byte[] RESPONSE_V4 = hex("""
            0101003c2112a442b7e7a701bc34d686fa87dfae
            8022000b7465737420766563746f7220
            0020000800 01a147e112a643
            000800142b91f599fd9e90c38c7489f92af9ba53f06be7d7
            80280004c07d4c96""");

    // RFC 5769 §2.3 Sample IPv6 Response
    static final byte[] RESPONSE_V6 = hex("""
            010100482112a442b7e7a701bc34d686fa87dfae
            8022000b7465737420766563746f7220
            002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d9
            00080014a382954e4be67bf11784c97c8292c275bfe3ed41
            80280004c8fb0b4c""");

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("\\s", ""));
    }

    static StunMessage parse(byte[] b) {
        return StunMessage.parse(Unpooled.wrappedBuffer(b));
    }

    @Test
    void sampleRequest() {
        StunMessage m = parse(REQUEST);
        assertThat(m.isBindingRequest()).isTrue();
        assertThat(m.messageType()).isEqualTo(0x0001);
        assertThat(m.transactionId()).isEqualTo(TX);
        assertThat(m.attributes()).startsWith(
                new StunAttribute.Software("STUN test client"),
                new StunAttribute.Priority(0x6e0001ffL),
                new StunAttribute.IceControlled(0x932ff9b151263b36L),
                new StunAttribute.Username("evtj:h6vY"));
        assertThat(m.attributes()).hasSize(6);
        assertThat(m.username()).contains("evtj:h6vY");
        assertThat(m.verifyIntegrity(PASSWORD)).isTrue();
        assertThat(m.verifyIntegrity("wrong".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(m.verifyFingerprint()).isTrue();
        assertThat(m.unknownComprehensionRequired()).isEmpty();
    }

    @Test
    void sampleRequestReproduced() {
        byte[] built = new StunMessageBuilder(StunMessage.BINDING, StunClass.REQUEST, TX)
                .add(new StunAttribute.Software("STUN test client"))
                .add(new StunAttribute.Priority(0x6e0001ffL))
                .add(new StunAttribute.IceControlled(0x932ff9b151263b36L))
                .add(new StunAttribute.Username("evtj:h6vY"))
                .integrity(PASSWORD)
                .fingerprint()
                .paddingByte(' ')
                .toBytes();
        assertThat(built).isEqualTo(REQUEST);
    }

    @Test
    void sampleIpv4Response() throws Exception {
        StunMessage m = parse(RESPONSE_V4);
        assertThat(m.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
        assertThat(m.method()).isEqualTo(StunMessage.BINDING);
        InetSocketAddress expected = new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853);
        assertThat(m.attribute(StunAttribute.XorMappedAddress.class)).get()
                .extracting(StunAttribute.XorMappedAddress::address).isEqualTo(expected);
        assertThat(m.attribute(StunAttribute.Software.class)).get()
                .extracting(StunAttribute.Software::value).isEqualTo("test vector");
        assertThat(m.verifyIntegrity(PASSWORD)).isTrue();
        assertThat(m.verifyFingerprint()).isTrue();

        byte[] built = new StunMessageBuilder(StunMessage.BINDING, StunClass.SUCCESS_RESPONSE, TX)
                .add(new StunAttribute.Software("test vector"))
                .add(new StunAttribute.XorMappedAddress(expected))
                .integrity(PASSWORD).fingerprint().paddingByte(' ').toBytes();
        assertThat(built).isEqualTo(RESPONSE_V4);
    }

    @Test
    void sampleIpv6Response() throws Exception {
        StunMessage m = parse(RESPONSE_V6);
        InetSocketAddress expected = new InetSocketAddress(
                InetAddress.getByName("2001:db8:1234:5678:11:2233:4455:6677"), 32853);
        assertThat(m.attribute(StunAttribute.XorMappedAddress.class)).get()
                .extracting(StunAttribute.XorMappedAddress::address).isEqualTo(expected);
        assertThat(m.verifyIntegrity(PASSWORD)).isTrue();
        assertThat(m.verifyFingerprint()).isTrue();

        byte[] built = new StunMessageBuilder(StunMessage.BINDING, StunClass.SUCCESS_RESPONSE, TX)
                .add(new StunAttribute.Software("test vector"))
                .add(new StunAttribute.XorMappedAddress(expected))
                .integrity(PASSWORD).fingerprint().paddingByte(' ').toBytes();
        assertThat(built).isEqualTo(RESPONSE_V6);
    }

    @Test
    void tamperingBreaksIntegrityAndFingerprint() {
        for (int i = 0; i < REQUEST.length - 8; i++) {
            if (i >= 2 && i < 4) {
                continue; // the length field: changing it makes the message unparseable instead
            }
            byte[] b = REQUEST.clone();
            b[i] ^= 0x01;
            StunMessage m;
            try {
                m = parse(b);
            } catch (StunException e) {
                continue; // e.g. a flipped type bit or attribute length
            }
            assertThat(m.verifyFingerprint()).as("byte %d", i).isFalse();
            if (i < 76) {
                assertThat(m.verifyIntegrity(PASSWORD)).as("byte %d", i).isFalse();
            }
        }
    }

    @Test
    void messageTypeEncoding() {
        // RFC 8489 §5: Binding request 0x0001, success 0x0101, error 0x0111, indication 0x0011
        assertThat(StunMessage.messageType(StunMessage.BINDING, StunClass.REQUEST)).isEqualTo(0x0001);
        assertThat(StunMessage.messageType(StunMessage.BINDING, StunClass.SUCCESS_RESPONSE)).isEqualTo(0x0101);
        assertThat(StunMessage.messageType(StunMessage.BINDING, StunClass.ERROR_RESPONSE)).isEqualTo(0x0111);
        assertThat(StunMessage.messageType(StunMessage.BINDING, StunClass.INDICATION)).isEqualTo(0x0011);
        for (int method = 0; method <= 0xFFF; method += 0x3B) {
            for (StunClass c : StunClass.values()) {
                byte[] built = new StunMessageBuilder(method, c, TX).toBytes();
                StunMessage m = parse(built);
                assertThat(m.method()).isEqualTo(method);
                assertThat(m.messageClass()).isEqualTo(c);
            }
        }
    }

    @Test
    void sha256IntegrityRoundTrip() {
        byte[] key = "pass".getBytes(StandardCharsets.UTF_8);
        byte[] built = new StunMessageBuilder(StunMessage.BINDING, StunClass.REQUEST, TX)
                .add(new StunAttribute.Username("a:b"))
                .integrity(key).integritySha256(key).fingerprint().toBytes();
        StunMessage m = parse(built);
        assertThat(m.attribute(StunAttribute.MessageIntegritySha256.class)).isPresent();
        assertThat(m.verifyIntegrity(key)).isTrue();
        assertThat(m.verifyIntegrity("other".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(m.verifyFingerprint()).isTrue();
    }

    @Test
    void errorCodeAndUnknownAttributes() {
        byte[] built = new StunMessageBuilder(StunMessage.BINDING, StunClass.ERROR_RESPONSE, TX)
                .add(new StunAttribute.ErrorCode(420, "Unknown Attribute"))
                .add(new StunAttribute.UnknownAttributes(new int[] {0x7777, 0x0033}))
                .toBytes();
        StunMessage m = parse(built);
        assertThat(m.attributes()).containsExactly(new StunAttribute.ErrorCode(420, "Unknown Attribute"),
                new StunAttribute.UnknownAttributes(new int[] {0x7777, 0x0033}));
    }

    @Test
    void attributesAfterIntegrityAreIgnored() {
        byte[] key = "k".getBytes(StandardCharsets.UTF_8);
        byte[] withMi = new StunMessageBuilder(StunMessage.BINDING, StunClass.REQUEST, TX)
                .add(new StunAttribute.Username("a:b")).integrity(key).toBytes();
        // append a PRIORITY after MESSAGE-INTEGRITY and fix the length
        ByteBuf b = Unpooled.buffer().writeBytes(withMi).writeShort(StunAttribute.PRIORITY).writeShort(4).writeInt(7);
        b.setShort(2, b.readableBytes() - 20);
        StunMessage m = StunMessage.parse(b);
        assertThat(m.attribute(StunAttribute.Priority.class)).isEmpty();
        assertThat(m.attributes()).hasSize(2);
    }

    @Test
    void rejectsMalformed() {
        assertThatThrownBy(() -> parse(new byte[19])).isInstanceOf(StunException.class).hasMessageContaining("shorter");
        byte[] noCookie = REQUEST.clone();
        noCookie[4] = 0;
        assertThatThrownBy(() -> parse(noCookie)).isInstanceOf(StunException.class).hasMessageContaining("cookie");
        byte[] badLen = REQUEST.clone();
        badLen[3] = 0x54;
        assertThatThrownBy(() -> parse(badLen)).isInstanceOf(StunException.class).hasMessageContaining("length");
        byte[] highBits = REQUEST.clone();
        highBits[0] = (byte) 0xC0;
        assertThatThrownBy(() -> parse(highBits)).isInstanceOf(StunException.class);
        byte[] afterFp = hex("000100082112a442b7e7a701bc34d686fa87dfae80280004e57a3bcf");
        byte[] twoFp = new byte[afterFp.length + 8];
        System.arraycopy(afterFp, 0, twoFp, 0, afterFp.length);
        System.arraycopy(afterFp, 20, twoFp, afterFp.length, 8);
        twoFp[3] = 16;
        assertThatThrownBy(() -> parse(twoFp)).isInstanceOf(StunException.class).hasMessageContaining("FINGERPRINT");
    }

    @Test
    void isStunPerRfc7983() {
        assertThat(StunMessage.isStun(Unpooled.wrappedBuffer(REQUEST))).isTrue();
        assertThat(StunMessage.isStun(Unpooled.wrappedBuffer(new byte[] {3}))).isTrue();
        assertThat(StunMessage.isStun(Unpooled.wrappedBuffer(new byte[] {22}))).isFalse(); // DTLS
        assertThat(StunMessage.isStun(Unpooled.wrappedBuffer(new byte[] {(byte) 0x80}))).isFalse(); // RTP
        assertThat(StunMessage.isStun(Unpooled.EMPTY_BUFFER)).isFalse();
    }
}
