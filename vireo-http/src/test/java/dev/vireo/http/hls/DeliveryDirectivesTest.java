package dev.vireo.http.hls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** draft-pantos-hls-rfc8216bis §6.2.5: parsing and bounds of the delivery directives. */
class DeliveryDirectivesTest {

    @Test
    void parsesMsnPartAndSkip() throws Exception {
        assertThat(DeliveryDirectives.parse(null, null, null)).isEqualTo(DeliveryDirectives.NONE);
        assertThat(DeliveryDirectives.parse("12", "3", "YES")).isEqualTo(new DeliveryDirectives(12, 3, true));
        assertThat(DeliveryDirectives.parse("12", null, "v2").part()).isEqualTo(-1);
        assertThat(DeliveryDirectives.parse("0", null, null).blocking()).isTrue();
    }

    @Test
    void refusesWhatTheSpecCallsBadRequest() {
        // §6.2.5.2: _HLS_part without _HLS_msn
        assertThatThrownBy(() -> DeliveryDirectives.parse(null, "1", null)).hasMessageContaining("without _HLS_msn");
        assertThatThrownBy(() -> DeliveryDirectives.parse("-1", null, null)).isInstanceOf(DeliveryDirectives.Invalid.class);
        assertThatThrownBy(() -> DeliveryDirectives.parse("1e3", null, null)).isInstanceOf(DeliveryDirectives.Invalid.class);
        assertThatThrownBy(() -> DeliveryDirectives.parse("9".repeat(13), null, null)).isInstanceOf(DeliveryDirectives.Invalid.class);
        assertThatThrownBy(() -> DeliveryDirectives.parse("1", "99999999999", null)).isInstanceOf(DeliveryDirectives.Invalid.class);
        assertThatThrownBy(() -> DeliveryDirectives.parse(null, null, "yes")).isInstanceOf(DeliveryDirectives.Invalid.class);
    }

    @Test
    void tooFarAheadIsMsnPastTheLastPlusTwoOrPartsPastTheAdvancePartLimit() throws Exception {
        // open segment 6 with 3 parts; Part Target 200 ms -> Advance Part Limit 3 / 0.2 = 15 parts
        Timeline t = PlaylistWriterTest.timeline(PlaylistWriterTest.segments(0, 6, -1), 3);
        assertThat(DeliveryDirectives.parse("8", null, null).tooFarAhead(t)).isNull();
        assertThat(DeliveryDirectives.parse("9", null, null).tooFarAhead(t)).contains("more than two segments");
        assertThat(DeliveryDirectives.parse("6", "17", null).tooFarAhead(t)).isNull();     // 15 past part 2
        assertThat(DeliveryDirectives.parse("6", "18", null).tooFarAhead(t)).contains("parts past");
        assertThat(DeliveryDirectives.parse("7", "0", null).tooFarAhead(t)).isNull();
        assertThat(DeliveryDirectives.parse("7", "15", null).tooFarAhead(t)).contains("parts past");
        assertThat(DeliveryDirectives.parse("2", "50", null).tooFarAhead(t)).isNull(); // an old segment: §6.2.5.2 M3
    }
}
