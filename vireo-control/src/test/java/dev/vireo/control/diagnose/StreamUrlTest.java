package dev.vireo.control.diagnose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StreamUrlTest {

    @Test
    void readsEveryUrlTheGeneratorPrints() {
        assertThat(StreamUrl.parse("rtmp://push.example.com/live/demo?auth_key=1-0-0-x"))
                .isEqualTo(new StreamUrl("rtmp", null, "push.example.com", "live", "demo", null, "auth_key=1-0-0-x"));
        assertThat(StreamUrl.parse("srt://push.example.com:10080?streamid=#!::h=push.example.com,r=/live/demo?auth_key=1-0-0-x,m=publish"))
                .isEqualTo(new StreamUrl("srt", "publish", "push.example.com", "live", "demo", null, "auth_key=1-0-0-x"));
        assertThat(StreamUrl.parse("artc://play.example.com/live/demo").protocol()).isEqualTo("artc");
        assertThat(StreamUrl.parse("http://push.example.com:8080/live/demo/whip?auth_key=k").action()).isEqualTo("publish");
        assertThat(StreamUrl.parse("https://play.example.com/live/demo/whep").action()).isEqualTo("play");
        StreamUrl flv = StreamUrl.parse("http://play.example.com/live/demo.flv?auth_key=k");
        assertThat(flv.signedUri()).isEqualTo("/live/demo.flv");
        assertThat(flv.protocol()).isEqualTo("flv");
        assertThat(StreamUrl.parse("http://play.example.com/live/demo.m3u8").signedUri()).isEqualTo("/live/demo.m3u8");
        assertThat(StreamUrl.parse("http://127.0.0.1:8080/play/live/demo?vhost=play.example.com").stream()).isEqualTo("demo");
    }

    @Test
    void saysWhatIsWrongWithOtherUrls() {
        assertThatThrownBy(() -> StreamUrl.parse("rtmp://push.example.com/live")).hasMessageContaining("OBS");
        assertThatThrownBy(() -> StreamUrl.parse("push.example.com/live/demo")).hasMessageContaining("scheme");
        assertThatThrownBy(() -> StreamUrl.parse("ftp://x/live/demo")).hasMessageContaining("ftp");
        assertThatThrownBy(() -> StreamUrl.parse("http://x/live/demo/other")).hasMessageContaining("/live/demo/other");
        assertThatThrownBy(() -> StreamUrl.parse("srt://x:1?streamid=abc")).hasMessageContaining("streamid");
        assertThatThrownBy(() -> StreamUrl.parse("rtmp://x/" + "a".repeat(5000) + "/b")).hasMessageContaining("longer");
    }
}
