package dev.vireo.media;

/**
 * What a codec configuration says about a track, for statistics, the console and SDP/playlist
 * generation. Fields that do not apply are 0 or "".
 *
 * @param profile e.g. "High", "Main 10", "AAC LC", "HE-AAC v2"
 * @param level   e.g. "3.1", "4.1 High tier", "5.0" (AV1)
 * @param fps     frames per second when the bitstream states it, else 0
 */
public record TrackInfo(Codec codec, int width, int height, String profile, String level, double fps,
                        int sampleRate, int channels) {
}
