package dev.vireo.server;

import dev.vireo.control.model.ControlSnapshot;
import dev.vireo.core.Gate;
import dev.vireo.core.StreamKey;
import dev.vireo.http.hls.Renditions;
import java.util.List;
import java.util.Optional;

/** The master playlist's renditions: the transcoding templates of the source's account (control plane, from memory). */
final class HlsRenditions implements Renditions {

    private final ControlSnapshot control;

    HlsRenditions(ControlSnapshot control) {
        this.control = control;
    }

    @Override
    public List<Rendition> of(StreamKey source) {
        return control.templates(source.vhost()).stream()
                .map(t -> new Rendition(t.id(), t.videoCodec(), t.width(), t.height(), t.fps(), t.videoBitrateKbps(),
                        t.audioCodec(), t.audioBitrateKbps()))
                .toList();
    }

    @Override
    public Optional<String> resign(Gate.AccessRequest admitted, String uri) {
        return control.resign(admitted, uri);
    }
}
