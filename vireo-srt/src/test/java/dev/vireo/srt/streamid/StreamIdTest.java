package dev.vireo.srt.streamid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.srt.streamid.StreamId.Mode;
import org.junit.jupiter.api.Test;

class StreamIdTest {

    @Test
    void accessControlSyntaxWithDomainTokenAndUser() {
        StreamId id = StreamId.parse("#!::h=push.example.com,r=/live/demo?auth_key=1700000000-0-0-abcdef,m=publish,u=alice");
        assertThat(id).isEqualTo(new StreamId("push.example.com", "live", "demo",
                "auth_key=1700000000-0-0-abcdef", Mode.PUBLISH, "alice"));
        assertThat(id.uri()).isEqualTo("/live/demo");
    }

    @Test
    void whatTheUrlGeneratorPrintsParses() {
        // UrlGenerator: streamid=#!::h={domain},r=/{app}/{stream}?auth_key=...,m=publish
        StreamId id = StreamId.parse("#!::h=Push.Example.com:10080,r=/live/demo?auth_key=1-0-0-d41d8cd98f00b204e9800998ecf8427e,m=publish");
        assertThat(id.host()).isEqualTo("push.example.com");
        assertThat(id.mode()).isEqualTo(Mode.PUBLISH);
        assertThat(id.query()).isEqualTo("auth_key=1-0-0-d41d8cd98f00b204e9800998ecf8427e");
    }

    @Test
    void resourceWithoutLeadingSlashAndDefaultModeIsRequest() {
        StreamId id = StreamId.parse("#!::r=live/srt1");
        assertThat(id).isEqualTo(new StreamId("", "live", "srt1", "", Mode.REQUEST, ""));
    }

    @Test
    void vmixPutsTheResourceInH() {
        StreamId id = StreamId.parse("#!::h=live/demo?auth_key=k&vhost=push.example.com,m=publish");
        assertThat(id).isEqualTo(new StreamId("", "live", "demo", "auth_key=k&vhost=push.example.com", Mode.PUBLISH, ""));
    }

    @Test
    void shortForms() {
        assertThat(StreamId.parse("live/demo")).isEqualTo(new StreamId("", "live", "demo", "", Mode.REQUEST, ""));
        assertThat(StreamId.parse("live/demo?vhost=a.com")).isEqualTo(new StreamId("", "live", "demo", "vhost=a.com", Mode.REQUEST, ""));
        assertThat(StreamId.parse("publish:live/demo").mode()).isEqualTo(Mode.PUBLISH);
        assertThat(StreamId.parse("read:live/demo").mode()).isEqualTo(Mode.REQUEST);
        assertThat(StreamId.parse("/app/sub/stream")).isEqualTo(new StreamId("", "app/sub", "stream", "", Mode.REQUEST, ""));
    }

    @Test
    void unknownKeysAreIgnoredTypeStreamIsAccepted() {
        StreamId id = StreamId.parse("#!::r=live/a,m=publish,s=abc123,t=stream,x=custom");
        assertThat(id.stream()).isEqualTo("a");
    }

    @Test
    void emptyIsRefusedWithAClearReason() {
        assertThatThrownBy(() -> StreamId.parse("")).isInstanceOfSatisfying(StreamIdException.class, e -> {
            assertThat(e.rejectCode()).isEqualTo(1400);
            assertThat(e.getMessage()).contains("empty streamid").contains("#!::r=live/demo,m=publish");
        });
        assertThatThrownBy(() -> StreamId.parse(null)).isInstanceOf(StreamIdException.class);
    }

    @Test
    void badInputIsRefusedWithCodes() {
        assertRefused("#!::r=live/demo,m=play", 1405, "mode");
        assertRefused("#!::r=live/demo,t=file", 1415, "t=file");
        assertRefused("#!::h=example.com,m=publish", 1400, "no resource");
        assertRefused("#!::rlive", 1400, "key=value");
        assertRefused("demo", 1400, "app/stream");
        assertRefused("live/", 1400, "app/stream");
        assertRefused("/live/../x", 1400, "relative");
        assertRefused("live//x", 1400, "empty");
        assertRefused("live/a b", 1400, "characters");
        assertRefused("live/\u00e9", 1400, "non-ASCII");
        assertRefused("live/a\u0000", 1400, "control");
        assertRefused("live/" + "a".repeat(600), 1400, "longer than 512");
    }

    private static void assertRefused(String text, int code, String reason) {
        assertThatThrownBy(() -> StreamId.parse(text)).isInstanceOfSatisfying(StreamIdException.class, e -> {
            assertThat(e.rejectCode()).as(text).isEqualTo(code);
            assertThat(e.getMessage()).as(text).contains(reason);
        });
    }
}
