package dev.vireo.transcode.html5;

import dev.vireo.core.Stream;
import dev.vireo.core.StreamKey;
import dev.vireo.core.StreamStats;
import java.util.Optional;

/**
 * The browser (WebRTC) variant of a stream, {@code {stream}@html5}: what WebRTC cannot carry is
 * transcoded — AAC (or MP3) audio becomes Opus, H.264 with B-frames becomes H.264 without — and
 * the track that is fine already is copied. (H.265 video becomes H.264 too.) Produced on demand by the {@code Transcoder} and
 * shared by every browser viewer of the stream.
 */
public final class Html5Variant {

    /** Appended to the stream name of the source. */
    public static final String SUFFIX = "@html5";

    private Html5Variant() {
    }

    /**
     * The key a WebRTC viewer of {@code source} should play: the {@code @html5} variant when the
     * stream's audio is not Opus or its video has B-frames; empty when the stream can go to a
     * browser as it is. Decided from the stream's live statistics (B-frames show up within the
     * first few frames of a GOP).
     */
    public static Optional<StreamKey> keyFor(Stream source) {
        StreamStats s = source.stats();
        if ("AV1".equals(s.videoCodec())) {
            // Browsers take AV1 as it is, and ffmpeg 5.1 has no pipe format that carries it (FLV and
            // MPEG-TS both lack it) to transcode the audio alone: such a stream plays without its
            // audio unless that is Opus.
            return Optional.empty();
        }
        return needsAudio(s) || needsVideo(s) ? Optional.of(of(source.key())) : Optional.empty();
    }

    /** The variant key of {@code source}, whether or not it needs one. */
    public static StreamKey of(StreamKey source) {
        return new StreamKey(source.vhost(), source.app(), source.stream() + SUFFIX);
    }

    /** Audio a browser cannot decode over WebRTC: anything but Opus. */
    static boolean needsAudio(StreamStats s) {
        return s.audioCodec() != null && !"OPUS".equals(s.audioCodec());
    }

    /**
     * B-frames (WebRTC sends frames in decode order with one timestamp each: browsers' jitter
     * buffers expect presentation order), or H.265, which browsers' WebRTC stacks rarely take.
     */
    static boolean needsVideo(StreamStats s) {
        return ("H264".equals(s.videoCodec()) && s.bFrames()) || "H265".equals(s.videoCodec());
    }
}
