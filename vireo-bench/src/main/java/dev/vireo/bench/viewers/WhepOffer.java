package dev.vireo.bench.viewers;

import dev.vireo.webrtc.dtls.CertificateFingerprint;
import dev.vireo.webrtc.ice.IceCredentials;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SDP a WHEP bench viewer sends, shaped like a browser's recvonly offer (RFC 8829 §5.2.1,
 * what Chromium's {@code createOffer()} produces for a receive-only transceiver pair): BUNDLE of
 * a video and an audio section, rtcp-mux, ICE credentials, the client certificate's
 * fingerprint, {@code a=setup:actpass}; H.264 Constrained Baseline 3.1 with
 * packetization-mode=1 and its RTX, Opus. The server chooses payload types from it, so the
 * numbers are Chromium's; the {@link Answer} read back names the ones chosen.
 */
final class WhepOffer {

    static final int H264_PT = 102;
    static final int RTX_PT = 103;
    static final int OPUS_PT = 111;

    private WhepOffer() {
    }

    /**
     * @param session     o= session id (any 62-bit number)
     * @param credentials the viewer's ICE ufrag and password
     * @param fingerprint the viewer's DTLS certificate fingerprint
     */
    static String build(long session, IceCredentials credentials, CertificateFingerprint fingerprint) {
        String transport = "a=ice-ufrag:" + credentials.ufrag() + "\r\n"
                + "a=ice-pwd:" + credentials.pwd() + "\r\n"
                + "a=ice-options:trickle\r\n"
                + "a=fingerprint:" + fingerprint.toSdpValue() + "\r\n"
                + "a=setup:actpass\r\n";
        return "v=0\r\n"
                + "o=- " + (session & Long.MAX_VALUE) + " 2 IN IP4 127.0.0.1\r\n"
                + "s=-\r\n"
                + "t=0 0\r\n"
                + "a=group:BUNDLE 0 1\r\n"
                + "a=extmap-allow-mixed\r\n"
                + "a=msid-semantic: WMS\r\n"
                + "m=video 9 UDP/TLS/RTP/SAVPF " + H264_PT + " " + RTX_PT + "\r\n"
                + "c=IN IP4 0.0.0.0\r\n"
                + "a=rtcp:9 IN IP4 0.0.0.0\r\n"
                + transport
                + "a=mid:0\r\n"
                + "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n"
                + "a=extmap:4 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
                + "a=recvonly\r\n"
                + "a=rtcp-mux\r\n"
                + "a=rtcp-rsize\r\n"
                + "a=rtpmap:" + H264_PT + " H264/90000\r\n"
                + "a=rtcp-fb:" + H264_PT + " goog-remb\r\n"
                + "a=rtcp-fb:" + H264_PT + " transport-cc\r\n"
                + "a=rtcp-fb:" + H264_PT + " ccm fir\r\n"
                + "a=rtcp-fb:" + H264_PT + " nack\r\n"
                + "a=rtcp-fb:" + H264_PT + " nack pli\r\n"
                + "a=fmtp:" + H264_PT + " level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n"
                + "a=rtpmap:" + RTX_PT + " rtx/90000\r\n"
                + "a=fmtp:" + RTX_PT + " apt=" + H264_PT + "\r\n"
                + "m=audio 9 UDP/TLS/RTP/SAVPF " + OPUS_PT + "\r\n"
                + "c=IN IP4 0.0.0.0\r\n"
                + "a=rtcp:9 IN IP4 0.0.0.0\r\n"
                + transport
                + "a=mid:1\r\n"
                + "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n"
                + "a=recvonly\r\n"
                + "a=rtcp-mux\r\n"
                + "a=rtpmap:" + OPUS_PT + " opus/48000/2\r\n"
                + "a=rtcp-fb:" + OPUS_PT + " transport-cc\r\n"
                + "a=fmtp:" + OPUS_PT + " minptime=10;useinbandfec=1\r\n";
    }

    /**
     * What a viewer needs from the server's answer.
     *
     * @param credentials   the server's ICE ufrag and password (session level or first section)
     * @param fingerprint   the server certificate's fingerprint
     * @param port          the UDP port of the server's 127.0.0.1 host candidate, -1 when none
     * @param videoPt       the H.264 payload type chosen, -1 when video was rejected
     * @param audioPt       the Opus payload type chosen, -1 when audio was rejected
     */
    record Answer(IceCredentials credentials, CertificateFingerprint fingerprint, int port, int videoPt, int audioPt) {

        static Answer parse(String sdp) {
            String ufrag = first(sdp, "^a=ice-ufrag:(\\S+)");
            String pwd = first(sdp, "^a=ice-pwd:(\\S+)");
            String fingerprint = first(sdp, "^a=fingerprint:(.+?)\\s*$");
            if (ufrag == null || pwd == null || fingerprint == null) {
                throw new IllegalArgumentException("the answer lacks ice-ufrag, ice-pwd or fingerprint");
            }
            String port = first(sdp, "^a=candidate:\\S+ 1 (?i:udp) \\d+ 127\\.0\\.0\\.1 (\\d+) typ host");
            return new Answer(new IceCredentials(ufrag, pwd), CertificateFingerprint.parse(fingerprint),
                    port == null ? -1 : Integer.parseInt(port), payloadType(sdp, "video"), payloadType(sdp, "audio"));
        }

        /** The first payload type of the {@code kind} section, -1 when the section is rejected (port 0) or absent. */
        private static int payloadType(String sdp, String kind) {
            String pt = first(sdp, "^m=" + kind + " [1-9]\\d* \\S+ (\\d+)");
            return pt == null ? -1 : Integer.parseInt(pt);
        }

        private static String first(String text, String regex) {
            Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
            return m.find() ? m.group(1) : null;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "Answer[port %d, video pt %d, audio pt %d]", port, videoPt, audioPt);
        }
    }
}
