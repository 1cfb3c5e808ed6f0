package dev.vireo.webrtc.sdp;

import dev.vireo.webrtc.dtls.CertificateFingerprint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class AnswerBuilderTest {

    static final CertificateFingerprint FINGERPRINT = new CertificateFingerprint("sha-256", new byte[32]);
    static final MediaSource CB = new MediaSource.H264(H264ProfileLevelId.parse("42e01f"));

    static AnswerBuilder builder(SessionDescription offer) {
        return new AnswerBuilder(offer)
                .iceCredentials("vUfr", "serverpasswordserverpasswd")
                .fingerprint(FINGERPRINT)
                .candidates(List.of(SdpCandidate.udpHost("1", "192.0.2.10", 8000, 65535),
                        SdpCandidate.tcpPassiveHost("2", "192.0.2.10", 8000, 0)))
                .cname("vireocname")
                .streamId("live-stream")
                .sessionId(12345);
    }

    static Answer answer(String offer, MediaSource video, MediaSource audio) {
        AnswerBuilder b = builder(ChromiumOffers.parse(offer));
        if (video != null) {
            b.video(video, 0x11111111, 0x22222222);
        }
        if (audio != null) {
            b.audio(audio, 0x33333333);
        }
        return b.build();
    }

    @Test
    void answersOpusRedWhenAskedAndOffered() {
        // Chromium offers red/48000/2 with fmtp 111/111 (RFC 2198 over Opus); off by default
        Answer plain = answer(ChromiumOffers.RECVONLY_VIDEO_AUDIO, CB, new MediaSource.Opus(2));
        assertThat(plain.audio().orElseThrow().hasRed()).isFalse();
        assertThat(plain.sdp()).doesNotContain("red/48000");

        Answer a = builder(ChromiumOffers.parse(ChromiumOffers.RECVONLY_VIDEO_AUDIO)).red(true)
                .video(CB, 0x11111111, 0x22222222).audio(new MediaSource.Opus(2), 0x33333333).build();
        NegotiatedMedia au = a.audio().orElseThrow();
        assertThat(au.payloadType()).isEqualTo(111);
        assertThat(au.redPayloadType()).isEqualTo(63);
        assertThat(a.video().orElseThrow().hasRed()).isFalse(); // video RED only comes with FEC
        SessionDescription sd = SessionDescription.parse(a.sdp());
        MediaDescription ma = sd.media().get(1);
        assertThat(ma.toString()).isEqualTo("m=audio 8000 UDP/TLS/RTP/SAVPF 111 63");
        assertThat(ma.codecs()).anySatisfy(c -> {
            assertThat(c.payloadType()).isEqualTo(63);
            assertThat(c.is("red")).isTrue();
            assertThat(c.clockRate()).isEqualTo(48_000);
            assertThat(c.channels()).isEqualTo(2);
            assertThat(c.fmtp()).isEqualTo("111/111");
        });

        // a RED whose blocks are another codec is not taken
        String other = ChromiumOffers.text(ChromiumOffers.RECVONLY_VIDEO_AUDIO).replace("a=fmtp:63 111/111", "a=fmtp:63 0/0");
        Answer b = builder(SessionDescription.parse(other)).red(true).audio(new MediaSource.Opus(2), 0x33333333).build();
        assertThat(b.audio().orElseThrow().hasRed()).isFalse();
        // a receiving (WHIP) answer never takes it
        Answer w = builder(ChromiumOffers.parse(ChromiumOffers.SENDONLY_WHIP)).red(true).receiving()
                .video(CB, 0x11111111, 0x22222222).audio(new MediaSource.Opus(2), 0x33333333).build();
        assertThat(w.audio().orElseThrow().hasRed()).isFalse();
    }

    @Test
    void answersVideoUlpfecInRedWhenAskedAndOffered() {
        Answer plain = answer(ChromiumOffers.RECVONLY_VIDEO_AUDIO, CB, new MediaSource.Opus(2));
        assertThat(plain.video().orElseThrow().hasUlpfec()).isFalse();
        Answer a = builder(ChromiumOffers.parse(ChromiumOffers.RECVONLY_VIDEO_AUDIO)).fec(true)
                .video(CB, 0x11111111, 0x22222222).audio(new MediaSource.Opus(2), 0x33333333).build();
        NegotiatedMedia v = a.video().orElseThrow();
        assertThat(v.hasUlpfec()).isTrue();
        assertThat(v.redPayloadType()).isEqualTo(118); // Chromium 156: red/90000
        assertThat(v.ulpfecPayloadType()).isEqualTo(120); // ulpfec/90000
        assertThat(a.audio().orElseThrow().hasUlpfec()).isFalse();
        MediaDescription mv = SessionDescription.parse(a.sdp()).media().get(0);
        assertThat(mv.toString()).isEqualTo("m=video 8000 UDP/TLS/RTP/SAVPF 108 109 118 120");
        assertThat(mv.codecs()).extracting(RtpCodec::payloadType, RtpCodec::name)
                .contains(org.assertj.core.groups.Tuple.tuple(118, "red"), org.assertj.core.groups.Tuple.tuple(120, "ulpfec"));
        // without ulpfec in the offer there is no FEC (RED alone protects nothing)
        String noFec = ChromiumOffers.text(ChromiumOffers.RECVONLY_VIDEO_AUDIO).replace("a=rtpmap:120 ulpfec/90000", "");
        Answer b = builder(SessionDescription.parse(noFec)).fec(true).video(CB, 0x11111111, 0x22222222).build();
        assertThat(b.video().orElseThrow().hasUlpfec()).isFalse();
        assertThat(b.video().orElseThrow().hasRed()).isFalse();
    }

    @Test
    void answersChromiumVideoAndAudio() {
        Answer a = answer(ChromiumOffers.RECVONLY_VIDEO_AUDIO, CB, new MediaSource.Opus(2));
        assertThat(a.bundle()).containsExactly("0", "1");
        assertThat(a.remoteUfrag()).isEqualTo("LtzC");
        assertThat(a.remotePassword()).isEqualTo("Xg5tQy7DNM+RV77GQEVkrur6");
        assertThat(a.localSetup()).isEqualTo(SetupRole.PASSIVE);
        assertThat(a.dtlsClient()).isFalse();

        NegotiatedMedia v = a.video().orElseThrow();
        assertThat(v.payloadType()).isEqualTo(108); // 42e01f, packetization-mode=1
        assertThat(v.rtxPayloadType()).isEqualTo(109);
        assertThat(v.h264Match()).isEqualTo(H264Match.EXACT);
        assertThat(v.fmtp()).isEqualTo("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");
        assertThat(v.feedback()).containsExactly("nack", "nack pli", "ccm fir", "goog-remb", "transport-cc");
        assertThat(v.absSendTimeId()).isEqualTo(2);
        assertThat(v.transportCcId()).isEqualTo(4);
        assertThat(v.ssrc()).isEqualTo(0x11111111);
        assertThat(v.rtxSsrc()).isEqualTo(0x22222222);
        NegotiatedMedia au = a.audio().orElseThrow();
        assertThat(au.payloadType()).isEqualTo(111);
        assertThat(au.fmtp()).isEqualTo("minptime=10;useinbandfec=1;stereo=1;sprop-stereo=1");
        assertThat(au.feedback()).containsExactly("transport-cc");
        assertThat(au.hasRtx()).isFalse();

        // the answer parses back and says what it should
        SessionDescription sd = SessionDescription.parse(a.sdp());
        assertThat(sd.iceLite()).isTrue();
        assertThat(sd.bundle()).containsExactly("0", "1");
        MediaDescription mv = sd.media().get(0);
        assertThat(mv.toString()).isEqualTo("m=video 8000 UDP/TLS/RTP/SAVPF 108 109");
        assertThat(mv.connection()).isEqualTo("IN IP4 192.0.2.10");
        assertThat(sd.direction(mv)).isEqualTo(Direction.SENDONLY);
        assertThat(sd.setup(mv)).contains(SetupRole.PASSIVE);
        assertThat(sd.iceUfrag(mv)).contains("vUfr");
        assertThat(sd.fingerprint(mv)).contains(FINGERPRINT);
        assertThat(mv.rtcpMux()).isTrue();
        assertThat(mv.hasAttribute("rtcp-rsize")).isTrue();
        assertThat(mv.extmaps()).extracting(Extmap::id).containsExactly(2, 4);
        assertThat(mv.codecs()).extracting(RtpCodec::payloadType).containsExactly(108, 109);
        assertThat(mv.codecs().get(1).apt()).isEqualTo(108);
        assertThat(mv.attributes("ssrc-group")).containsExactly("FID 286331153 572662306");
        assertThat(mv.ssrcs()).extracting(SsrcAttribute::attribute).containsExactly("cname", "msid", "cname", "msid");
        assertThat(mv.msid()).contains("live-stream video-live-stream");
        assertThat(mv.candidates()).hasSize(2);
        assertThat(mv.hasAttribute("end-of-candidates")).isTrue();
        assertThat(a.sdp()).doesNotContain("\n\n").endsWith("\r\n");
        assertThat(a.sdp().lines()).allMatch(l -> !l.isEmpty() && l.charAt(1) == '=');
    }

    @Test
    void h264ProfilesPickTheRightPayloadType() {
        String offer = ChromiumOffers.RECVONLY_VIDEO_AUDIO;
        record Case(String source, int pt, H264Match match, String answered) {
        }
        for (Case c : List.of(
                new Case("42e01f", 108, H264Match.EXACT, "42e01f"),
                new Case("42001f", 102, H264Match.EXACT, "42001f"),
                new Case("42c01e", 108, H264Match.EXACT, "42e01e"), // x264 baseline is constrained baseline
                new Case("4d4028", 116, H264Match.EXACT, "4d0028"), // x264 main, level 4.0: asymmetry lets us send 4.0
                new Case("640028", 41, H264Match.COMPATIBLE, "f40028"), // high: only high 4:4:4 predictive offered
                new Case("6e0028", 41, H264Match.MISMATCH, "f40028"))) {
            NegotiatedMedia v = answer(offer, new MediaSource.H264(H264ProfileLevelId.parse(c.source())), null).video().orElseThrow();
            assertThat(v.payloadType()).as(c.source()).isEqualTo(c.pt());
            assertThat(v.h264Match()).as(c.source()).isEqualTo(c.match());
            assertThat(v.fmtp()).as(c.source()).endsWith("profile-level-id=" + c.answered());
        }
    }

    @Test
    void highProfileSourceFallsBackToMainWithoutHighOffered() {
        String text = ChromiumOffers.text(ChromiumOffers.SENDONLY_WHIP).replace("a=sendonly", "a=recvonly");
        SessionDescription offer = SessionDescription.parse(text);
        NegotiatedMedia v = builder(offer).video(new MediaSource.H264(H264ProfileLevelId.parse("640028")), 1, 2).build()
                .video().orElseThrow();
        assertThat(v.h264Match()).isEqualTo(H264Match.MISMATCH);
        assertThat(v.codec().h264ProfileLevelId().profile()).contains(H264Profile.MAIN);
    }

    @Test
    void av1AndVideoOnly() {
        Answer a = answer(ChromiumOffers.RECVONLY_AUDIO_VIDEO, new MediaSource.Av1(0), null);
        assertThat(a.video().orElseThrow().payloadType()).isEqualTo(45);
        assertThat(a.video().orElseThrow().rtxPayloadType()).isEqualTo(46);
        assertThat(a.video().orElseThrow().fmtp()).isEqualTo("level-idx=5;profile=0;tier=0");
        assertThat(a.audio()).isEmpty();
        assertThat(a.bundle()).containsExactly("1");
        SessionDescription sd = SessionDescription.parse(a.sdp());
        MediaDescription rejected = sd.media().get(0);
        assertThat(rejected.media()).isEqualTo("audio");
        assertThat(rejected.isRejected()).isTrue();
        assertThat(rejected.mid()).contains("0");
        assertThat(sd.media().get(1).mid()).contains("1");
        assertThat(answer(ChromiumOffers.RECVONLY_AUDIO_VIDEO, new MediaSource.Av1(2), new MediaSource.Opus(1))
                .video()).isEmpty();
    }

    @Test
    void setupPassiveOfferMakesUsTheDtlsClient() {
        String text = ChromiumOffers.text(ChromiumOffers.RECVONLY_VIDEO).replace("a=setup:actpass", "a=setup:passive");
        Answer a = builder(SessionDescription.parse(text)).video(CB, 1, 2).build();
        assertThat(a.localSetup()).isEqualTo(SetupRole.ACTIVE);
        assertThat(a.dtlsClient()).isTrue();
        assertThat(a.sdp()).contains("a=setup:active\r\n");
    }

    @Test
    void featuresCanBeTurnedOff() {
        Answer a = builder(ChromiumOffers.parse(ChromiumOffers.RECVONLY_VIDEO)).video(CB, 1, 2)
                .transportCc(false).remb(false).candidates(List.of()).build();
        NegotiatedMedia v = a.video().orElseThrow();
        assertThat(v.feedback()).containsExactly("nack", "nack pli", "ccm fir");
        assertThat(v.absSendTimeId()).isZero();
        assertThat(v.transportCcId()).isZero();
        assertThat(a.sdp()).contains("m=video 9 UDP/TLS/RTP/SAVPF 108 109\r\nc=IN IP4 0.0.0.0\r\n").doesNotContain("a=extmap");
    }

    @Test
    void datachannelAndUnbundledSectionsAreRejected() {
        String offer = """
                v=0
                o=- 1 2 IN IP4 127.0.0.1
                s=-
                t=0 0
                a=group:BUNDLE 0 1
                a=ice-ufrag:abcd
                a=ice-pwd:abcdefghijklmnopqrstuvwx
                a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF
                a=setup:actpass
                m=video 9 UDP/TLS/RTP/SAVPF 96
                a=mid:0
                a=rtcp-mux
                a=recvonly
                a=rtpmap:96 H264/90000
                a=fmtp:96 packetization-mode=1;profile-level-id=42e01f
                m=application 9 UDP/DTLS/SCTP webrtc-datachannel
                a=mid:1
                a=sctp-port:5000
                m=audio 9 UDP/TLS/RTP/SAVPF 111
                a=mid:2
                a=rtcp-mux
                a=rtpmap:111 opus/48000/2
                """;
        Answer a = builder(SessionDescription.parse(offer)).video(CB, 1, 2).audio(new MediaSource.Opus(1), 3).build();
        assertThat(a.bundle()).containsExactly("0");
        assertThat(a.audio()).isEmpty(); // not in the BUNDLE group
        assertThat(a.video().orElseThrow().rtxPayloadType()).isEqualTo(-1);
        assertThat(a.remoteUfrag()).isEqualTo("abcd"); // session-level credentials
        assertThat(a.sdp()).contains("m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\n");
        assertThat(a.sdp()).contains("m=audio 0 UDP/TLS/RTP/SAVPF 111\r\n");
    }

    @Test
    void unanswerableOffers() {
        SessionDescription offer = ChromiumOffers.parse(ChromiumOffers.RECVONLY_VIDEO);
        assertThatThrownBy(() -> builder(offer).audio(new MediaSource.Opus(2), 1).build())
                .isInstanceOf(SdpException.class).hasMessageContaining("mid 0 (video): nothing to send");
        SessionDescription whip = ChromiumOffers.parse(ChromiumOffers.SENDONLY_WHIP);
        assertThatThrownBy(() -> builder(whip).video(CB, 1, 2).build())
                .isInstanceOf(SdpException.class).hasMessageContaining("does not receive");
        String noBundle = ChromiumOffers.text(ChromiumOffers.RECVONLY_VIDEO_AUDIO).replace("a=group:BUNDLE 0 1\r\n", "");
        assertThatThrownBy(() -> builder(SessionDescription.parse(noBundle)).video(CB, 1, 2).audio(new MediaSource.Opus(2), 3)
                .build()).isInstanceOf(SdpException.class).hasMessageContaining("BUNDLE");
        String noH264 = ChromiumOffers.text(ChromiumOffers.RECVONLY_VIDEO).replace("H264/90000", "H265/90000");
        assertThatThrownBy(() -> builder(SessionDescription.parse(noH264)).video(CB, 1, 2).build())
                .isInstanceOf(SdpException.class).hasMessageContaining("no offered codec fits");
        String noPwd = ChromiumOffers.text(ChromiumOffers.RECVONLY_VIDEO).replaceAll("a=ice-pwd:[^\r]*\r\n", "");
        assertThatThrownBy(() -> builder(SessionDescription.parse(noPwd)).video(CB, 1, 2).build())
                .isInstanceOf(SdpException.class).hasMessageContaining("ice-pwd");
        assertThatThrownBy(() -> new AnswerBuilder(offer).video(CB, 1, 2).build()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new AnswerBuilder(offer).iceCredentials("ab", "x".repeat(22)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
