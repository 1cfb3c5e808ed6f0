package dev.vireo.bench.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConnsBenchTest {

    @Test
    void theMixSplitsTheConnectionsAndTheLastKindTakesTheRemainder() {
        ConnsBench.Options o = ConnsBench.Options.parse(new String[] {"--connections", "1001", "--mix", "40,20,40"});
        assertThat(o.mix()).containsExactly(400, 200, 401);
        assertThat(o.protocols()).containsExactly("flv", "rtmp");
        assertThat(o.preIdleSeconds()).as("the pre-load reference settles as long as the idle after").isEqualTo(60);
        assertThat(ConnsBench.Options.parse(new String[] {"--idle-seconds", "90"}).preIdleSeconds()).isEqualTo(90);
        assertThat(ConnsBench.Options.parse(new String[] {"--pre-idle-seconds", "0"}).preIdleSeconds()).isZero();
        assertThatThrownBy(() -> ConnsBench.Options.parse(new String[] {"--protocols", "whep"}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ConnsBench.Options.parse(new String[] {"--mix", "1,2"}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aViewerWithoutAFrameMakesTheMaxUnknownNotSmall() {
        ConnsBench.Summary s = ConnsBench.Summary.of(List.of(30.0, -1.0, 10.0, 20.0));
        assertThat(s.p50Ms()).isEqualTo(20.0);
        assertThat(s.maxMs()).isEqualTo(-1.0);
        assertThat(s.timeouts()).isEqualTo(1);
        assertThat(ConnsBench.Summary.of(List.of(30.0, 10.0, 20.0)).maxMs()).isEqualTo(30.0);
    }

    @Test
    void listenOverflowsComeFromTheTcpExtPair() {
        String netstat = """
                TcpExt: SyncookiesSent ListenOverflows ListenDrops
                TcpExt: 0 17 19
                IpExt: InNoRoutes
                IpExt: 0
                """;
        assertThat(ConnsBench.parseTcpExt(netstat, "ListenOverflows")).isEqualTo(17);
        assertThat(ConnsBench.parseTcpExt(netstat, "Nothing")).isEqualTo(-1);
    }
}
