package dev.vireo.server;

import dev.vireo.control.model.ControlSnapshot;
import dev.vireo.control.model.TemplateInfo;
import dev.vireo.core.StreamKey;
import dev.vireo.transcode.templates.TemplateCatalog;
import dev.vireo.transcode.templates.TranscodeTemplate;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transcoder's templates from the control plane: those of the account that owns the source
 * stream's domain (the admin's for the zero-config vhost). Answers from the control plane's
 * in-memory state (swapped whole on each change), so it is safe on event loops.
 */
final class ControlTemplates implements TemplateCatalog {

    private static final Logger log = LoggerFactory.getLogger(ControlTemplates.class);

    private final ControlSnapshot control;

    ControlTemplates(ControlSnapshot control) {
        this.control = control;
    }

    @Override
    public Optional<TranscodeTemplate> find(String id) {
        return control.template(StreamKey.DEFAULT_VHOST, id).flatMap(ControlTemplates::toTranscoder);
    }

    @Override
    public Optional<TranscodeTemplate> find(StreamKey source, String id) {
        return control.template(source.vhost(), id).flatMap(ControlTemplates::toTranscoder);
    }

    /**
     * The control plane's template as the transcoder's: a given height scales by height (the width
     * follows the source's aspect ratio, exactly {@code width} for a source of the template's
     * shape), only a width scales by width.
     */
    static Optional<TranscodeTemplate> toTranscoder(TemplateInfo t) {
        try {
            return Optional.of(new TranscodeTemplate(t.id(), t.videoCodec(), t.width(), t.height(), 0, t.fps(),
                    t.videoBitrateKbps(), t.gop(), t.audioCodec(), t.audioBitrateKbps()));
        } catch (IllegalArgumentException e) {
            // both sides validate the same ranges; only a store edited by hand gets here
            log.warn("template {} cannot be used for transcoding: {}", t.id(), e.getMessage());
            return Optional.empty();
        }
    }
}
