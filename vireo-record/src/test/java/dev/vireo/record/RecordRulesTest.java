package dev.vireo.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RecordRulesTest {

    @Test
    void patternsNameAppsAndStreamsWithStarsForAny() {
        RecordRules r = RecordRules.parse(" live/* , news/main ", Duration.ofHours(1));
        assertThat(r.any()).isTrue();
        assertThat(r.matches("live", "demo")).isTrue();
        assertThat(r.matches("news", "main")).isTrue();
        assertThat(r.matches("news", "other")).isFalse();
        assertThat(r.matches("vod", "demo")).isFalse();
        assertThat(RecordRules.parse("*/*", Duration.ofHours(1)).matches("a", "b")).isTrue();
        assertThat(RecordRules.parse("", Duration.ofHours(1)).any()).isFalse();
    }

    @Test
    void malformedPatternsAndRotationsAreRefused() {
        assertThatThrownBy(() -> RecordRules.parse("live", Duration.ofHours(1))).hasMessageContaining("app/stream");
        assertThatThrownBy(() -> RecordRules.parse("a/b/c", Duration.ofHours(1))).hasMessageContaining("app/stream");
        assertThatThrownBy(() -> RecordRules.parse("live/", Duration.ofHours(1))).hasMessageContaining("app/stream");
        assertThatThrownBy(() -> RecordRules.parse("live/*", Duration.ZERO)).hasMessageContaining("rotation");
    }
}
