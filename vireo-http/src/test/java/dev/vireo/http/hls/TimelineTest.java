package dev.vireo.http.hls;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When a blocking reload can be answered (draft-pantos-hls-rfc8216bis §6.2.5.2). */
class TimelineTest {

    private final Timeline t = PlaylistWriterTest.timeline(PlaylistWriterTest.segments(0, 6, -1), 3);

    @Test
    void aSegmentIsThereOnceComplete() {
        assertThat(t.hasSegment(5)).isTrue();
        assertThat(t.hasSegment(6)).as("the open segment").isFalse();
    }

    @Test
    void aPartIsThereOnceComplete() {
        assertThat(t.hasPart(6, 2)).isTrue();
        assertThat(t.hasPart(6, 3)).as("the hinted part").isFalse();
        assertThat(t.hasPart(7, 0)).isFalse();
        assertThat(t.hasPart(3, 9)).isTrue();
    }

    @Test
    void aPartPastTheLastOfItsSegmentIsPartZeroOfTheNext() {
        // §6.2.5.2: "a Part Index greater than that of the final Partial Segment of the Parent Segment"
        assertThat(t.hasPart(5, 10)).as("= part 0 of segment 6, which exists").isTrue();
        Timeline noOpenParts = PlaylistWriterTest.timeline(PlaylistWriterTest.segments(0, 6, -1), 0);
        assertThat(noOpenParts.hasPart(5, 10)).as("= part 0 of segment 6, not made yet").isFalse();
    }

    @Test
    void resourcesAreFoundByNumber() {
        assertThat(t.segment(4).msn()).isEqualTo(4);
        assertThat(t.segment(6)).isNull();
        assertThat(t.part(6, 2)).isNotNull();
        assertThat(t.part(6, 3)).isNull();
        assertThat(t.part(1, 9).index()).isEqualTo(9);
    }
}
