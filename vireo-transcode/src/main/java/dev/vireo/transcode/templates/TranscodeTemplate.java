package dev.vireo.transcode.templates;

import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A transcoding template: a live stream {@code demo} played as {@code demo_{id}} is transcoded with
 * it. Zero means "as the source" for every number but the bitrates.
 *
 * <p>Size: with {@code shortSide} set, the shorter side of the picture becomes {@code shortSide}
 * (portrait sources stay portrait); otherwise with {@code height} set the picture is scaled to that
 * height and the width follows the source's aspect ratio (a 16:9 source gives exactly
 * {@code width}x{@code height}, a 4:3 one is narrower); with only {@code width} set, the height
 * follows. Dimensions are always even (4:2:0 needs it).
 *
 * @param id [A-Za-z0-9-]{1,32}, the suffix of the transcoded stream's name
 * @param videoCodec "h264" or "h265"
 * @param fps frame rate cap, 0 = as the source
 * @param videoBitrateKbps target video bitrate
 * @param gopFrames frames between keyframes, 0 = keyframes where the source has them
 * @param audioCodec "aac" or "opus"
 * @param audioBitrateKbps target audio bitrate
 */
public record TranscodeTemplate(String id, String videoCodec, int width, int height, int shortSide, int fps,
                                int videoBitrateKbps, int gopFrames, String audioCodec, int audioBitrateKbps) {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,31}");
    static final Set<String> VIDEO_CODECS = Set.of("h264", "h265");
    static final Set<String> AUDIO_CODECS = Set.of("aac", "opus");

    /** @throws IllegalArgumentException naming the first field out of range */
    public TranscodeTemplate {
        Objects.requireNonNull(id, "id");
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("template id '" + id + "' must be 1 to 32 of A-Z a-z 0-9 -");
        }
        if (!VIDEO_CODECS.contains(videoCodec)) {
            throw new IllegalArgumentException("template " + id + ": videoCodec must be h264 or h265");
        }
        if (!AUDIO_CODECS.contains(audioCodec)) {
            throw new IllegalArgumentException("template " + id + ": audioCodec must be aac or opus");
        }
        size(id, "width", width);
        size(id, "height", height);
        size(id, "shortSide", shortSide);
        range(id, "fps", fps, 0, 120);
        range(id, "videoBitrateKbps", videoBitrateKbps, 50, 100_000);
        range(id, "gopFrames", gopFrames, 0, 3600);
        range(id, "audioBitrateKbps", audioBitrateKbps, 8, 512);
    }

    /** Whether {@code id} is a template id, so that {@code {stream}_{id}} may name a transcoded stream. */
    public static boolean isId(String id) {
        return ID.matcher(id).matches();
    }

    private static void size(String id, String what, int v) {
        range(id, what, v, 0, 7680);
        if (v % 2 != 0) {
            throw new IllegalArgumentException("template " + id + ": " + what + " " + v + " must be even");
        }
    }

    private static void range(String id, String what, int v, int min, int max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException("template " + id + ": " + what + " " + v + " must be " + min
                    + " to " + max);
        }
    }
}
