package dev.vireo.rtmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.core.Gate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectParamsTest {

    @Test
    void hostAppAndQueriesFromTcUrlAppAndStreamName() {
        ConnectParams p = ConnectParams.from(CommandMessage.of("connect", 1, Map.of(
                "app", "live?auth_key=1-0-0-abc",
                "tcUrl", "rtmp://push.example.com:1935/live?auth_key=1-0-0-abc",
                "fourCcList", List.of("hvc1", 7.0))));
        assertThat(p.host()).isEqualTo("push.example.com");
        assertThat(p.app()).isEqualTo("live");
        assertThat(p.fourCcList()).containsExactly("hvc1");
        Gate.AccessRequest r = p.accessRequest(Gate.Action.PUBLISH, "cam?x=1", "1.2.3.4:5");
        assertThat(r).isEqualTo(new Gate.AccessRequest(Gate.Action.PUBLISH, "rtmp", "push.example.com", "live", "cam",
                "", "x=1&auth_key=1-0-0-abc", "1.2.3.4:5"));
    }

    @Test
    void vhostOrDomainParameterOverridesAnIpHost() {
        ConnectParams p = ConnectParams.from(CommandMessage.of("connect", 1, Map.of(
                "app", "live", "tcUrl", "rtmp://[::1]:1935/live?domain=d.example.com")));
        assertThat(p.host()).isEqualTo("::1");
        assertThat(p.accessRequest(Gate.Action.PLAY, "s", "").host()).isEqualTo("d.example.com");
        assertThat(p.accessRequest(Gate.Action.PLAY, "s?vhost=v.example.com", "").host()).isEqualTo("v.example.com");
    }

    @Test
    void appFallsBackToTheTcUrlPathAndBadFieldsAreRejected() {
        ConnectParams p = ConnectParams.from(CommandMessage.of("connect", 1, Map.of("tcUrl", "rtmp://10.0.0.1/live/")));
        assertThat(p.app()).isEqualTo("live");
        assertThat(p.host()).isEqualTo("10.0.0.1");
        assertThatThrownBy(() -> ConnectParams.from(CommandMessage.of("connect", 1, Map.of("app", 5.0))))
                .isInstanceOf(RtmpProtocolException.class).hasMessage("connect: app is not a string");
        assertThatThrownBy(() -> ConnectParams.from(CommandMessage.of("connect", 1, Map.of("tcUrl", "x".repeat(5000)))))
                .isInstanceOf(RtmpProtocolException.class);
    }
}
