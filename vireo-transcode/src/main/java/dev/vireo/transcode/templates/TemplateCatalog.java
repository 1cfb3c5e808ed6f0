package dev.vireo.transcode.templates;

import dev.vireo.core.StreamKey;
import java.util.Optional;

/**
 * Where transcoding templates come from: the control plane's store (wired by the server), with the
 * built-in {@code lld}/{@code lsd}/{@code lhd}/{@code lud} as a fallback.
 *
 * <p>Looked up when a viewer asks for {@code {stream}_{id}}, on that viewer's event loop: an
 * implementation must answer from memory and never block (no database round trip per request).
 */
public interface TemplateCatalog {

    Optional<TranscodeTemplate> find(String id);

    /**
     * The template {@code id} as it applies to {@code source} (a catalog of per-account templates
     * can resolve the account from the source's vhost). Defaults to {@link #find(String)}.
     */
    default Optional<TranscodeTemplate> find(StreamKey source, String id) {
        return find(id);
    }

    /** This catalog, then {@code fallback} for ids it does not know. */
    default TemplateCatalog orElse(TemplateCatalog fallback) {
        TemplateCatalog first = this;
        return new TemplateCatalog() {
            @Override
            public Optional<TranscodeTemplate> find(String id) {
                return first.find(id).or(() -> fallback.find(id));
            }

            @Override
            public Optional<TranscodeTemplate> find(StreamKey source, String id) {
                return first.find(source, id).or(() -> fallback.find(source, id));
            }
        };
    }

    /** The built-in templates (H.264 + AAC, keyframes as the source, frame rate as the source). */
    static TemplateCatalog builtIn() {
        return BuiltInTemplates.CATALOG;
    }
}
