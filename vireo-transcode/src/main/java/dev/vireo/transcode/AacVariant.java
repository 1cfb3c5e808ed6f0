package dev.vireo.transcode;

import dev.vireo.core.Stream;
import dev.vireo.core.StreamKey;
import java.util.Optional;

/**
 * The AAC variant of a stream, {@code {stream}@aac}: for streams published with Opus audio (WHIP)
 * and played over RTMP, HTTP-FLV or HLS, whose players expect AAC. Audio is transcoded to AAC;
 * the video is the source's own frames, which go past ffmpeg ({@code FfmpegCommand}).
 */
public final class AacVariant {

    /** Appended to the stream name of the source. */
    public static final String SUFFIX = "@aac";

    private AacVariant() {
    }

    /** The key an FLV/RTMP/HLS viewer of {@code source} should play: present when its audio is Opus. */
    public static Optional<StreamKey> keyFor(Stream source) {
        return "OPUS".equals(source.stats().audioCodec()) ? Optional.of(of(source.key())) : Optional.empty();
    }

    /** The variant key of {@code source}. */
    public static StreamKey of(StreamKey source) {
        return new StreamKey(source.vhost(), source.app(), source.stream() + SUFFIX);
    }
}
