package dev.vireo.transcode.templates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.core.StreamKey;
import dev.vireo.transcode.TranscodeConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TemplatesTest {

    @Test
    void builtIns() {
        TemplateCatalog c = TemplateCatalog.builtIn();
        assertThat(c.find("lld")).get().satisfies(t -> {
            assertThat(t.width()).isEqualTo(640);
            assertThat(t.height()).isEqualTo(360);
            assertThat(t.videoCodec()).isEqualTo("h264");
            assertThat(t.audioCodec()).isEqualTo("aac");
        });
        assertThat(c.find("lsd").orElseThrow().height()).isEqualTo(480);
        assertThat(c.find("lhd").orElseThrow().height()).isEqualTo(720);
        assertThat(c.find("lud").orElseThrow().height()).isEqualTo(1080);
        assertThat(c.find("nope")).isEmpty();
    }

    @Test
    void aCatalogFallsBackToTheBuiltIns() {
        TranscodeTemplate mine = new TranscodeTemplate("lld", "h265", 0, 240, 0, 15, 200, 30, "opus", 32);
        Map<String, TranscodeTemplate> store = Map.of("lld", mine);
        TemplateCatalog c = ((TemplateCatalog) id -> Optional.ofNullable(store.get(id))).orElse(TemplateCatalog.builtIn());
        assertThat(c.find("lld")).contains(mine);
        assertThat(c.find(StreamKey.of("live", "x"), "lhd").orElseThrow().height()).isEqualTo(720);
        assertThat(c.find("nope")).isEmpty();
    }

    @Test
    void validation() {
        assertThatThrownBy(() -> new TranscodeTemplate("a_b", "h264", 0, 0, 0, 0, 500, 0, "aac", 64))
                .hasMessageContaining("must be 1 to 32 of A-Z a-z 0-9 -");
        assertThatThrownBy(() -> new TranscodeTemplate("x", "vp8", 0, 0, 0, 0, 500, 0, "aac", 64))
                .hasMessage("template x: videoCodec must be h264 or h265");
        assertThatThrownBy(() -> new TranscodeTemplate("x", "h264", 641, 0, 0, 0, 500, 0, "aac", 64))
                .hasMessage("template x: width 641 must be even");
        assertThatThrownBy(() -> new TranscodeTemplate("x", "h264", 0, 0, 0, 0, 10, 0, "aac", 64))
                .hasMessageContaining("videoBitrateKbps 10 must be 50 to 100000");
        assertThatThrownBy(() -> TranscodeConfig.defaults().withX264Preset("turbo")).hasMessageContaining("turbo");
        assertThatThrownBy(() -> TranscodeConfig.defaults().withRestartBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
