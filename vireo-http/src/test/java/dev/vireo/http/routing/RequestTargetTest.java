package dev.vireo.http.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RequestTargetTest {

    @Test
    void originForm() {
        assertThat(RequestTarget.parse("/live/demo.flv?auth_key=1-0-0-abc"))
                .isEqualTo(new RequestTarget("/live/demo.flv", "auth_key=1-0-0-abc"));
        assertThat(RequestTarget.parse("/x")).isEqualTo(new RequestTarget("/x", ""));
        assertThat(RequestTarget.parse("/x?")).isEqualTo(new RequestTarget("/x", ""));
    }

    @Test
    void absoluteFormIsAccepted() {
        // RFC 9112 §3.2.2: a server MUST accept the absolute-form.
        assertThat(RequestTarget.parse("http://example.com:8080/live/a.flv?k=v"))
                .isEqualTo(new RequestTarget("/live/a.flv", "k=v"));
        assertThat(RequestTarget.parse("http://example.com")).isEqualTo(new RequestTarget("/", ""));
        assertThat(RequestTarget.parse("http://example.com?q=1")).isEqualTo(new RequestTarget("/", "q=1"));
    }

    @Test
    void pathForLogsNeverCarriesTheQuery() {
        assertThat(RequestTarget.pathOf("/live/a.flv?auth_key=secret")).isEqualTo("/live/a.flv");
        assertThat(RequestTarget.pathOf("*")).isEqualTo("<invalid target>");
        assertThatThrownBy(() -> RequestTarget.parse("garbage")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void hostHeaderWithoutPort() {
        assertThat(HostHeader.hostOf("Live.Example.com:8080")).isEqualTo("live.example.com");
        assertThat(HostHeader.hostOf("example.com")).isEqualTo("example.com");
        assertThat(HostHeader.hostOf("[::1]:8080")).isEqualTo("::1");
        assertThat(HostHeader.hostOf("127.0.0.1:80")).isEqualTo("127.0.0.1");
        assertThat(HostHeader.hostOf(null)).isEmpty();
    }
}
