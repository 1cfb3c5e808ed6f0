package dev.vireo.webrtc.sdp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.webrtc.testing.Chromium;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live offers from headless Chromium, answered by {@link AnswerBuilder}, accepted by Chromium's
 * {@code setRemoteDescription}: the answer is valid for the real peer and negotiates what the
 * builder says. Skipped without Chromium (fails with {@code -Dvireo.requirePeers=true}).
 */
class ChromiumNegotiationTest {

    @TempDir
    static Path work;
    static Chromium chromium;

    @BeforeAll
    static void start() throws Exception {
        chromium = Chromium.start(work);
        chromium.open("about:blank");
    }

    @AfterAll
    static void stop() {
        if (chromium != null) {
            chromium.close();
        }
    }

    /** Creates a recvonly offer for the given kinds in a new peer connection {@code window.pc}. */
    static String offer(String... kinds) {
        return (String) chromium.jsAsync("const done = arguments[arguments.length - 1];"
                + "window.pc = new RTCPeerConnection();"
                + "for (const k of arguments[0]) pc.addTransceiver(k, {direction: 'recvonly'});"
                + "pc.createOffer().then(o => pc.setLocalDescription(o).then(() => done(o.sdp)))"
                + ".catch(e => done('ERR ' + e));", List.of(kinds));
    }

    /**
     * Applies the answer; returns per transceiver "mid direction" and the codecs its receiver
     * takes ("mime pt fmtp | ..."; Chromium lists its whole receive capability there), or the error.
     */
    @SuppressWarnings("unchecked")
    static List<String> apply(String answer) {
        Object r = chromium.jsAsync("const done = arguments[arguments.length - 1];"
                + "pc.setRemoteDescription({type: 'answer', sdp: arguments[0]}).then(() => done(pc.getTransceivers()"
                + ".map(t => t.mid + ' ' + t.currentDirection + ' ' + t.receiver.getParameters().codecs"
                + ".map(c => c.mimeType + ' ' + c.payloadType + ' ' + (c.sdpFmtpLine || '')).join(' | '))))"
                + ".catch(e => done(['ERR ' + e]));", answer);
        return (List<String>) r;
    }

    static AnswerBuilder builder(String offer) {
        return AnswerBuilderTest.builder(SessionDescription.parse(offer));
    }

    @Test
    void h264AndOpusAreAccepted() {
        String offer = offer("video", "audio");
        Answer a = builder(offer).video(AnswerBuilderTest.CB, 0x11111111, 0x22222222)
                .audio(new MediaSource.Opus(2), 0x33333333).build();
        NegotiatedMedia v = a.video().orElseThrow();
        assertThat(v.h264Match()).isEqualTo(H264Match.EXACT);
        List<String> result = apply(a.sdp());
        assertThat(result).hasSize(2);
        assertThat(result.get(0)).startsWith("0 recvonly ")
                .contains("video/H264 " + v.payloadType() + " level-asymmetry-allowed=1;packetization-mode=1;"
                        + "profile-level-id=42e01f")
                .contains("video/rtx " + v.rtxPayloadType() + " apt=" + v.payloadType());
        assertThat(result.get(1)).startsWith("1 recvonly ").contains("audio/opus " + a.audio().orElseThrow().payloadType());
    }

    @Test
    void av1VideoOnlyRejectsAudio() {
        String offer = offer("audio", "video");
        Answer a = builder(offer).video(new MediaSource.Av1(0), 5, 6).build();
        assertThat(a.bundle()).containsExactly("1");
        List<String> result = apply(a.sdp());
        assertThat(result).noneMatch(s -> s.startsWith("ERR"));
        assertThat(result).anyMatch(s -> s.startsWith("1 recvonly ")
                && s.contains("video/AV1 " + a.video().orElseThrow().payloadType() + " level-idx=5;profile=0"));
    }

    @Test
    void highProfileSourceIsAnsweredWithTheClosestProfile() {
        String offer = offer("video");
        Answer a = builder(offer).video(new MediaSource.H264(H264ProfileLevelId.parse("640028")), 7, 8)
                .transportCc(false).build();
        List<String> result = apply(a.sdp());
        NegotiatedMedia v = a.video().orElseThrow();
        // Chromium 156 offers high 4:4:4 predictive (a superset) but not high itself
        assertThat(v.h264Match()).isIn(H264Match.EXACT, H264Match.COMPATIBLE);
        assertThat(result).singleElement().asString().startsWith("0 recvonly ")
                .contains("video/H264 " + v.payloadType() + " level-asymmetry-allowed=1;packetization-mode=1");
    }
}
