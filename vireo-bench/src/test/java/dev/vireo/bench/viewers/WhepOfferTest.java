package dev.vireo.bench.viewers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.webrtc.dtls.CertificateFingerprint;
import dev.vireo.webrtc.ice.IceCredentials;
import dev.vireo.webrtc.sdp.Direction;
import dev.vireo.webrtc.sdp.MediaDescription;
import dev.vireo.webrtc.sdp.RtpCodec;
import dev.vireo.webrtc.sdp.SessionDescription;
import dev.vireo.webrtc.sdp.SetupRole;
import org.junit.jupiter.api.Test;

class WhepOfferTest {

    private static final IceCredentials CREDS = new IceCredentials("abcd", "0123456789abcdefghijklmn");
    private static final CertificateFingerprint FP = CertificateFingerprint.parse(
            "sha-256 A2:09:B4:5D:08:D7:DE:98:34:13:43:38:EA:67:E3:22:0E:FF:0E:DB:BD:31:D1:6A:52:C4:69:FA:F4:26:E7:5A");

    @Test
    void theOfferIsABundledRecvonlyH264AndOpusOfferTheServerParserAccepts() {
        SessionDescription sdp = SessionDescription.parse(WhepOffer.build(-42, CREDS, FP));
        assertThat(sdp.bundle()).containsExactly("0", "1");
        assertThat(sdp.sessionId()).isEqualTo(Long.toString(-42L & Long.MAX_VALUE));
        assertThat(sdp.media()).extracting(MediaDescription::media).containsExactly("video", "audio");
        for (MediaDescription m : sdp.media()) {
            assertThat(m.isDtlsSrtp()).isTrue();
            assertThat(m.rtcpMux()).isTrue();
            assertThat(m.direction()).hasValue(Direction.RECVONLY);
            assertThat(sdp.iceUfrag(m)).hasValue("abcd");
            assertThat(sdp.icePwd(m)).hasValue(CREDS.pwd());
            assertThat(sdp.setup(m)).hasValue(SetupRole.ACTPASS);
            assertThat(sdp.fingerprint(m)).isPresent();
        }
        RtpCodec h264 = sdp.media().get(0).codecs().stream().filter(c -> c.is("H264")).findFirst().orElseThrow();
        assertThat(h264.payloadType()).isEqualTo(WhepOffer.H264_PT);
        assertThat(h264.packetizationMode()).isEqualTo(1);
        assertThat(h264.hasFeedback("nack")).isTrue();
        assertThat(sdp.media().get(0).codecs()).anyMatch(c -> c.isRtx() && c.apt() == WhepOffer.H264_PT);
        RtpCodec opus = sdp.media().get(1).codecs().getFirst();
        assertThat(opus.is("opus")).isTrue();
        assertThat(opus.clockRate()).isEqualTo(48_000);
        assertThat(opus.channels()).isEqualTo(2);
    }

    @Test
    void theAnswerGivesCredentialsLoopbackPortAndChosenPayloadTypes() {
        String answer = """
                v=0\r
                o=- 1 2 IN IP4 127.0.0.1\r
                s=-\r
                t=0 0\r
                a=ice-lite\r
                a=group:BUNDLE 0 1\r
                m=video 9 UDP/TLS/RTP/SAVPF 102 103\r
                a=ice-ufrag:srv1\r
                a=ice-pwd:serverpassword0123456789\r
                a=fingerprint:sha-256 A2:09:B4:5D:08:D7:DE:98:34:13:43:38:EA:67:E3:22:0E:FF:0E:DB:BD:31:D1:6A:52:C4:69:FA:F4:26:E7:5A\r
                a=candidate:1 1 udp 2130706431 192.0.2.7 8000 typ host\r
                a=candidate:2 1 udp 2130706431 127.0.0.1 40123 typ host\r
                m=audio 9 UDP/TLS/RTP/SAVPF 111\r
                """;
        WhepOffer.Answer a = WhepOffer.Answer.parse(answer);
        assertThat(a.credentials()).isEqualTo(new IceCredentials("srv1", "serverpassword0123456789"));
        assertThat(a.fingerprint()).isEqualTo(FP);
        assertThat(a.port()).isEqualTo(40123);
        assertThat(a.videoPt()).isEqualTo(102);
        assertThat(a.audioPt()).isEqualTo(111);

        WhepOffer.Answer videoOnly = WhepOffer.Answer.parse(answer.replace("m=audio 9 ", "m=audio 0 ")
                .replace("127.0.0.1 40123", "10.0.0.1 40123"));
        assertThat(videoOnly.audioPt()).as("a rejected section").isEqualTo(-1);
        assertThat(videoOnly.port()).as("no loopback candidate").isEqualTo(-1);
        assertThatThrownBy(() -> WhepOffer.Answer.parse(answer.replaceAll("a=ice-pwd:.*\r\n", "")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
