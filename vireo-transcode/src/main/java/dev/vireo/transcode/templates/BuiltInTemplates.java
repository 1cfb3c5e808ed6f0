package dev.vireo.transcode.templates;

import java.util.Map;
import java.util.Optional;

/**
 * The templates every installation has, named like the cloud service's narrowband-HD defaults:
 * lld (low definition), lsd (standard), lhd (high), lud (ultra). Bitrates are those of common
 * live ladders for H.264 at 30 fps.
 */
final class BuiltInTemplates {

    static final Map<String, TranscodeTemplate> ALL = Map.of(
            "lld", template("lld", 640, 360, 600, 64),
            "lsd", template("lsd", 854, 480, 1000, 96),
            "lhd", template("lhd", 1280, 720, 2000, 128),
            "lud", template("lud", 1920, 1080, 4000, 128));

    static final TemplateCatalog CATALOG = id -> Optional.ofNullable(ALL.get(id));

    private BuiltInTemplates() {
    }

    private static TranscodeTemplate template(String id, int width, int height, int videoKbps, int audioKbps) {
        return new TranscodeTemplate(id, "h264", width, height, 0, 0, videoKbps, 0, "aac", audioKbps);
    }
}
