package dev.vireo.transcode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.StreamKey;
import dev.vireo.transcode.html5.Html5Variant;
import org.junit.jupiter.api.Test;

class RequestTest {

    private static Request parse(String stream) {
        return Request.parse(new StreamKey("example.com", "live", stream)).orElse(null);
    }

    @Test
    void templateKeysSplitAtTheLastUnderscore() {
        Request r = parse("my_show_lhd");
        assertThat(r.kind()).isEqualTo(Request.Kind.TEMPLATE);
        assertThat(r.templateId()).isEqualTo("lhd");
        assertThat(r.source()).isEqualTo(new StreamKey("example.com", "live", "my_show"));
        assertThat(r.output()).isEqualTo(new StreamKey("example.com", "live", "my_show_lhd"));
        assertThat(r.describe()).isEqualTo("template lhd");
    }

    @Test
    void variants() {
        assertThat(parse("demo@html5")).satisfies(r -> {
            assertThat(r.kind()).isEqualTo(Request.Kind.HTML5);
            assertThat(r.source().stream()).isEqualTo("demo");
        });
        assertThat(parse("demo@aac")).satisfies(r -> {
            assertThat(r.kind()).isEqualTo(Request.Kind.AAC);
            assertThat(r.source().stream()).isEqualTo("demo");
        });
        assertThat(Html5Variant.of(StreamKey.of("live", "x")).stream()).isEqualTo("x@html5");
        assertThat(AacVariant.of(StreamKey.of("live", "x")).stream()).isEqualTo("x@aac");
    }

    @Test
    void otherNamesAreNotOurs() {
        assertThat(parse("demo")).isNull();
        assertThat(parse("demo_")).isNull();
        assertThat(parse("_lhd")).isNull();
        assertThat(parse("@html5")).isNull();
        assertThat(parse("demo_l.hd")).isNull();
        assertThat(parse("demo_" + "x".repeat(33))).isNull();
    }
}
