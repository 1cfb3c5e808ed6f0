package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.control.model.CertificateBundle;
import dev.vireo.control.model.ControlSnapshot;
import dev.vireo.control.model.DomainInfo;
import dev.vireo.control.model.RecordRule;
import dev.vireo.control.model.TemplateInfo;
import dev.vireo.core.Gate;
import dev.vireo.core.StreamKey;
import dev.vireo.transcode.templates.TranscodeTemplate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The transcoder's and HLS's readers of the control plane's configuration need nothing but the
 * {@link ControlSnapshot} interface: here a fake one, with templates per vhost, stands in for the
 * control plane (no store, no API).
 */
class ControlSnapshotReadersTest {

    private static final TemplateInfo HD = new TemplateInfo("hd", "h264", 0, 720, 30, 2500, 60, "aac", 128);
    private static final TemplateInfo BROKEN = new TemplateInfo("broken", "vp9", 0, 720, 30, 2500, 60, "aac", 128);

    /** Templates by vhost; records every vhost asked. */
    private static final class FakeSnapshot implements ControlSnapshot {
        final Map<String, List<TemplateInfo>> templates;
        final List<String> asked = new ArrayList<>();

        FakeSnapshot(Map<String, List<TemplateInfo>> templates) {
            this.templates = templates;
        }

        @Override
        public Optional<DomainInfo> domain(String name) {
            return Optional.empty();
        }

        @Override
        public Optional<CertificateBundle> certificateFor(String sniHost) {
            return Optional.empty();
        }

        @Override
        public Optional<String> srtPassphrase(String vhost) {
            return Optional.empty();
        }

        @Override
        public Optional<String> html5TranscodingOff(Gate.AccessRequest request) {
            return Optional.empty();
        }

        @Override
        public boolean browserVariantWanted(String vhost) {
            return false;
        }

        @Override
        public Optional<TemplateInfo> template(String vhost, String id) {
            asked.add(vhost);
            return templates(vhost).stream().filter(t -> t.id().equals(id)).findFirst();
        }

        @Override
        public List<TemplateInfo> templates(String vhost) {
            return templates.getOrDefault(vhost, List.of());
        }

        @Override
        public Optional<String> resign(Gate.AccessRequest admitted, String uri) {
            return Optional.empty();
        }

        @Override
        public Optional<RecordRule> recordRule(StreamKey key) {
            return Optional.empty();
        }
    }

    @Test
    void theTranscoderFindsTheTemplatesOfTheSourcesDomain() {
        FakeSnapshot snapshot = new FakeSnapshot(Map.of("push.example.com", List.of(HD, BROKEN),
                StreamKey.DEFAULT_VHOST, List.of()));
        ControlTemplates catalog = new ControlTemplates(snapshot);
        StreamKey source = new StreamKey("push.example.com", "live", "demo");

        Optional<TranscodeTemplate> hd = catalog.find(source, "hd");
        assertThat(hd).hasValueSatisfying(t -> {
            assertThat(t.height()).isEqualTo(720);
            assertThat(t.videoBitrateKbps()).isEqualTo(2500);
            assertThat(t.gopFrames()).isEqualTo(60);
        });
        assertThat(catalog.find("hd")).as("the zero-config vhost's account has no template hd").isEmpty();
        assertThat(catalog.find(source, "broken")).as("a template the transcoder refuses is not offered").isEmpty();
        assertThat(snapshot.asked).containsExactly("push.example.com", StreamKey.DEFAULT_VHOST, "push.example.com");
    }

    @Test
    void theMasterPlaylistListsTheSourcesTemplates() {
        FakeSnapshot snapshot = new FakeSnapshot(Map.of("push.example.com", List.of(HD)));
        HlsRenditions renditions = new HlsRenditions(snapshot);

        assertThat(renditions.of(new StreamKey("push.example.com", "live", "demo")))
                .singleElement().satisfies(r -> {
                    assertThat(r.id()).isEqualTo("hd");
                    assertThat(r.height()).isEqualTo(720);
                });
        assertThat(renditions.of(new StreamKey("other.example.com", "live", "demo"))).isEmpty();
    }
}
