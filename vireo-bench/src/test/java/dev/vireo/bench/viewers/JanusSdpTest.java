package dev.vireo.bench.viewers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.webrtc.dtls.CertificateFingerprint;
import dev.vireo.webrtc.ice.IceCredentials;
import dev.vireo.webrtc.sdp.Direction;
import dev.vireo.webrtc.sdp.MediaDescription;
import dev.vireo.webrtc.sdp.RtpCodec;
import dev.vireo.webrtc.sdp.SdpCandidate;
import dev.vireo.webrtc.sdp.SessionDescription;
import dev.vireo.webrtc.sdp.SetupRole;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class JanusSdpTest {

    private static final IceCredentials CREDS = new IceCredentials("abcdefgh", "0123456789abcdefghijklmn");
    private static final CertificateFingerprint FP = CertificateFingerprint.parse(
            "sha-256 A2:09:B4:5D:08:D7:DE:98:34:13:43:38:EA:67:E3:22:0E:FF:0E:DB:BD:31:D1:6A:52:C4:69:FA:F4:26:E7:5A");
    private static final InetSocketAddress VIEWER = new InetSocketAddress("192.0.2.2", 40000);

    /** What Janus 1.1.2's Streaming plugin offered for the bench's mountpoint (IPv6 candidates not ignored). */
    static final String JANUS_OFFER = String.join("\r\n",
            "v=0",
            "o=- 1795588006350227 1 IN IP4 192.0.2.2",
            "s=Mountpoint 1",
            "t=0 0",
            "a=group:BUNDLE v a",
            "a=ice-options:trickle",
            "a=fingerprint:sha-256 D6:ED:AE:5D:18:2D:65:51:2F:DF:69:A3:73:B0:DA:A4:61:59:F8:1D:B5:64:D9:E6:05:CB:A3:29:D0:70:AD:0C",
            "a=extmap-allow-mixed",
            "a=msid-semantic: WMS *",
            "a=ice-lite",
            "m=video 9 UDP/TLS/RTP/SAVPF 96 97",
            "c=IN IP4 192.0.2.2",
            "a=sendonly",
            "a=mid:v",
            "a=rtcp-mux",
            "a=ice-ufrag:WZn1",
            "a=ice-pwd:Pak3VdsPcpwRuItyeY6hUq",
            "a=ice-options:trickle",
            "a=setup:actpass",
            "a=rtpmap:96 H264/90000",
            "a=rtcp-fb:96 ccm fir",
            "a=rtcp-fb:96 nack",
            "a=rtcp-fb:96 nack pli",
            "a=rtcp-fb:96 goog-remb",
            "a=rtcp-fb:96 transport-cc",
            "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
            "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
            "a=fmtp:96 profile-level-id=42e01f;packetization-mode=1",
            "a=rtpmap:97 rtx/90000",
            "a=fmtp:97 apt=96",
            "a=ssrc-group:FID 1406583420 3088641355",
            "a=msid:janus janusv",
            "a=ssrc:1406583420 cname:janus",
            "a=ssrc:3088641355 cname:janus",
            "a=candidate:2 1 udp 2015363583 fd00::2 41291 typ host",
            "a=candidate:1 1 udp 2015363327 192.0.2.2 35699 typ host",
            "a=end-of-candidates",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111",
            "c=IN IP4 192.0.2.2",
            "a=sendonly",
            "a=mid:a",
            "a=rtcp-mux",
            "a=ice-ufrag:WZn1",
            "a=ice-pwd:Pak3VdsPcpwRuItyeY6hUq",
            "a=ice-options:trickle",
            "a=setup:actpass",
            "a=rtpmap:111 opus/48000/2",
            "a=rtcp-fb:111 transport-cc",
            "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
            "a=msid:janus janusa",
            "a=ssrc:1237339977 cname:janus",
            "a=candidate:1 1 udp 2015363327 192.0.2.2 35699 typ host",
            "a=end-of-candidates",
            "");

    @Test
    void theViewerTakesJanussCredentialsIpv4CandidateAndPayloadTypes() {
        RtcSignalling.Peer peer = JanusSdp.answer(JANUS_OFFER, CREDS, FP, VIEWER, 7).peer();
        assertThat(peer.credentials().ufrag()).isEqualTo("WZn1");
        assertThat(peer.credentials().pwd()).isEqualTo("Pak3VdsPcpwRuItyeY6hUq");
        assertThat(peer.fingerprint().toSdpValue()).startsWith("sha-256 D6:ED:AE");
        assertThat(peer.address()).isEqualTo(new InetSocketAddress("192.0.2.2", 35699)); // not the IPv6 one listed first
        assertThat(peer.videoPt()).isEqualTo(96);
        assertThat(peer.audioPt()).isEqualTo(111);
    }

    @Test
    void theAnswerIsABrowserLikeRecvonlyAnswerInTheOffersOrder() {
        SessionDescription answer = SessionDescription.parse(JanusSdp.answer(JANUS_OFFER, CREDS, FP, VIEWER, 7).answer());
        assertThat(answer.bundle()).containsExactly("v", "a");
        assertThat(answer.media()).extracting(MediaDescription::media).containsExactly("video", "audio");
        for (MediaDescription m : answer.media()) {
            assertThat(m.isDtlsSrtp()).isTrue();
            assertThat(m.rtcpMux()).isTrue();
            assertThat(m.direction()).hasValue(Direction.RECVONLY);
            assertThat(answer.setup(m)).hasValue(SetupRole.ACTIVE); // the viewer is the DTLS client
            assertThat(answer.iceUfrag(m)).hasValue("abcdefgh");
            assertThat(answer.icePwd(m)).hasValue("0123456789abcdefghijklmn");
            assertThat(answer.fingerprint(m)).hasValue(FP);
            assertThat(m.ssrcs()).isEmpty();
        }
        MediaDescription video = answer.media().get(0);
        assertThat(video.mid()).hasValue("v");
        assertThat(video.codecs()).extracting(RtpCodec::payloadType).containsExactly(96, 97);
        assertThat(video.codecs().getFirst().parameters()).containsEntry("packetization-mode", "1")
                .containsEntry("profile-level-id", "42e01f");
        assertThat(video.codecs().getFirst().feedback()).contains("nack", "nack pli");
        assertThat(video.codecs().get(1).apt()).isEqualTo(96);
        assertThat(video.extmapId("urn:ietf:params:rtp-hdrext:sdes:mid")).isEqualTo(4);
        assertThat(video.extmapId("http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time")).isEqualTo(2);
        assertThat(video.candidates()).extracting(SdpCandidate::address, SdpCandidate::port, SdpCandidate::type)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("192.0.2.2", 40000, "host"));
        MediaDescription audio = answer.media().get(1);
        assertThat(audio.mid()).hasValue("a");
        assertThat(audio.codecs()).extracting(RtpCodec::name).containsExactly("opus");
        assertThat(audio.codecs().getFirst().channels()).isEqualTo(2);
        assertThat(audio.candidates()).isEmpty(); // bundled: one transport, in the first section
    }

    @Test
    void aSectionTheViewerCannotReceiveIsRejectedWithPortZero() {
        String offer = JANUS_OFFER.replace("a=group:BUNDLE v a", "a=group:BUNDLE v a d")
                + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 192.0.2.2\r\na=mid:d\r\n"
                + "a=sctp-port:5000\r\n";
        SessionDescription answer = SessionDescription.parse(JanusSdp.answer(offer, CREDS, FP, VIEWER, 7).answer());
        assertThat(answer.media()).hasSize(3);
        assertThat(answer.media().get(2).isRejected()).isTrue();
        assertThat(answer.media().get(2).mid()).hasValue("d");
        assertThat(answer.bundle()).containsExactly("v", "a");
    }

    @Test
    void anOfferWithoutH264ModeOneOrWithoutAnIpv4CandidateCannotBeAnswered() {
        assertThatThrownBy(() -> JanusSdp.answer(JANUS_OFFER.replace("packetization-mode=1", "packetization-mode=0"),
                CREDS, FP, VIEWER, 7)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("H.264");
        assertThatThrownBy(() -> JanusSdp.answer(JANUS_OFFER.replace("192.0.2.2 35699", "fd00::3 35699"),
                CREDS, FP, VIEWER, 7)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("IPv4");
        assertThatThrownBy(() -> JanusSdp.answer(JANUS_OFFER.replace("a=ice-ufrag:WZn1\r\n", ""),
                CREDS, FP, VIEWER, 7)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ice-ufrag");
    }
}
