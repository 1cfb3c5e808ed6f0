package dev.vireo.transcode;

import dev.vireo.core.StreamKey;
import dev.vireo.transcode.html5.Html5Variant;
import dev.vireo.transcode.templates.TranscodeTemplate;
import java.util.Optional;

/**
 * What a requested key asks the transcoder for: {@code {stream}@html5}, {@code {stream}@aac} or
 * {@code {stream}_{templateId}} (split at the last underscore: stream names may contain
 * underscores, template ids may not).
 *
 * @param templateId the template id for {@link Kind#TEMPLATE}, else null
 */
record Request(Kind kind, StreamKey output, StreamKey source, String templateId) {

    enum Kind { TEMPLATE, HTML5, AAC }

    static Optional<Request> parse(StreamKey key) {
        String name = key.stream();
        if (name.endsWith(Html5Variant.SUFFIX) && name.length() > Html5Variant.SUFFIX.length()) {
            return Optional.of(new Request(Kind.HTML5, key, source(key, name.length() - Html5Variant.SUFFIX.length()), null));
        }
        if (name.endsWith(AacVariant.SUFFIX) && name.length() > AacVariant.SUFFIX.length()) {
            return Optional.of(new Request(Kind.AAC, key, source(key, name.length() - AacVariant.SUFFIX.length()), null));
        }
        int us = name.lastIndexOf('_');
        if (us > 0 && us < name.length() - 1) {
            String id = name.substring(us + 1);
            if (TranscodeTemplate.isId(id)) {
                return Optional.of(new Request(Kind.TEMPLATE, key, source(key, us), id));
            }
        }
        return Optional.empty();
    }

    private static StreamKey source(StreamKey key, int end) {
        return new StreamKey(key.vhost(), key.app(), key.stream().substring(0, end));
    }

    /** For logs and stats: "template lld", "html5", "aac". */
    String describe() {
        return switch (kind) {
            case TEMPLATE -> "template " + templateId;
            case HTML5 -> "html5";
            case AAC -> "aac";
        };
    }
}
