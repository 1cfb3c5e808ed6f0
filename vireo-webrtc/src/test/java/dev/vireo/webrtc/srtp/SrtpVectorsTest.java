package dev.vireo.webrtc.srtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Published vectors: RFC 3711 Appendix B, RFC 7714 §16–17, and libsrtp's srtp_validate(). */
class SrtpVectorsTest {

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("\\s", ""));
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    static byte[] bytes(ByteBuf b) {
        byte[] out = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), out);
        return out;
    }

    static final byte[] B3_KEY = hex("E1F97A0D3E018BE0D64FA32C06DE4139");
    static final byte[] B3_SALT = hex("0EC675AD498AFEEBB6960B3AABE6");

    @Test
    void rfc3711AppendixB3KeyDerivation() {
        assertThat(SrtpKeyDerivation.derive(B3_KEY, B3_SALT, SrtpKeyDerivation.LABEL_RTP_ENCRYPTION, 16))
                .isEqualTo(hex("C61E7A93744F39EE10734AFE3FF7A087"));
        assertThat(SrtpKeyDerivation.derive(B3_KEY, B3_SALT, SrtpKeyDerivation.LABEL_RTP_SALT, 14))
                .isEqualTo(hex("30CBBC08863D8C85D49DB34A9AE1"));
        assertThat(SrtpKeyDerivation.derive(B3_KEY, B3_SALT, SrtpKeyDerivation.LABEL_RTP_AUTH, 94))
                .isEqualTo(hex("""
                        CEBE321F6FF7716B6FD4AB49AF256A15 6D38BAA48F0A0ACF3C34E2359E6CDBCE
                        E049646C43D9327AD175578EF7227098 6371C10C9A369AC2F94A8C5FBCDDDC25
                        6D6E919A48B610EF17C2041E47403576 6B68642C59BBFC2F34DB60DBDFB2"""));
    }

    @Test
    void rfc3711AppendixB2KeystreamSegment() {
        // session key and salt given directly; SSRC 0, ROC 0, SEQ 0
        SrtpContext ctx = new SrtpContext(SrtpProfile.AES_CM_128_HMAC_SHA1_80,
                hex("2B7E151628AED2A6ABF7158809CF4F3C"), hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD"), new byte[20],
                new byte[16], new byte[14], new byte[20]);
        byte[] ks = ctx.rtpKeystream(0, 0, 0xFF02 * 16);
        assertThat(hex(Arrays.copyOfRange(ks, 0, 48))).isEqualToIgnoringCase(
                "E03EAD0935C95E80E166B16DD92B4EB4" + "D23513162B02D0F72A43A2FE4A5F97AB" + "41E95B3BB0A2E8DD477901E4FCA894C0");
        assertThat(hex(Arrays.copyOfRange(ks, 0xFEFF * 16, 0xFF02 * 16))).isEqualToIgnoringCase(
                "EC8CDF7398607CB0F2D21675EA9EA1E4" + "362B7C3C6773516318A077D7FC5073AE" + "6A2CC3787889374FBEB4C81B17BA6C44");
    }

    // libsrtp test/srtp_driver.c srtp_validate(): default policy (AES_CM_128_HMAC_SHA1_80), SSRC cafebabe
    static final byte[] LIBSRTP_KEY = hex("e1f97a0d3e018be0d64fa32c06de4139");
    static final byte[] LIBSRTP_SALT = hex("0ec675ad498afeebb6960b3aabe6");
    static final byte[] RTP_PLAIN = hex("800f1234decafbadcafebabe" + "ab".repeat(16));
    static final byte[] RTCP_PLAIN = hex("81c8000bcafebabe" + "ab".repeat(16));

    @Test
    void libsrtpAesCmVectors() {
        SrtpContext tx = new SrtpContext(SrtpProfile.AES_CM_128_HMAC_SHA1_80, LIBSRTP_KEY, LIBSRTP_SALT);
        byte[] srtp = hex("800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb");
        byte[] srtcp = hex("81c8000bcafebabe7128035be487b9bdbef89041f977a5a880000001993e08cd54d6c1230798");
        ByteBuf p = Unpooled.buffer().writeBytes(RTP_PLAIN);
        tx.protectRtp(p);
        assertThat(hex(bytes(p))).isEqualTo(hex(srtp));
        tx.state(0xcafebabe, true).nextSrtcpIndex = 1; // libsrtp numbers SRTCP from 1
        ByteBuf c = Unpooled.buffer().writeBytes(RTCP_PLAIN);
        tx.protectRtcp(c);
        assertThat(hex(bytes(c))).isEqualTo(hex(srtcp));

        SrtpContext rx = new SrtpContext(SrtpProfile.AES_CM_128_HMAC_SHA1_80, LIBSRTP_KEY, LIBSRTP_SALT);
        ByteBuf p2 = Unpooled.wrappedBuffer(srtp.clone());
        rx.unprotectRtp(p2);
        assertThat(bytes(p2)).isEqualTo(RTP_PLAIN);
        ByteBuf c2 = Unpooled.wrappedBuffer(srtcp.clone());
        rx.unprotectRtcp(c2);
        assertThat(bytes(c2)).isEqualTo(RTCP_PLAIN);
    }

    @Test
    void libsrtpGcmVectorsThroughTheKdf() {
        // libsrtp srtp_validate_gcm(): master key 00..0f, 96-bit master salt a0..ab
        byte[] key = hex("000102030405060708090a0b0c0d0e0f");
        byte[] salt = hex("a0a1a2a3a4a5a6a7a8a9aaab");
        byte[] srtp = hex("800f1234decafbadcafebabec5002ede04cfdd2eb91159e0880aa06ed2976826f796b201df3131a127e8a392");
        byte[] srtcp = hex("81c8000bcafebabec98b8b5df0392a55852b6c21ac8e7025c52c6fbea2b3b446ea31123ba88ce61e80000001");
        SrtpContext tx = new SrtpContext(SrtpProfile.AEAD_AES_128_GCM, key, salt);
        ByteBuf p = Unpooled.buffer().writeBytes(RTP_PLAIN);
        tx.protectRtp(p);
        assertThat(hex(bytes(p))).isEqualTo(hex(srtp));
        tx.state(0xcafebabe, true).nextSrtcpIndex = 1;
        ByteBuf c = Unpooled.buffer().writeBytes(RTCP_PLAIN);
        tx.protectRtcp(c);
        assertThat(hex(bytes(c))).isEqualTo(hex(srtcp));

        SrtpContext rx = new SrtpContext(SrtpProfile.AEAD_AES_128_GCM, key, salt);
        ByteBuf p2 = Unpooled.wrappedBuffer(srtp.clone());
        rx.unprotectRtp(p2);
        assertThat(bytes(p2)).isEqualTo(RTP_PLAIN);
        ByteBuf c2 = Unpooled.wrappedBuffer(srtcp.clone());
        rx.unprotectRtcp(c2);
        assertThat(bytes(c2)).isEqualTo(RTCP_PLAIN);
    }

    // RFC 7714 §16–17: session key 00..0f and session salt "Quid pro quo" given directly
    static SrtpContext rfc7714() {
        byte[] key = hex("000102030405060708090a0b0c0d0e0f");
        byte[] salt = hex("517569642070726f2071756f");
        return new SrtpContext(SrtpProfile.AEAD_AES_128_GCM, key, salt, null, key, salt, null);
    }

    static final byte[] RFC7714_RTP = hex("""
            8040f17b8041f8d35501a0b247616c6c696120657374206f6d6e697320646976
            69736120696e207061727465732074726573""");
    static final byte[] RFC7714_SRTP = hex("""
            8040f17b8041f8d35501a0b2f24de3a3fb34de6cacba861c9d7e4bcabe633bd5
            0d294e6f42a5f47a51c7d19b36de3adf8833899d7f27beb16a9152cf765ee439
            0cce""");
    static final byte[] RFC7714_RTCP = hex("""
            81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61
            deadbeefdeadbeefdeadbeefdeadbeefdeadbeef""");
    static final byte[] RFC7714_SRTCP = hex("""
            81c8000d4d61727363e94885dcdab67ca727d7662f6b7e997ff5c0f76c06f32d
            c676a5f1730d6fda4ce09b4686303ded0bb9275bc84aa45896cf4d2fc5abf872
            45d9eade800005d4""");
    static final byte[] RFC7714_SRTCP_TAG_ONLY = hex("""
            81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61
            deadbeefdeadbeefdeadbeefdeadbeefdeadbeef841dd9683dd78ec92ae58790
            125f62b3000005d4""");

    @Test
    void rfc7714Section16RtpEncryptionAndDecryption() {
        ByteBuf p = Unpooled.buffer().writeBytes(RFC7714_RTP);
        rfc7714().protectRtp(p);
        assertThat(hex(bytes(p))).isEqualTo(hex(RFC7714_SRTP));

        ByteBuf q = Unpooled.wrappedBuffer(RFC7714_SRTP.clone());
        rfc7714().unprotectRtp(q);
        assertThat(bytes(q)).isEqualTo(RFC7714_RTP);
    }

    @Test
    void rfc7714Section17RtcpEncryptionAndDecryption() {
        SrtpContext tx = rfc7714();
        tx.state(0x4d617273, true).nextSrtcpIndex = 0x5d4;
        ByteBuf c = Unpooled.buffer().writeBytes(RFC7714_RTCP);
        tx.protectRtcp(c);
        assertThat(hex(bytes(c))).isEqualTo(hex(RFC7714_SRTCP));

        ByteBuf d = Unpooled.wrappedBuffer(RFC7714_SRTCP.clone());
        rfc7714().unprotectRtcp(d);
        assertThat(bytes(d)).isEqualTo(RFC7714_RTCP);

        // §17.3: authenticated but not encrypted (E = 0)
        ByteBuf t = Unpooled.wrappedBuffer(RFC7714_SRTCP_TAG_ONLY.clone());
        rfc7714().unprotectRtcp(t);
        assertThat(bytes(t)).isEqualTo(RFC7714_RTCP);
    }
}
