package dev.vireo.webrtc.whep;

import dev.vireo.core.Gate;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.StreamStats;
import dev.vireo.media.Codec;
import dev.vireo.media.MediaFormatException;
import dev.vireo.media.av1.Av1CodecConfigurationRecord;
import dev.vireo.media.avc.AvcDecoderConfigurationRecord;
import dev.vireo.media.opus.OpusHead;
import dev.vireo.webrtc.sdp.H264ProfileLevelId;
import dev.vireo.webrtc.sdp.MediaSource;
import java.util.Optional;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a WHEP viewer of a stream will be sent, for the answer: the key it plays (the stream, or
 * its browser variant when the stream needs one) and the video and audio as negotiation needs
 * them, from what the stream will carry — never from a variant job's start-up state.
 */
final class StreamMedia {

    private static final Logger log = LoggerFactory.getLogger(StreamMedia.class);
    /** The source assumed for a stream whose video is not known yet (on-demand, just starting). */
    private static final MediaSource DEFAULT_VIDEO = new MediaSource.H264(H264ProfileLevelId.parse("64001f"));
    /** AV1 before its av1C is known: Main profile, what every WebRTC AV1 decoder takes. */
    private static final MediaSource DEFAULT_AV1 = new MediaSource.Av1(0);

    /**
     * What to play.
     *
     * @param key the stream the viewer subscribes to
     * @param video null when the stream has no video
     * @param audio null when the stream has no audio WebRTC carries
     */
    record Choice(StreamKey key, MediaSource video, MediaSource audio) {
    }

    private final StreamHub hub;
    private volatile BiFunction<Gate.AccessRequest, Stream, Optional<StreamKey>> browserVariant =
            (r, s) -> Optional.empty();

    StreamMedia(StreamHub hub) {
        this.hub = hub;
    }

    void browserVariant(BiFunction<Gate.AccessRequest, Stream, Optional<StreamKey>> rule) {
        this.browserVariant = rule;
    }

    /**
     * @throws UnsupportedOperationException naming the codecs WHEP carries when the stream's
     *     video is another one
     */
    Choice choose(Gate.AccessRequest access, StreamKey requested) {
        StreamKey key = requested;
        Optional<Stream> stream = hub.find(key);
        Optional<Stream> videoFrom = stream;
        Optional<StreamKey> variant = stream.flatMap(s -> browserVariant.apply(access, s));
        boolean variantAudio = false;
        boolean variantVideo = false;
        if (variant.isPresent()) {
            // HTML5 auto transcoding: the browser gets the shared variant (Opus audio, H.264
            // without B-frames), produced on demand. Until it has published, its video is the
            // source's when the video is kept (H.264 without B-frames), else the transcoder's H.264
            // (B-frames removed, or H.265 re-encoded: WHEP cannot carry the source's).
            Stream source = stream.get();
            StreamStats sourceStats = source.stats();
            log.info("WHEP viewers of {} play the browser variant {} (audio {}, B-frames {})", key, variant.get(),
                    sourceStats.audioCodec(), sourceStats.bFrames());
            key = variant.get();
            stream = hub.find(key);
            boolean videoKept = !sourceStats.bFrames() && !Codec.H265.name().equals(sourceStats.videoCodec());
            videoFrom = stream.isPresent() || !videoKept ? stream : Optional.of(source);
            // The variant's audio is Opus whenever the source has audio: answer it from what the
            // variant will carry, not from its job's start-up state (audio not yet known).
            variantAudio = sourceStats.audioCodec() != null || source.hasAudio();
            // The same for its video: a variant whose job has put out Opus but not yet its first
            // H.264 (the encoder's look-ahead) was answered without video (the player gave up on it)
            variantVideo = sourceStats.videoCodec() != null || source.hasVideo();
        }
        MediaSource video = videoSource(videoFrom);
        if (video == null && variantVideo) {
            video = DEFAULT_VIDEO; // the variant's H.264, not out yet
        }
        return new Choice(key, video, variantAudio ? new MediaSource.Opus(2) : audioSource(stream, key));
    }

    /** The stream's video as negotiation needs it; null when the stream has no video. */
    private static MediaSource videoSource(Optional<Stream> stream) {
        if (stream.isEmpty()) {
            return DEFAULT_VIDEO; // produced on demand: the browser variant is H.264
        }
        MediaFrame config = stream.get().videoConfig();
        if (config == null) {
            String codec = stream.get().stats().videoCodec();
            if (codec == null) {
                // Nothing seen yet: a stream that has not sent anything yet is assumed to be video.
                return stream.get().hasAudio() ? null : DEFAULT_VIDEO;
            }
            return requireSupported(codec) == Codec.AV1 ? DEFAULT_AV1 : DEFAULT_VIDEO;
        }
        try {
            return switch (requireSupported(config.codec().name())) {
                case AV1 -> MediaSource.av1(Av1CodecConfigurationRecord.parse(config.payload().duplicate()));
                default -> MediaSource.h264(AvcDecoderConfigurationRecord.parse(config.payload().duplicate()));
            };
        } catch (MediaFormatException e) {
            return config.codec() == Codec.AV1 ? DEFAULT_AV1 : DEFAULT_VIDEO;
        } finally {
            config.release();
        }
    }

    /** The video codec if WHEP carries it (H.264, AV1). */
    private static Codec requireSupported(String codec) {
        if (codec.equals(Codec.H264.name()) || codec.equals(Codec.AV1.name())) {
            return Codec.valueOf(codec);
        }
        throw new UnsupportedOperationException("the stream's video is " + codec
                + "; WHEP playback carries H.264 and AV1 only");
    }

    /** The stream's audio if WebRTC can carry it (Opus), else null (and the log says why). */
    private static MediaSource audioSource(Optional<Stream> stream, StreamKey key) {
        if (stream.isEmpty()) {
            return new MediaSource.Opus(2); // produced on demand: the browser variant has Opus
        }
        MediaFrame config = stream.get().audioConfig();
        String codec = config != null ? config.codec().name() : stream.get().stats().audioCodec();
        try {
            if (codec == null) {
                return null;
            }
            if (!codec.equals(Codec.OPUS.name())) {
                log.info("WHEP viewers of {} get video only: the audio is {} and WebRTC carries Opus", key, codec);
                return null;
            }
            int channels = 2;
            if (config != null && config.payload().isReadable()) {
                try {
                    channels = OpusHead.parse(config.payload().duplicate()).channels();
                } catch (MediaFormatException e) {
                    channels = 2;
                }
            }
            return new MediaSource.Opus(Math.max(1, Math.min(2, channels)));
        } finally {
            if (config != null) {
                config.release();
            }
        }
    }
}
