package dev.vireo.control.model;

import java.time.Instant;
import java.util.Set;

/**
 * A transcoding template: a live stream transcoded with it is published as {@code {stream}_{id}}.
 * Zero for width, height, fps or gop means "as the source".
 *
 * @param gop frames between keyframes
 */
public record Template(long accountId, String id, String videoCodec, int width, int height, int videoBitrateKbps, int fps,
                int gop, String audioCodec, int audioBitrateKbps, Instant createdAt) {

    static final Set<String> VIDEO_CODECS = Set.of("h264", "h265");
    static final Set<String> AUDIO_CODECS = Set.of("aac", "opus");

    /** @throws ApiException InvalidParameter naming the first field out of range */
    public Template {
        Names.templateId(id);
        if (!VIDEO_CODECS.contains(videoCodec)) {
            throw ApiException.badRequest("InvalidParameter", "videoCodec must be h264 or h265");
        }
        if (!AUDIO_CODECS.contains(audioCodec)) {
            throw ApiException.badRequest("InvalidParameter", "audioCodec must be aac or opus");
        }
        range("width", width, 16, 7680, true);
        range("height", height, 16, 4320, true);
        range("videoBitrateKbps", videoBitrateKbps, 50, 100_000, false);
        range("fps", fps, 1, 120, true);
        range("gop", gop, 1, 3600, true);
        range("audioBitrateKbps", audioBitrateKbps, 8, 512, false);
        if (width % 2 != 0 || height % 2 != 0) {
            throw ApiException.badRequest("InvalidParameter", "width and height must be even");
        }
    }

    private static void range(String what, int v, int min, int max, boolean zeroAllowed) {
        if (!(zeroAllowed && v == 0) && (v < min || v > max)) {
            throw ApiException.badRequest("InvalidParameter", what + " must be " + (zeroAllowed ? "0 (as source) or " : "")
                    + min + " to " + max);
        }
    }
}
