package dev.vireo.webrtc.sdp;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A codec offered on an RTP m-line: {@code a=rtpmap} (RFC 8866 §6.6), {@code a=fmtp} (§6.15) and
 * {@code a=rtcp-fb} (RFC 4585 §4.2) of one payload type.
 *
 * @param payloadType 0..127
 * @param name        encoding name as written (compare ignoring case)
 * @param clockRate   RTP clock rate
 * @param channels    audio channels (1 when not given)
 * @param parameters  fmtp parameters with lower-case names, in order ({@code apt}, {@code profile-level-id}, ...)
 * @param fmtp        the raw fmtp value, or null
 * @param feedback    rtcp-fb values for this type or {@code *}: "nack", "nack pli", "ccm fir", "goog-remb", "transport-cc"
 */
public record RtpCodec(int payloadType, String name, int clockRate, int channels, Map<String, String> parameters,
                       String fmtp, List<String> feedback) {

    public RtpCodec {
        Objects.requireNonNull(name, "name");
        parameters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameters));
        feedback = List.copyOf(feedback);
    }

    public boolean is(String encodingName) {
        return name.equalsIgnoreCase(encodingName);
    }

    /** RFC 4588 §8.1: a retransmission format. */
    public boolean isRtx() {
        return is("rtx");
    }

    /** The {@code apt} of an RTX format (RFC 4588 §8.1), or -1. */
    public int apt() {
        String apt = parameters.get("apt");
        if (apt == null) {
            return -1;
        }
        try {
            int v = Integer.parseInt(apt.trim());
            return v >= 0 && v <= 127 ? v : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** RFC 6184 §8.1 profile-level-id, the default 420010 when absent or unreadable. */
    public H264ProfileLevelId h264ProfileLevelId() {
        String v = parameters.get("profile-level-id");
        if (v == null) {
            return H264ProfileLevelId.DEFAULT;
        }
        try {
            return H264ProfileLevelId.parse(v.trim());
        } catch (SdpException e) {
            return H264ProfileLevelId.DEFAULT;
        }
    }

    /** RFC 6184 §8.1 packetization-mode, 0 when absent. */
    public int packetizationMode() {
        return intParameter("packetization-mode", 0);
    }

    /** RFC 6184 §8.1 level-asymmetry-allowed=1. */
    public boolean levelAsymmetryAllowed() {
        return intParameter("level-asymmetry-allowed", 0) == 1;
    }

    /** An integer fmtp parameter, or {@code defaultValue} when absent or not a number. */
    public int intParameter(String parameterName, int defaultValue) {
        String v = parameters.get(parameterName.toLowerCase(Locale.ROOT));
        if (v == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return defaultValue;
        }
    }

    public boolean hasFeedback(String value) {
        return feedback.contains(value);
    }

    /** The {@code a=rtpmap} value. */
    public String rtpmapValue() {
        return payloadType + " " + name + "/" + clockRate + (channels > 1 ? "/" + channels : "");
    }
}
