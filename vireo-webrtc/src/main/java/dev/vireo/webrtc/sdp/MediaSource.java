package dev.vireo.webrtc.sdp;

import dev.vireo.media.av1.Av1CodecConfigurationRecord;
import dev.vireo.media.avc.AvcDecoderConfigurationRecord;
import java.util.Objects;

/** What a stream carries, as far as codec negotiation needs to know. */
public sealed interface MediaSource {

    /** H.264 video; negotiated against the offered profile-level-ids. */
    record H264(H264ProfileLevelId profileLevelId) implements MediaSource {
        public H264 {
            Objects.requireNonNull(profileLevelId, "profileLevelId");
        }
    }

    /** AV1 video of a seq_profile (0 Main, 1 High, 2 Professional). */
    record Av1(int profile) implements MediaSource {
        public Av1 {
            if (profile < 0 || profile > 2) {
                throw new IllegalArgumentException("AV1 profile " + profile);
            }
        }
    }

    /** Opus audio (always opus/48000/2 in SDP, RFC 7587 §7). */
    record Opus(int channels) implements MediaSource {
        public Opus {
            if (channels < 1 || channels > 2) {
                throw new IllegalArgumentException("Opus over WebRTC carries 1 or 2 channels, not " + channels);
            }
        }
    }

    static MediaSource h264(AvcDecoderConfigurationRecord config) {
        return new H264(H264ProfileLevelId.of(config));
    }

    static MediaSource av1(Av1CodecConfigurationRecord config) {
        return new Av1(config.seqProfile());
    }

    default boolean isVideo() {
        return !(this instanceof Opus);
    }
}
