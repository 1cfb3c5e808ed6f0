package dev.vireo.webrtc.sdp;

/** The header extension URIs the answer negotiates (same values as in {@code rtp.RtpHeaderExtensions}). */
final class RtpExtensionUris {

    static final String ABS_SEND_TIME = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
    static final String TRANSPORT_WIDE_CC = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";

    private RtpExtensionUris() {
    }
}
