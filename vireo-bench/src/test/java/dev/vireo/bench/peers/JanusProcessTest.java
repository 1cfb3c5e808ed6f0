package dev.vireo.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class JanusProcessTest {

    @Test
    void theCoreConfigIsIceLiteOnOneAddressWithStaticLoopsAndQuietLogs() {
        String c = JanusProcess.coreConfig(Path.of("/w/janus"), Path.of("/w/janus/plugins"), Path.of("/w/janus/transports"),
                Path.of("/w/janus/none"), 2, "192.0.2.2");
        assertThat(c).contains("ice_lite = true", "ice_enforce_list = \"192.0.2.2\"", "event_loops = 2",
                "debug_level = " + JanusProcess.LOG_LEVEL, "session_timeout = 0", "plugins_folder = \"/w/janus/plugins\"",
                "transports_folder = \"/w/janus/transports\"", "events_folder = \"/w/janus/none\"", "broadcast = false");
        assertThat(JanusProcess.LOG_LEVEL).isLessThanOrEqualTo(3);
    }

    @Test
    void theMountpointTakesH264ModeOneWithTheClipsProfileAndOpusOnLoopbackPorts() {
        String s = JanusProcess.streamingConfig(new JanusProcess.RtpIngest(new InetSocketAddress("127.0.0.1", 5004), 96,
                new InetSocketAddress("127.0.0.1", 5002), 111), "64001e");
        assertThat(s).contains("type = \"rtp\"", "id = " + JanusProcess.MOUNTPOINT,
                "type = \"video\" mid = \"v\" port = 5004 pt = 96 codec = \"h264\" iface = \"127.0.0.1\"",
                "fmtp = \"profile-level-id=64001e;packetization-mode=1\"",
                "type = \"audio\" mid = \"a\" port = 5002 pt = 111 codec = \"opus\" iface = \"127.0.0.1\"");
        assertThat(JanusProcess.httpConfig(8088)).contains("port = 8088", "ip = \"127.0.0.1\"", "admin_http = false",
                "https = false");
    }

    @Test
    void aMachineWithOnlyLoopbackCannotHostJanusCandidates() {
        assertThatThrownBy(() -> JanusProcess.hostAddress(List.of()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("loopback");
    }
}
