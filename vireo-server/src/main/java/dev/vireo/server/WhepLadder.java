package dev.vireo.server;

import dev.vireo.control.ControlPlane;
import dev.vireo.core.Gate;
import dev.vireo.core.StreamKey;
import dev.vireo.transcode.templates.TemplateCatalog;
import dev.vireo.transcode.templates.TranscodeTemplate;
import dev.vireo.webrtc.whep.Rendition;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A WHEP viewer's ABR ladder: its streaming domain's {@code abrLadder} (control plane) as the
 * transcoder's {@code {stream}_{templateId}} variants, with each template's video and audio
 * bitrate; ids the catalog does not know are left out. A stream whose WHIP publisher sends
 * simulcast has its lower layers ({@code {stream}~{rid}}) as the ladder instead: no transcode is
 * started for it. From memory: safe on the signaling path.
 */
final class WhepLadder implements BiFunction<Gate.AccessRequest, StreamKey, List<Rendition>> {

    private final ControlPlane control;
    private final TemplateCatalog templates;
    private final Function<StreamKey, List<Rendition>> simulcast;

    WhepLadder(ControlPlane control, TemplateCatalog templates) {
        this(control, templates, key -> List.of());
    }

    /** @param simulcast a stream's simulcast layers below its main one, highest first (empty: none) */
    WhepLadder(ControlPlane control, TemplateCatalog templates, Function<StreamKey, List<Rendition>> simulcast) {
        this.control = control;
        this.templates = templates;
        this.simulcast = simulcast;
    }

    @Override
    public List<Rendition> apply(Gate.AccessRequest request, StreamKey source) {
        List<Rendition> layers = simulcast.apply(source);
        if (!layers.isEmpty()) {
            return layers;
        }
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
