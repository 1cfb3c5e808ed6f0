package dev.vireo.webrtc.whep;

import dev.vireo.core.FrameEncoding;
import dev.vireo.core.MediaFrame;
import dev.vireo.media.Codec;
import dev.vireo.webrtc.rtp.RtpPayloads;
import io.netty.buffer.ByteBuf;

/**
 * The RTP payloads of a video frame in one payload format, in the shared {@link RtpPayloads}
 * form, computed once per frame for every WHEP viewer; one subclass per codec WHEP carries.
 */
abstract class VideoRtpEncoding extends FrameEncoding {

    VideoRtpEncoding(String name) {
        super(name);
    }

    /** The encoding of a codec's frames, or null when WHEP cannot carry the codec. */
    static VideoRtpEncoding of(Codec codec) {
        return switch (codec) {
            case H264 -> H264RtpEncoding.INSTANCE;
            case AV1 -> Av1RtpEncoding.INSTANCE;
            default -> null;
        };
    }

    /**
     * The payloads to send in front of a keyframe (same timestamp, no marker) so that a viewer
     * can start decoding at it: those of the stream's configuration frame, or null when
     * {@code keyframePayloads} need none or {@code config} is of another codec.
     */
    ByteBuf inFrontOfKeyframe(MediaFrame config, ByteBuf keyframePayloads) {
        return VideoRtpEncoding.of(config.codec()) == this ? config.encoded(this) : null;
    }
}
