package dev.vireo.bench.viewers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JanusApiTest {

    /** Records what the long poll routed to one handle. */
    private static final class Recorder implements JanusApi.Listener {
        final List<String> offers = new ArrayList<>();
        final List<String> ended = new ArrayList<>();

        @Override
        public void offer(String sdp) {
            offers.add(sdp);
        }

        @Override
        public void ended(String reason) {
            ended.add(reason);
        }
    }

    @Test
    void aLongPollBatchIsRoutedToItsHandlesBySender() {
        Recorder one = new Recorder();
        Recorder two = new Recorder();
        Map<Long, JanusApi.Listener> handles = new HashMap<>(Map.of(11L, one, 22L, two));
        // maxev > 1: an array; shapes as Janus 1.1.2 sends them
        String batch = """
                [{"janus":"event","session_id":5,"transaction":"3","sender":11,
                  "plugindata":{"plugin":"janus.plugin.streaming","data":{"streaming":"event","result":{"status":"preparing"}}},
                  "jsep":{"type":"offer","sdp":"v=0\\r\\n"}},
                 {"janus":"webrtcup","session_id":5,"sender":11},
                 {"janus":"media","session_id":5,"sender":11,"type":"video","receiving":true},
                 {"janus":"event","session_id":5,"sender":22,
                  "plugindata":{"plugin":"janus.plugin.streaming","data":{"error_code":455,"error":"No such mountpoint/stream 9"}}},
                 {"janus":"hangup","session_id":5,"sender":11,"reason":"DTLS alert"},
                 {"janus":"event","session_id":5,"sender":99,"jsep":{"type":"offer","sdp":"x"}},
                 {"janus":"keepalive"}]
                """;
        JanusApi.dispatch(JanusApi.parse(batch), handles::get);
        assertThat(one.offers).containsExactly("v=0\r\n");
        assertThat(one.ended).containsExactly("janus hung up: DTLS alert");
        assertThat(two.offers).isEmpty();
        assertThat(two.ended).containsExactly("janus: No such mountpoint/stream 9 (455)");
    }

    @Test
    void aSingleEventIsRoutedToo() {
        Recorder one = new Recorder();
        JanusApi.dispatch(JanusApi.parse("{\"janus\":\"detached\",\"session_id\":5,\"sender\":11}"),
                id -> id == 11 ? one : null);
        assertThat(one.ended).containsExactly("janus detached the handle");
    }

    @Test
    void repliesAreCheckedForSuccessAndAck() {
        assertThat(JanusApi.successId(JanusApi.parse("{\"janus\":\"success\",\"transaction\":\"c\",\"data\":{\"id\":7517008121916002}}"),
                "create")).isEqualTo(7517008121916002L);
        assertThatThrownBy(() -> JanusApi.successId(JanusApi.parse(
                "{\"janus\":\"error\",\"error\":{\"code\":460,\"reason\":\"No such plugin\"}}"), "attach"))
                .hasMessage("janus refused attach: No such plugin");
        JanusApi.expectAck(JanusApi.parse("{\"janus\":\"ack\",\"session_id\":5,\"transaction\":\"3\"}"), "watch");
        assertThatThrownBy(() -> JanusApi.expectAck(JanusApi.parse(
                "{\"janus\":\"error\",\"error\":{\"code\":458,\"reason\":\"No such session\"}}"), "start"))
                .hasMessage("janus refused start: No such session");
        assertThatThrownBy(() -> JanusApi.parse("<html>")).hasMessageStartingWith("janus sent unreadable JSON");
    }

    @Test
    void requestsCarryTheirVerbAndTransaction() {
        assertThat(JanusApi.request("attach", "4").put("plugin", "janus.plugin.streaming").toString())
                .isEqualTo("{\"janus\":\"attach\",\"transaction\":\"4\",\"plugin\":\"janus.plugin.streaming\"}");
    }
}
