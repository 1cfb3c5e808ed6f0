package dev.vireo.media.mp4;

import dev.vireo.media.Codec;
import dev.vireo.media.TrackType;
import java.util.Objects;

/**
 * One track of a fragmented MP4 file, as the init segment describes it.
 *
 * @param trackId 1-based track_ID (§8.3.2)
 * @param codec H264, H265, AV1, AAC or OPUS
 * @param timescale ticks per second of the track's media time (90 000 for video, the sample rate
 *     for audio)
 * @param config the codec configuration in the {@code MediaFrame} layout: avcC, hvcC, av1C,
 *     AudioSpecificConfig or OpusHead
 * @param width video width in pixels (0 for audio)
 * @param height video height in pixels (0 for audio)
 * @param channels audio channel count (0 for video)
 * @param sampleRate audio sample rate in Hz (0 for video)
 */
public record Mp4Track(int trackId, Codec codec, int timescale, byte[] config, int width, int height, int channels,
                       int sampleRate) {

    public Mp4Track {
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(config, "config");
        if (trackId < 1 || timescale < 1) {
            throw new IllegalArgumentException("track id and timescale must be positive");
        }
        switch (codec) {
            case H264, H265, AV1, AAC, OPUS -> {
            }
            default -> throw new IllegalArgumentException(codec + " is not carried in fMP4 here");
        }
    }

    public boolean isVideo() {
        return codec.track() == TrackType.VIDEO;
    }
}
