package dev.vireo.control.model;

/**
 * A transcoding template as other modules see it (the transcoder plays {@code {stream}_{id}}
 * with it). Zero for width, height, fps or gop means "as the source"; with only one of width
 * and height set, the other follows the source's aspect ratio.
 *
 * @param gop frames between keyframes, 0 = where the source has them
 */
public record TemplateInfo(String id, String videoCodec, int width, int height, int fps, int videoBitrateKbps,
                           int gop, String audioCodec, int audioBitrateKbps) {
}
