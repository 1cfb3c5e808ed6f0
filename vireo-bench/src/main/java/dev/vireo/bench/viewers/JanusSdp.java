package dev.vireo.bench.viewers;

import dev.vireo.webrtc.dtls.CertificateFingerprint;
import dev.vireo.webrtc.ice.IceCredentials;
import dev.vireo.webrtc.sdp.Extmap;
import dev.vireo.webrtc.sdp.MediaDescription;
import dev.vireo.webrtc.sdp.RtpCodec;
import dev.vireo.webrtc.sdp.SdpCandidate;
import dev.vireo.webrtc.sdp.SessionDescription;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The bench viewer's side of a Janus session: Janus offers (the Streaming plugin sends a sendonly
 * offer on "watch"), and the viewer answers as a browser's recvonly transceivers would
 * (RFC 8829 §5.3.1): every m-line in the offer's order with its mid, the H.264
 * packetization-mode=1 format and its RTX, Opus, BUNDLE, rtcp-mux, the extensions a browser
 * implements, its ICE credentials and certificate fingerprint, {@code a=setup:active} (so the
 * viewer is the DTLS client, RFC 5763 §5) and its host candidate. Sections it cannot receive
 * (data channels, other codecs) are rejected with port 0 (RFC 8829 §5.3.1).
 */
final class JanusSdp {

    /** Extensions Chromium answers; the rest of an offer's extmaps are left out. */
    static final Set<String> BROWSER_EXTENSIONS = Set.of(
            "urn:ietf:params:rtp-hdrext:sdes:mid",
            "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
            "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01");

    private JanusSdp() {
    }

    /** The answer and what the viewer needs from the offer. */
    record Negotiated(RtcSignalling.Peer peer, String answer) {
    }

    /**
     * @param offer       Janus's offer
     * @param local       the viewer's ICE credentials
     * @param fingerprint the viewer certificate's fingerprint
     * @param candidate   the viewer's UDP socket, sent as its one host candidate
     * @param sessionId   o= session id (any 62-bit number)
     * @throws IllegalArgumentException when the offer cannot be answered (no video, no IPv4 UDP
     *                                  host candidate, no ICE credentials or fingerprint)
     */
    static Negotiated answer(String offer, IceCredentials local, CertificateFingerprint fingerprint,
                             InetSocketAddress candidate, long sessionId) {
        SessionDescription sd = SessionDescription.parse(offer);
        if (sd.media().isEmpty()) {
            throw new IllegalArgumentException("the offer has no m-line");
        }
        MediaDescription first = sd.media().getFirst();
        String ufrag = sd.iceUfrag(first).orElseThrow(() -> new IllegalArgumentException("the offer has no ice-ufrag"));
        String pwd = sd.icePwd(first).orElseThrow(() -> new IllegalArgumentException("the offer has no ice-pwd"));
        CertificateFingerprint theirs = sd.fingerprint(first)
                .orElseThrow(() -> new IllegalArgumentException("the offer has no fingerprint"));
        InetSocketAddress server = null;
        int videoPt = -1;
        int audioPt = -1;
        List<String> mids = new ArrayList<>();
        StringBuilder sections = new StringBuilder();
        String transport = "a=ice-ufrag:" + local.ufrag() + "\r\n"
                + "a=ice-pwd:" + local.pwd() + "\r\n"
                + "a=fingerprint:" + fingerprint.toSdpValue() + "\r\n"
                + "a=setup:active\r\n";
        boolean candidateWritten = false;
        for (MediaDescription m : sd.media()) {
            if (server == null) {
                server = ipv4Host(m);
            }
            String mid = m.mid().orElseThrow(() -> new IllegalArgumentException("an offered m-line has no mid"));
            List<RtpCodec> accepted = m.isRejected() ? List.of() : switch (m.media()) {
                case "video" -> h264(m.codecs());
                case "audio" -> m.codecs().stream().filter(c -> c.is("opus")).limit(1).toList();
                default -> List.of();
            };
            if (accepted.isEmpty()) {
                sections.append("m=").append(m.media()).append(" 0 ").append(m.proto()).append(' ')
                        .append(m.formats().getFirst()).append("\r\n")
                        .append("c=IN IP4 0.0.0.0\r\n")
                        .append("a=mid:").append(mid).append("\r\n")
                        .append("a=inactive\r\n");
                continue;
            }
            if (m.media().equals("video") && videoPt < 0) {
                videoPt = accepted.getFirst().payloadType();
            } else if (m.media().equals("audio") && audioPt < 0) {
                audioPt = accepted.getFirst().payloadType();
            }
            mids.add(mid);
            sections.append("m=").append(m.media()).append(" 9 UDP/TLS/RTP/SAVPF");
            for (RtpCodec c : accepted) {
                sections.append(' ').append(c.payloadType());
            }
            sections.append("\r\nc=IN IP4 0.0.0.0\r\n")
                    .append("a=rtcp:9 IN IP4 0.0.0.0\r\n")
                    .append(transport)
                    .append("a=mid:").append(mid).append("\r\n");
            for (Extmap e : m.extmaps()) {
                if (BROWSER_EXTENSIONS.contains(e.uri())) {
                    sections.append("a=extmap:").append(e.id()).append(' ').append(e.uri()).append("\r\n");
                }
            }
            sections.append("a=recvonly\r\n").append("a=rtcp-mux\r\n");
            for (RtpCodec c : accepted) {
                sections.append("a=rtpmap:").append(c.payloadType()).append(' ').append(c.name()).append('/')
                        .append(c.clockRate()).append(c.channels() > 1 ? "/" + c.channels() : "").append("\r\n");
                for (String fb : c.feedback()) {
                    sections.append("a=rtcp-fb:").append(c.payloadType()).append(' ').append(fb).append("\r\n");
                }
                if (c.fmtp() != null) {
                    sections.append("a=fmtp:").append(c.payloadType()).append(' ').append(c.fmtp()).append("\r\n");
                }
            }
            if (!candidateWritten) {
                // BUNDLE (RFC 9143 §7.1): one transport, described in the first bundled section
                sections.append("a=candidate:")
                        .append(SdpCandidate.udpHost("1", candidate.getAddress().getHostAddress(), candidate.getPort(), 65535)
                                .sdpValue())
                        .append("\r\n").append("a=end-of-candidates\r\n");
                candidateWritten = true;
            }
        }
        if (videoPt < 0) {
            throw new IllegalArgumentException("the offer has no H.264 packetization-mode=1 video");
        }
        if (server == null) {
            throw new IllegalArgumentException("the offer has no IPv4 UDP host candidate");
        }
        String answer = "v=0\r\n"
                + "o=- " + (sessionId & Long.MAX_VALUE) + " 2 IN IP4 127.0.0.1\r\n"
                + "s=-\r\n"
                + "t=0 0\r\n"
                + "a=group:BUNDLE " + String.join(" ", mids) + "\r\n"
                + "a=msid-semantic: WMS\r\n"
                + sections;
        return new Negotiated(new RtcSignalling.Peer(new IceCredentials(ufrag, pwd), theirs, server, videoPt, audioPt),
                answer);
    }

    /** The first H.264 format with packetization-mode=1 (RFC 6184 §8.1), and its RTX format when offered (RFC 4588 §8.6). */
    private static List<RtpCodec> h264(List<RtpCodec> codecs) {
        for (RtpCodec c : codecs) {
            if (c.is("H264") && "1".equals(c.parameters().get("packetization-mode"))) {
                List<RtpCodec> out = new ArrayList<>(List.of(c));
                codecs.stream().filter(r -> r.isRtx() && r.apt() == c.payloadType()).limit(1).forEach(out::add);
                return out;
            }
        }
        return List.of();
    }

    /** The section's first UDP host candidate of component 1 on an IPv4 address, or null. */
    private static InetSocketAddress ipv4Host(MediaDescription m) {
        for (SdpCandidate c : m.candidates()) {
            if (c.component() == 1 && c.transport().equals("udp") && c.type().equals("host")
                    && c.address().matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
                return new InetSocketAddress(c.address(), c.port());
            }
        }
        return null;
    }
}
