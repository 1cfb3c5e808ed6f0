package dev.vireo.webrtc.sdp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RFC 8851 rid, RFC 8853 simulcast: what a WHIP receiver takes from an offer and answers. */
class SimulcastOfferTest {

    /** Chromium 156's sendonly offer with the lines it adds for sendEncodings q/h/f (captured from a probe). */
    static String chromiumSimulcastOffer(String ridLines) {
        String offer = ChromiumOffers.text(ChromiumOffers.SENDONLY_WHIP);
        int audio = offer.indexOf("m=audio");
        return offer.substring(0, audio) + ridLines + offer.substring(audio);
    }

    static final String Q_H_F = "a=rid:q send\r\na=rid:h send\r\na=rid:f send\r\na=simulcast:send q;h;f\r\n";

    private static MediaDescription video(String sdp) {
        return SessionDescription.parse(sdp).media().stream().filter(m -> m.media().equals("video")).findFirst()
                .orElseThrow();
    }

    @Test
    void readsChromiumsSimulcastOffer() {
        SimulcastOffer s = SimulcastOffer.of(video(chromiumSimulcastOffer(Q_H_F)));
        assertThat(s.layers()).containsExactly("q", "h", "f");
        assertThat(s.paused()).containsExactly(false, false, false);
        assertThat(s.ridId()).isEqualTo(10);
        assertThat(s.repairedRidId()).isEqualTo(11);
        assertThat(s.midId()).isEqualTo(9);
        assertThat(s.answerAttributes()).containsExactly(
                "extmap:9 urn:ietf:params:rtp-hdrext:sdes:mid",
                "extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
                "extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
                "rid:q recv", "rid:h recv", "rid:f recv", "simulcast:recv q;h;f");
    }

    @Test
    void noSimulcastWithoutASendPart() {
        assertThat(SimulcastOffer.of(video(ChromiumOffers.text(ChromiumOffers.SENDONLY_WHIP)))).isNull();
        assertThat(SimulcastOffer.of(video(chromiumSimulcastOffer("a=rid:f send\r\n")))).isNull();
        assertThat(SimulcastOffer.of(video(chromiumSimulcastOffer("a=rid:f recv\r\na=simulcast:recv f\r\n")))).isNull();
    }

    @Test
    void theAnswerOfAWhipReceiverAcceptsTheLayersOnTheVideoOnly() throws Exception {
        SessionDescription offer = SessionDescription.parse(chromiumSimulcastOffer(
                "a=rid:q send\r\na=rid:h send\r\na=rid:f send\r\na=simulcast:send q;h;~f\r\n"));
        IngestCodecs codecs = IngestCodecs.choose(offer);
        SimulcastOffer s = SimulcastOffer.of(offer.media().getFirst());
        Answer answer = new AnswerBuilder(offer).receiving().iceCredentials("abcd", "0123456789012345678901")
                .fingerprint(AnswerBuilderTest.FINGERPRINT)
                .video(codecs.video(), 1, 2).audio(codecs.audio(), 3).simulcast(s).build();
        s.requirePayloadType(answer.video().orElseThrow().payloadType());
        String sdp = answer.sdp();
        String videoPart = sdp.substring(sdp.indexOf("m=video"), sdp.indexOf("m=audio"));
        String audioPart = sdp.substring(sdp.indexOf("m=audio"));
        assertThat(videoPart).contains("a=rid:q recv\r\n", "a=rid:h recv\r\n", "a=rid:f recv\r\n",
                "a=simulcast:recv q;h;~f\r\n", "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n",
                "a=recvonly");
        assertThat(audioPart).doesNotContain("a=rid", "a=simulcast", "rtp-stream-id");
        // the parser of the answer reads it back
        SimulcastAttribute back = SimulcastAttribute.parse("recv q;h;~f");
        assertThat(back.recv()).hasSize(3);
        assertThat(back.recv().get(2)).containsExactly(new SimulcastAttribute.Id("f", true));
    }

    @Test
    void refusesWhatItCannotReceiveNamingTheReason() {
        assertRefused("a=rid:a send\r\na=rid:b send\r\na=rid:c send\r\na=rid:d send\r\na=simulcast:send a;b;c;d\r\n",
                "4 simulcast layers", "at most 3");
        assertRefused("a=rid:q send\r\na=simulcast:send q;h\r\n", "no a=rid:h send");
        assertRefused("a=rid:q send\r\na=rid:q send\r\na=simulcast:send q\r\n", "twice");
        assertRefused("a=rid:q send\r\na=simulcast:send q;q\r\n", "twice");
        assertRefused("a=rid:q! send\r\na=simulcast:send q\r\n", "RFC 8851 §10");
        assertRefused("a=rid:" + "x".repeat(17) + " send\r\na=simulcast:send q\r\n", "1..16");
        assertRefused("a=rid:q sideways\r\na=simulcast:send q\r\n", "neither send nor recv");
        assertRefused("a=rid:q send\r\na=simulcast:sendx q\r\n", "neither send nor recv");
        assertRefused("a=rid:q send\r\na=simulcast:send\r\n", "RFC 8853");
        assertRefused("a=rid:q send\r\na=simulcast:send q;;h\r\n", "not a rid-id");
        assertRefused("a=rid:q send\r\na=simulcast:send q\r\na=simulcast:send q\r\n", "more than one");
        assertRefused("a=rid:q send max-width=1280;;x\r\na=simulcast:send q\r\n", "empty parameter");
        // without the rid extension the layers' packets cannot be told apart
        String noExt = chromiumSimulcastOffer(Q_H_F).replace("a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n", "");
        assertThatThrownBy(() -> SimulcastOffer.of(video(noExt))).isInstanceOf(SdpException.class)
                .hasMessageContaining("rtp-stream-id");
        // a layer restricted to VP8 (96) while H.264 (102) is answered
        SimulcastOffer vp8 = SimulcastOffer.of(video(chromiumSimulcastOffer("a=rid:q send pt=96\r\na=simulcast:send q\r\n")));
        assertThatThrownBy(() -> vp8.requirePayloadType(102)).isInstanceOf(SdpException.class)
                .hasMessageContaining("'q'").hasMessageContaining("[96]");
    }

    private static void assertRefused(String lines, String... reason) {
        assertThatThrownBy(() -> SimulcastOffer.of(video(chromiumSimulcastOffer(lines))))
                .isInstanceOf(SdpException.class).satisfies(e -> assertThat(e.getMessage()).contains(reason));
    }

    @Test
    void ridRestrictionsAndPayloadTypes() {
        RidAttribute r = RidAttribute.parse("hi send pt=102,108;max-width=1280;max-height=720;depend=lo;x-flag");
        assertThat(r.id()).isEqualTo("hi");
        assertThat(r.send()).isTrue();
        assertThat(r.payloadTypes()).containsExactly(102, 108);
        assertThat(r.restrictions()).containsAllEntriesOf(Map.of("max-width", "1280", "max-height", "720",
                "depend", "lo", "x-flag", ""));
        assertThat(RidAttribute.parse("lo-1_a recv").send()).isFalse();
        assertThatThrownBy(() -> RidAttribute.parse("a send pt=300")).isInstanceOf(SdpException.class);
        assertThatThrownBy(() -> RidAttribute.parse("a")).isInstanceOf(SdpException.class)
                .hasMessageContaining("direction");
        assertThat(SimulcastAttribute.parse("send a,b;c recv d").send())
                .containsExactly(List.of(new SimulcastAttribute.Id("a", false), new SimulcastAttribute.Id("b", false)),
                        List.of(new SimulcastAttribute.Id("c", false)));
        assertThatThrownBy(() -> SimulcastAttribute.parse("send a recv b send c")).isInstanceOf(SdpException.class);
        assertThatThrownBy(() -> SimulcastAttribute.parse("send a recv b recv c d")).isInstanceOf(SdpException.class);
        assertThatThrownBy(() -> SimulcastAttribute.parse("send " + "a,".repeat(40) + "a"))
                .isInstanceOf(SdpException.class).hasMessageContaining("more than 32");
    }
}
