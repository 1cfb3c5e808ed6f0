package dev.vireo.webrtc.sdp;

import dev.vireo.webrtc.dtls.CertificateFingerprint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SessionDescriptionTest {

    @Test
    void parsesChromiumRecvonlyOffer() {
        String text = ChromiumOffers.text(ChromiumOffers.RECVONLY_VIDEO_AUDIO);
        assertThat(text).contains("\r\n");
        SessionDescription sd = SessionDescription.parse(text);
        assertThat(sd.sessionName()).isEqualTo("-");
        assertThat(sd.bundle()).containsExactly("0", "1");
        assertThat(sd.iceLite()).isFalse();
        assertThat(sd.media()).hasSize(2);

        MediaDescription video = sd.media().get(0);
        assertThat(video.media()).isEqualTo("video");
        assertThat(video.port()).isEqualTo(9);
        assertThat(video.proto()).isEqualTo("UDP/TLS/RTP/SAVPF");
        assertThat(video.isDtlsSrtp()).isTrue();
        assertThat(video.mid()).contains("0");
        assertThat(sd.direction(video)).isEqualTo(Direction.RECVONLY);
        assertThat(video.rtcpMux()).isTrue();
        assertThat(sd.iceUfrag(video)).contains("LtzC");
        assertThat(sd.icePwd(video)).contains("Xg5tQy7DNM+RV77GQEVkrur6");
        assertThat(sd.setup(video)).contains(SetupRole.ACTPASS);
        CertificateFingerprint fp = sd.fingerprint(video).orElseThrow();
        assertThat(fp.hashFunction()).isEqualTo("sha-256");
        assertThat(fp.value()).hasSize(32);
        assertThat(fp.toSdpValue()).startsWith("sha-256 A2:09:B4:5D");
        assertThat(video.extmapId("http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time")).isEqualTo(2);
        assertThat(video.extmapId("http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01")).isEqualTo(4);
        assertThat(video.extmaps()).hasSize(11);

        List<RtpCodec> codecs = video.codecs();
        assertThat(codecs).hasSize(video.formats().size());
        RtpCodec h264 = codecs.stream().filter(c -> c.payloadType() == 108).findFirst().orElseThrow();
        assertThat(h264.is("h264")).isTrue();
        assertThat(h264.clockRate()).isEqualTo(90000);
        assertThat(h264.packetizationMode()).isEqualTo(1);
        assertThat(h264.levelAsymmetryAllowed()).isTrue();
        assertThat(h264.h264ProfileLevelId().profile()).contains(H264Profile.CONSTRAINED_BASELINE);
        assertThat(h264.feedback()).containsExactly("goog-remb", "transport-cc", "ccm fir", "nack", "nack pli");
        RtpCodec rtx = codecs.stream().filter(c -> c.payloadType() == 109).findFirst().orElseThrow();
        assertThat(rtx.isRtx()).isTrue();
        assertThat(rtx.apt()).isEqualTo(108);
        assertThat(codecs.stream().filter(c -> c.is("AV1")).map(c -> c.intParameter("profile", -1)))
                .containsExactly(0, 1);

        MediaDescription audio = sd.media().get(1);
        RtpCodec opus = audio.codecs().get(0);
        assertThat(opus.rtpmapValue()).isEqualTo("111 opus/48000/2");
        assertThat(opus.parameters()).containsEntry("minptime", "10").containsEntry("useinbandfec", "1");
        assertThat(audio.codecs()).extracting(RtpCodec::name)
                .containsExactly("opus", "red", "G722", "PCMU", "PCMA", "CN", "telephone-event", "telephone-event");
    }

    @Test
    void parsesWhipOfferSsrcsAndMsid() {
        SessionDescription sd = ChromiumOffers.parse(ChromiumOffers.SENDONLY_WHIP);
        MediaDescription video = sd.media().get(0);
        assertThat(sd.direction(video)).isEqualTo(Direction.SENDONLY);
        assertThat(video.msid()).hasValueSatisfying(m -> assertThat(m.split(" ")).hasSize(2));
        assertThat(video.attributes("ssrc-group")).singleElement().asString().startsWith("FID ");
        List<SsrcAttribute> ssrcs = video.ssrcs();
        assertThat(ssrcs).hasSize(4);
        assertThat(ssrcs.get(0).attribute()).isEqualTo("cname");
        assertThat(ssrcs.get(0).ssrc()).isEqualTo(3010870994L);
        assertThat(sd.media().get(1).ssrcs()).extracting(SsrcAttribute::attribute).containsExactly("cname", "msid");
    }

    @Test
    void profileLevelIds() {
        assertThat(H264ProfileLevelId.parse("42e01f").profile()).contains(H264Profile.CONSTRAINED_BASELINE);
        assertThat(H264ProfileLevelId.parse("42001f").profile()).contains(H264Profile.BASELINE);
        assertThat(H264ProfileLevelId.parse("4d001f").profile()).contains(H264Profile.MAIN);
        assertThat(H264ProfileLevelId.parse("4d401f").profile()).contains(H264Profile.MAIN); // x264 main
        assertThat(H264ProfileLevelId.parse("64001f").profile()).contains(H264Profile.HIGH);
        assertThat(H264ProfileLevelId.parse("640c1f").profile()).contains(H264Profile.CONSTRAINED_HIGH);
        assertThat(H264ProfileLevelId.parse("f4001f").profile()).contains(H264Profile.PREDICTIVE_HIGH_444);
        assertThat(H264ProfileLevelId.parse("42c01f").profile()).contains(H264Profile.CONSTRAINED_BASELINE); // x264 baseline
        assertThat(H264ProfileLevelId.parse("6e001f").profile()).isEmpty(); // High 10
        assertThat(H264ProfileLevelId.parse("42f00b").levelOrder()).isEqualTo(9); // level 1b
        assertThat(H264ProfileLevelId.parse("42E01F").sdpValue()).isEqualTo("42e01f");
        assertThatThrownBy(() -> H264ProfileLevelId.parse("42e0")).isInstanceOf(SdpException.class);
        assertThatThrownBy(() -> H264ProfileLevelId.parse("zzzzzz")).isInstanceOf(SdpException.class);
        assertThat(new RtpCodec(96, "H264", 90000, 1, java.util.Map.of(), null, List.of()).h264ProfileLevelId())
                .isEqualTo(H264ProfileLevelId.DEFAULT);
    }

    @Test
    void candidatesAndFingerprintsRoundTrip() {
        SdpCandidate udp = SdpCandidate.udpHost("1", "192.0.2.10", 8000, 65535);
        assertThat(udp.sdpValue()).isEqualTo("1 1 udp 2130706431 192.0.2.10 8000 typ host");
        SdpCandidate tcp = SdpCandidate.tcpPassiveHost("2", "2001:db8::1", 8000, 0);
        assertThat(tcp.sdpValue()).isEqualTo("2 1 tcp 1518338303 2001:db8::1 8000 typ host tcptype passive");
        assertThat(tcp.priority()).isLessThan(SdpCandidate.udpHost("1", "x", 1, 0).priority());
        assertThat(SdpCandidate.parse(tcp.sdpValue())).isEqualTo(tcp);
        assertThat(SdpCandidate.parse("842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 0.0.0.0 rport 0 generation 0"))
                .extracting(SdpCandidate::type, SdpCandidate::port).containsExactly("srflx", 46154);
        byte[] digest = new byte[32];
        digest[0] = (byte) 0xAB;
        CertificateFingerprint f = new CertificateFingerprint("sha-256", digest);
        assertThat(CertificateFingerprint.parse(f.toSdpValue())).isEqualTo(f);
        assertThat(f.toSdpValue()).startsWith("sha-256 AB:00:");
    }

    @Test
    void rejectsMalformed() {
        assertThatThrownBy(() -> SessionDescription.parse("")).isInstanceOf(SdpException.class);
        assertThatThrownBy(() -> SessionDescription.parse("v=1\r\n")).isInstanceOf(SdpException.class).hasMessageContaining("v=0");
        assertThatThrownBy(() -> SessionDescription.parse("v=0\r\ns=-\r\n")).isInstanceOf(SdpException.class).hasMessageContaining("o=");
        assertThatThrownBy(() -> SessionDescription.parse("v=0\r\no=- 1 2 IN IP4 1.2.3.4\r\ns=-\r\nm=video x RTP/AVP 96\r\n"))
                .isInstanceOf(SdpException.class).hasMessageContaining("port");
        assertThatThrownBy(() -> SessionDescription.parse("v=0\r\no=- 1 2 IN IP4 1.2.3.4\r\ns=-\r\ngarbage\r\n"))
                .isInstanceOf(SdpException.class).hasMessageContaining("line 4");
        assertThatThrownBy(() -> SessionDescription.parse("v=0\r\no=- 1 2 IN IP4 1.2.3.4\r\ns=-\r\na=x\u0000y\r\n"))
                .isInstanceOf(SdpException.class).hasMessageContaining("control");
        assertThatThrownBy(() -> SessionDescription.parse("v=0\r\n" + "a=x\r\n".repeat(30_000)))
                .isInstanceOf(SdpException.class).hasMessageContaining("exceeds");
        StringBuilder many = new StringBuilder("v=0\r\no=- 1 2 IN IP4 1.2.3.4\r\ns=-\r\n");
        for (int i = 0; i < 70; i++) {
            many.append("m=audio 9 RTP/AVP 0\r\n");
        }
        assertThatThrownBy(() -> SessionDescription.parse(many.toString())).isInstanceOf(SdpException.class)
                .hasMessageContaining("m= sections");
        SessionDescription badFingerprint = SessionDescription.parse("v=0\r\no=- 1 2 IN IP4 1.2.3.4\r\ns=-\r\n"
                + "a=fingerprint:sha-256 :\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n");
        assertThatThrownBy(() -> badFingerprint.fingerprint(badFingerprint.media().getFirst()))
                .isInstanceOf(SdpException.class).hasMessageContaining("a=fingerprint");
    }

    @Test
    void mutatedOffersOnlyThrowSdpException() {
        String seed = ChromiumOffers.text(ChromiumOffers.RECVONLY_VIDEO_AUDIO);
        Random rnd = new Random(8866);
        String alphabet = "=: /;\r\n0123456789abcdefx-*";
        for (int i = 0; i < 3_000; i++) {
            StringBuilder b = new StringBuilder(seed);
            int edits = 1 + rnd.nextInt(6);
            for (int e = 0; e < edits; e++) {
                int pos = rnd.nextInt(b.length());
                switch (rnd.nextInt(3)) {
                    case 0 -> b.setCharAt(pos, alphabet.charAt(rnd.nextInt(alphabet.length())));
                    case 1 -> b.deleteCharAt(pos);
                    default -> b.insert(pos, alphabet.charAt(rnd.nextInt(alphabet.length())));
                }
            }
            try {
                SessionDescription sd = SessionDescription.parse(b.toString());
                for (MediaDescription m : sd.media()) {
                    m.codecs();
                    m.extmaps();
                    m.ssrcs();
                    m.candidates();
                    sd.fingerprint(m);
                    sd.setup(m);
                }
                AnswerBuilderTest.builder(sd).video(new MediaSource.H264(H264ProfileLevelId.parse("42e01f")), 1, 2)
                        .audio(new MediaSource.Opus(2), 3).build();
            } catch (SdpException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }
}
