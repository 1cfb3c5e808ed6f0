package dev.vireo.server;

import dev.vireo.control.ControlPlane;
import dev.vireo.core.Gate;
import dev.vireo.core.StreamKey;
import dev.vireo.transcode.TemplateCatalog;
import dev.vireo.transcode.TranscodeTemplate;
import dev.vireo.webrtc.whep.Rendition;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * A WHEP viewer's ABR ladder: its streaming domain's {@code abrLadder} (control plane) as the
 * transcoder's {@code {stream}_{templateId}} variants, with each template's video and audio
 * bitrate; ids the catalog does not know are left out. From memory: safe on the signaling path.
 */
final class WhepLadder implements BiFunction<Gate.AccessRequest, StreamKey, List<Rendition>> {

    private final ControlPlane control;
    private final TemplateCatalog templates;

    WhepLadder(ControlPlane control, TemplateCatalog templates) {
        this.control = control;
        this.templates = templates;
    }

    @Override
    public List<Rendition> apply(Gate.AccessRequest request, StreamKey source) {
        List<String> ids = control.abrLadder(request);
        if (ids.isEmpty()) {
            return List.of();
        }
        List<Rendition> out = new ArrayList<>(ids.size());
        for (String id : ids) {
            Optional<TranscodeTemplate> t = templates.find(source, id);
            t.ifPresent(template -> out.add(new Rendition(
                    new StreamKey(source.vhost(), source.app(), source.stream() + "_" + id), id,
                    (template.videoBitrateKbps() + template.audioBitrateKbps()) * 1000L)));
        }
        return out;
    }
}
