package dev.vireo.webrtc.whep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.core.MediaFrame;
import dev.vireo.media.Codec;
import dev.vireo.media.avc.AvcDecoderConfigurationRecord;
import dev.vireo.webrtc.rtp.RtpPayloads;
import dev.vireo.webrtc.signaling.TrickleIceFragment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WhepPiecesTest {

    private static final byte[] SPS = WhepPlaybackTest.SPS;
    private static final byte[] PPS = WhepPlaybackTest.PPS;

    private static ByteBuf accessUnit(byte[]... nals) {
        ByteBuf au = Unpooled.buffer();
        for (byte[] n : nals) {
            au.writeInt(n.length).writeBytes(n);
        }
        return au;
    }

    private static byte[] nal(int header, int size) {
        byte[] n = new byte[size];
        n[0] = (byte) header;
        for (int i = 1; i < size; i++) {
            n[i] = (byte) (i * 7);
        }
        return n;
    }

    private static List<byte[]> payloads(ByteBuf enc) {
        List<byte[]> out = new ArrayList<>();
        int pos = RtpPayloads.firstPayload(enc);
        for (int i = 0; i < RtpPayloads.count(enc); i++) {
            int len = RtpPayloads.length(enc, i);
            out.add(ByteBufUtil.getBytes(enc, pos, len));
            pos += len;
        }
        assertThat(pos).isEqualTo(enc.writerIndex());
        return out;
    }

    @Test
    void aLargeKeyframeIsFragmentedOnceAndSharedByEveryCaller() {
        MediaFrame key = MediaFrame.media(Codec.H264, 0, 0, true, accessUnit(nal(0x65, 5000)));
        try {
            ByteBuf enc = key.encoded(H264RtpEncoding.INSTANCE);
            assertThat(key.encoded(H264RtpEncoding.INSTANCE)).isSameAs(enc);
            List<byte[]> p = payloads(enc);
            assertThat(p).hasSizeGreaterThan(4);
            // RFC 6184 §5.8 FU-A: indicator type 28, start bit on the first, end bit on the last
            assertThat(p.getFirst()[0] & 0x1f).isEqualTo(28);
            assertThat(p.getFirst()[1] & 0xc0).isEqualTo(0x80);
            assertThat(p.getLast()[1] & 0xc0).isEqualTo(0x40);
            assertThat(p).allSatisfy(b -> assertThat(b.length).isLessThanOrEqualTo(1200));
            for (int i = 0; i < p.size(); i++) {
                assertThat(RtpPayloads.marker(enc, i)).isEqualTo(i == p.size() - 1);
            }
        } finally {
            key.release();
        }
    }

    @Test
    void aConfigFrameBecomesOneStapAWithSpsAndPps() {
        ByteBuf record = Unpooled.buffer();
        AvcDecoderConfigurationRecord.of(SPS, PPS).write(record);
        MediaFrame config = MediaFrame.config(Codec.H264, 0, record);
        try {
            List<byte[]> p = payloads(config.encoded(H264RtpEncoding.INSTANCE));
            assertThat(p).hasSize(1);
            byte[] stap = p.getFirst();
            assertThat(stap[0] & 0x1f).isEqualTo(24); // RFC 6184 §5.7.1 STAP-A
            assertThat(((stap[1] & 0xff) << 8) | (stap[2] & 0xff)).isEqualTo(SPS.length);
            assertThat(java.util.Arrays.copyOfRange(stap, 3, 3 + SPS.length)).isEqualTo(SPS);
            int at = 3 + SPS.length;
            assertThat(((stap[at] & 0xff) << 8) | (stap[at + 1] & 0xff)).isEqualTo(PPS.length);
            assertThat(java.util.Arrays.copyOfRange(stap, at + 2, at + 2 + PPS.length)).isEqualTo(PPS);
        } finally {
            config.release();
        }
    }

    @Test
    void trickleFragmentsYieldCredentialsAndCandidates() {
        TrickleIceFragment f = TrickleIceFragment.parse("a=ice-ufrag:EsAw\r\na=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\n"
                + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n"
                + "a=candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0 ufrag EsAw\r\n"
                + "a=end-of-candidates\r\n");
        assertThat(f.ufrag()).isEqualTo("EsAw");
        assertThat(f.pwd()).isEqualTo("P2uYro0UCOQ4zxjKXaWCBui1");
        assertThat(f.candidates()).hasSize(1);
        assertThat(f.toString()).doesNotContain("P2uYro0UCOQ4zxjKXaWCBui1");
        TrickleIceFragment trickle = TrickleIceFragment.parse("a=candidate:1 1 udp 1 192.0.2.1 1 typ host\n");
        assertThat(trickle.ufrag()).isNull();
        assertThat(trickle.candidates()).hasSize(1);
        assertThatThrownBy(() -> TrickleIceFragment.parse("hello")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TrickleIceFragment.parse("v=0\r\n")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TrickleIceFragment.parse("a=ice-ufrag:abcd\r\n")).hasMessageContaining("together");
    }
}
