package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.control.diagnose.Finding;
import dev.vireo.webrtc.stun.StunAttribute;
import dev.vireo.webrtc.stun.StunClass;
import dev.vireo.webrtc.stun.StunMessage;
import dev.vireo.webrtc.stun.StunMessageBuilder;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The troubleshooter's STUN check against the real media port, and against a port that stays silent. */
class RtcReachabilityTest {

    @TempDir
    Path dir;

    @Test
    void theMediaPortAnswersTheProbeAndASilentPortIsReported() throws Exception {
        try (VireoServer server = BrowserFixture.server(dir)) {
            server.start();
            RtcReachability rtc = new RtcReachability(server.webRtc());
            int port = server.webRtc().port();
            assertThat(rtc.probe(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))).isNotNegative();
            // a bound socket that never answers: the probe gives up at its deadline
            try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                assertThat(rtc.probe(new InetSocketAddress(InetAddress.getLoopbackAddress(), silent.getLocalPort())))
                        .isEqualTo(-1);
            }
            // the probe's ufrag with a wrong key is not answered: nothing reflects off the shared port
            byte[] forged = new StunMessageBuilder(StunMessage.BINDING, StunClass.REQUEST, new byte[12])
                    .add(new StunAttribute.Username(server.webRtc().probeCredentials().ufrag() + ":x"))
                    .integrity("not-the-password".getBytes(StandardCharsets.UTF_8)).fingerprint().toBytes();
            try (DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                client.send(new DatagramPacket(forged, forged.length, InetAddress.getLoopbackAddress(), port));
                client.setSoTimeout(700);
                assertThatThrownBy(() -> client.receive(new DatagramPacket(new byte[1500], 1500)))
                        .isInstanceOf(SocketTimeoutException.class);
            }
            List<Finding> findings = rtc.check();
            assertThat(findings).extracting(Finding::code).contains("RtcCandidatesLoopback", "RtcPortAnswers")
                    .doesNotContain("RtcPortSilent");
            assertThat(findings).filteredOn(f -> f.code().equals("RtcCandidatesLoopback")).singleElement()
                    .satisfies(f -> assertThat(f.message()).contains("udp 127.0.0.1:" + port));
        }
    }
}
