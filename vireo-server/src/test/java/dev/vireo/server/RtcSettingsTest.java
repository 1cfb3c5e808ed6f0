package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.webrtc.WebRtcConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The WebRTC settings: rtc.port / VIREO_RTC_PORT / --rtc-port and rtc.candidates / VIREO_RTC_CANDIDATES. */
class RtcSettingsTest {

    @TempDir
    Path dir;

    private Config load(List<String> args, Map<String, String> env) throws ConfigException {
        return ((ConfigLoader.Run) ConfigLoader.load(args, env, dir)).config();
    }

    @Test
    void defaultsToUdp8000AndDetectedCandidates() throws Exception {
        Config c = load(List.of(), Map.of());
        assertThat(c.rtcPort()).isEqualTo(8000);
        assertThat(c.rtcCandidates()).isEmpty();
    }

    @Test
    void fileEnvironmentAndFlagOverrideInOrder() throws Exception {
        Files.writeString(dir.resolve("vireo.yaml"), """
                rtc:
                  port: 9000
                  candidates: 203.0.113.1
                """);
        assertThat(load(List.of(), Map.of()).rtcPort()).isEqualTo(9000);
        assertThat(load(List.of(), Map.of()).rtcCandidates()).isEqualTo("203.0.113.1");
        Config env = load(List.of(), Map.of("VIREO_RTC_PORT", "9100",
                "VIREO_RTC_CANDIDATES", "203.0.113.7, media.example.com:40000"));
        assertThat(env.rtcPort()).isEqualTo(9100);
        assertThat(env.rtcCandidates()).isEqualTo("203.0.113.7, media.example.com:40000");
        Config flags = load(List.of("--rtc-port", "0", "--rtc-candidates=[2001:db8::1]:8000"),
                Map.of("VIREO_RTC_PORT", "9100"));
        assertThat(flags.rtcPort()).isZero();
        assertThat(flags.rtcCandidates()).isEqualTo("[2001:db8::1]:8000");
    }

    @Test
    void badValuesAreRefusedNamingTheSettingAndSource() {
        assertThatThrownBy(() -> load(List.of("--rtc-port", "70000"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("rtc.port").hasMessageContaining("--rtc-port");
        assertThatThrownBy(() -> load(List.of(), Map.of("VIREO_RTC_CANDIDATES", "host:notaport")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("rtc.candidates")
                .hasMessageContaining("VIREO_RTC_CANDIDATES").hasMessageContaining("port");
    }

    @Test
    void iceServersAndTheSessionCapComeFromTheEnvironment() throws Exception {
        Config d = load(List.of(), Map.of());
        assertThat(d.rtcIceServers()).isEmpty();
        assertThat(d.rtcMaxSessions()).as("auto: the WebRTC default per processor").isZero();
        Config c = load(List.of("--rtc-max-sessions", "250"), Map.of("VIREO_RTC_ICE_SERVERS",
                "stun:stun.example.net:3478,turn:turn.example.net:3478|u|p"));
        assertThat(c.rtcIceServers()).isEqualTo("stun:stun.example.net:3478,turn:turn.example.net:3478|u|p");
        assertThat(c.rtcMaxSessions()).isEqualTo(250);
        assertThat(load(List.of(), Map.of("VIREO_RTC_MAX_SESSIONS", "0")).rtcMaxSessions())
                .as("0: no cap").isEqualTo(Integer.MAX_VALUE);
        assertThatThrownBy(() -> load(List.of(), Map.of("VIREO_RTC_ICE_SERVERS", "turn:no-credentials")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("rtc.ice-servers");
        assertThatThrownBy(() -> load(List.of("--rtc-max-sessions", "-1"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("rtc.max-sessions");
    }

    @Test
    void iceTcpIsAdvertisedBesideUdpUnlessTurnedOff() throws Exception {
        assertThat(load(List.of(), Map.of()).rtcTransports()).isEqualTo(WebRtcConfig.IceTransports.UDP_AND_TCP);
        assertThat(load(List.of(), Map.of("VIREO_RTC_TRANSPORTS", "udp")).rtcTransports())
                .isEqualTo(WebRtcConfig.IceTransports.UDP);
        assertThat(load(List.of("--rtc-transports", "tcp"), Map.of()).rtcTransports())
                .isEqualTo(WebRtcConfig.IceTransports.TCP);
        assertThat(load(List.of("--rtc-transports", "tcp, udp"), Map.of()).rtcTransports())
                .isEqualTo(WebRtcConfig.IceTransports.UDP_AND_TCP);
        assertThatThrownBy(() -> load(List.of("--rtc-transports", "sctp"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("rtc.transports");
    }

    @Test
    void helpListsBothSettings() {
        assertThat(ConfigLoader.usage()).contains("--rtc-port PORT", "VIREO_RTC_PORT", "'rtc.port'", "default '8000'",
                "--rtc-candidates HOSTS", "VIREO_RTC_CANDIDATES", "'rtc.candidates'");
    }

    @Test
    void aConfigBuiltWithoutWebRtcSettingsUsesAnEphemeralPort() {
        Config d = ConfigLoader.defaults();
        Config c = new Config("127.0.0.1", 0, 0, dir, "info", d.reconnectGrace(), d.slowViewerMaxLag(),
                d.httpIdleTimeout(), d.httpMaxBodySize(), "");
        assertThat(c.rtcPort()).isZero();
        assertThat(c.withRtcPort(8001).withRtcCandidates("192.0.2.1").withPorts(1, 2))
                .extracting(Config::rtcPort, Config::rtcCandidates).containsExactly(8001, "192.0.2.1");
    }
}
