package dev.vireo.webrtc.whep;

import dev.vireo.media.Codec;

/**
 * What a WHEP session sends, as negotiated from the offer: payload types, retransmission and
 * feedback, header extensions, and the SSRCs and CNAME this server picked for the answer.
 *
 * @param videoPayloadType the offered payload type of the stream's video codec (H.264 packetization-mode=1 or
 *     AV1), or -1 without video
 * @param rtxPayloadType the offer's RTX type for it (RFC 4588 {@code apt=}), or -1 (then NACKs
 *     are answered with plain retransmissions)
 * @param nack the offer asked for generic NACK on video (RFC 4585 {@code a=rtcp-fb:* nack})
 * @param audioPayloadType Opus payload type of the offer, or -1 when no audio is sent
 * @param absSendTimeId extmap id of abs-send-time, 0 when not negotiated
 * @param transportCcId extmap id of transport-wide-cc, 0 when not negotiated
 * @param videoSsrc SSRC of the video stream
 * @param rtxSsrc SSRC of its retransmissions
 * @param audioSsrc SSRC of the audio stream
 * @param cname RTCP CNAME of this session (RFC 7022: random per session)
 * @param videoCodec the codec the video payload type was negotiated for (frames of another codec,
 *     after a republish, are not sent), null without video
 * @param audioRedPayloadType the RED type (RFC 2198) every audio packet goes out as, its blocks
 *     Opus with one earlier packet repeated, or -1 for plain Opus
 * @param videoRedPayloadType video RED (RFC 2198), the envelope of media and ULPFEC while the
 *     viewer gets FEC, or -1
 * @param ulpfecPayloadType ULPFEC (RFC 5109) in it, or -1 (no FEC)
 * @param audioNack the offer asked for generic NACK on the audio (an {@code a=rtcp-fb:<opus> nack}:
 *     aiortc/pion-like peers; Chromium does not): lost audio packets are resent as sent
 */
record MediaPlan(int videoPayloadType, int rtxPayloadType, boolean nack, int audioPayloadType,
                 int absSendTimeId, int transportCcId, int videoSsrc, int rtxSsrc, int audioSsrc, String cname,
                 Codec videoCodec, int audioRedPayloadType, int videoRedPayloadType, int ulpfecPayloadType,
                 boolean audioNack) {

    boolean hasVideo() {
        return videoPayloadType >= 0;
    }

    boolean hasAudio() {
        return audioPayloadType >= 0;
    }

    boolean hasAudioRed() {
        return audioRedPayloadType >= 0;
    }

    boolean hasRtx() {
        return rtxPayloadType >= 0;
    }
}
