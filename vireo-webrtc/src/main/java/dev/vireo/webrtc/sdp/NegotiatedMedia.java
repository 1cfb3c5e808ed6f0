package dev.vireo.webrtc.sdp;

import java.util.List;
import java.util.Objects;

/**
 * One accepted m= section of an answer: what to send and how.
 *
 * @param mid               the section's mid
 * @param kind              "video" or "audio"
 * @param codec             the chosen codec as offered (payload type, parameters, offered feedback)
 * @param fmtp              the fmtp value written in the answer (e.g. the answered profile-level-id), or null
 * @param rtxPayloadType    the RTX payload type for it (RFC 4588 apt), or -1
 * @param ssrc              our SSRC for the media
 * @param rtxSsrc           our SSRC for retransmissions, or 0 without RTX
 * @param absSendTimeId     extmap id of abs-send-time, 0 when not negotiated
 * @param transportCcId     extmap id of transport-wide-cc, 0 when not negotiated
 * @param feedback          the rtcp-fb values answered ("nack", "nack pli", "ccm fir", "goog-remb", "transport-cc")
 * @param h264Match         how the H.264 profile matched, null for other codecs
 * @param redPayloadType    the RED type (RFC 2198) whose blocks are {@code codec} (audio: Opus redundancy;
 *                          video: the envelope of media and ULPFEC while FEC is on), or -1
 * @param ulpfecPayloadType the ULPFEC type (RFC 5109) for video inside RED, or -1
 */
public record NegotiatedMedia(String mid, String kind, RtpCodec codec, String fmtp, int rtxPayloadType, int ssrc,
                              int rtxSsrc, int absSendTimeId, int transportCcId, List<String> feedback,
                              H264Match h264Match, int redPayloadType, int ulpfecPayloadType) {

    public NegotiatedMedia {
        Objects.requireNonNull(mid, "mid");
        Objects.requireNonNull(codec, "codec");
        feedback = List.copyOf(feedback);
    }

    public int payloadType() {
        return codec.payloadType();
    }

    public int clockRate() {
        return codec.clockRate();
    }

    public boolean hasRtx() {
        return rtxPayloadType >= 0;
    }

    /** RFC 2198 redundancy was negotiated ({@link #redPayloadType}). */
    public boolean hasRed() {
        return redPayloadType >= 0;
    }

    /** RFC 5109 ULPFEC in RED was negotiated (video). */
    public boolean hasUlpfec() {
        return ulpfecPayloadType >= 0 && redPayloadType >= 0;
    }

    /** Generic NACK, RFC 4585 §6.2.1. */
    public boolean nack() {
        return feedback.contains("nack");
    }

    /** Picture loss indication, RFC 4585 §6.3.1. */
    public boolean pli() {
        return feedback.contains("nack pli");
    }

    /** Full intra request, RFC 5104 §7.1. */
    public boolean fir() {
        return feedback.contains("ccm fir");
    }

    /** REMB, draft-alvestrand-rmcat-remb. */
    public boolean remb() {
        return feedback.contains("goog-remb");
    }

    /** Transport-wide congestion control feedback. */
    public boolean transportCc() {
        return feedback.contains("transport-cc");
    }
}
