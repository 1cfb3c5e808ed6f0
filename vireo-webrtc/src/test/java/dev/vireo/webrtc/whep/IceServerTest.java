package dev.vireo.webrtc.whep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class IceServerTest {

    @Test
    void parsesStunAndTurnEntries() {
        List<IceServer> list = IceServer.parseList(" stun:a.example:3478,turns:b.example:5349?transport=tcp|u|p  ");
        assertThat(list).containsExactly(new IceServer("stun:a.example:3478", null, null),
                new IceServer("turns:b.example:5349?transport=tcp", "u", "p"));
        assertThat(IceServer.parseList("")).isEmpty();
        assertThat(IceServer.linkHeader(List.of())).isNull();
        assertThat(list.get(1).json()).isEqualTo("{\"urls\":\"turns:b.example:5349?transport=tcp\",\"username\":\"u\","
                + "\"credential\":\"p\"}");
    }

    @Test
    void refusesWhatWouldBreakTheHeaderOrThePage() {
        for (String bad : new String[] {"http://x", "stun:a|u|p", "turn:a", "turn:a|u", "turn:a||p",
            "turn:a|u|p\"", "stun:a\">", "stun:a;rel=x", "turn:a|u|p</script>", "stun:" + "a".repeat(600)}) {
            assertThatThrownBy(() -> IceServer.parseList(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void thePlayerPageCarriesTheServers() {
        String page = new String(new PlayerPage(IceServer.parseList("stun:s.example:3478")).html(),
                StandardCharsets.UTF_8);
        assertThat(page).contains("const iceServers = [{\"urls\":\"stun:s.example:3478\"}];")
                .doesNotContain(PlayerPage.ICE_SERVERS_PLACEHOLDER);
        assertThat(new String(new PlayerPage().html(), StandardCharsets.UTF_8)).contains("const iceServers = [];");
    }
}
