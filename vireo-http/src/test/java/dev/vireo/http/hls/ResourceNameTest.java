package dev.vireo.http.hls;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResourceNameTest {

    @Test
    void namesTheResourcesOfAPlaylist() {
        assertThat(ResourceName.parse("init3", "mp4")).isEqualTo(new ResourceName(ResourceName.Kind.INIT, -1, -1, 3));
        assertThat(ResourceName.parse("s12", "ts").kind()).isEqualTo(ResourceName.Kind.TS_SEGMENT);
        assertThat(ResourceName.parse("s12", "m4s").kind()).isEqualTo(ResourceName.Kind.FMP4_SEGMENT);
        assertThat(ResourceName.parse("p12_4", "m4s")).isEqualTo(new ResourceName(ResourceName.Kind.PART, 12, 4, -1));
        assertThat(ResourceName.parse("p12_4", "m4s").toString()).isEqualTo("p12_4.m4s");
    }

    @Test
    void anythingElseIsNull() {
        for (String[] bad : new String[][] {{"p12_4", "ts"}, {"s", "ts"}, {"s-1", "ts"}, {"x1", "m4s"}, {"p1", "m4s"},
                {"p1_", "m4s"}, {"init", "mp4"}, {"s1", "mp4"}, {"s" + "9".repeat(13), "ts"}, {"p1_99999999999", "m4s"}}) {
            assertThat(ResourceName.parse(bad[0], bad[1])).as(bad[0] + "." + bad[1]).isNull();
        }
    }
}
