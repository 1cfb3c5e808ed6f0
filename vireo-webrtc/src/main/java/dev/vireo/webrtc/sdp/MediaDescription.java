package dev.vireo.webrtc.sdp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A media description ("m= section"), RFC 8866 §5.14: {@code m=<media> <port> <proto> <fmt>...}
 * and the lines that follow it, with typed views of the attributes WebRTC uses.
 */
public final class MediaDescription {

    private final String media;
    private final int port;
    private final String proto;
    private final List<String> formats;
    private final String connection;
    private final List<SdpAttribute> attributes;

    MediaDescription(String media, int port, String proto, List<String> formats, String connection,
                     List<SdpAttribute> attributes) {
        this.media = media;
        this.port = port;
        this.proto = proto;
        this.formats = List.copyOf(formats);
        this.connection = connection;
        this.attributes = List.copyOf(attributes);
    }

    /** "audio", "video", "application", ... */
    public String media() {
        return media;
    }

    public int port() {
        return port;
    }

    /** e.g. "UDP/TLS/RTP/SAVPF". */
    public String proto() {
        return proto;
    }

    public List<String> formats() {
        return formats;
    }

    /** The {@code c=} value of this section, or null. */
    public String connection() {
        return connection;
    }

    public List<SdpAttribute> attributes() {
        return attributes;
    }

    /** RFC 3264 §6: port 0 marks a rejected or disabled stream. */
    public boolean isRejected() {
        return port == 0;
    }

    /** Whether the transport is RTP over DTLS-SRTP (RFC 5764 §8: UDP/TLS/RTP/SAVP(F), TCP/DTLS/RTP/SAVP(F)). */
    public boolean isDtlsSrtp() {
        String p = proto.toUpperCase(Locale.ROOT);
        return p.equals("UDP/TLS/RTP/SAVPF") || p.equals("UDP/TLS/RTP/SAVP") || p.equals("TCP/DTLS/RTP/SAVPF")
                || p.equals("TCP/DTLS/RTP/SAVP");
    }

    /** The value of the first attribute with this name ("" for a property attribute). */
    public Optional<String> attribute(String name) {
        for (SdpAttribute a : attributes) {
            if (a.name().equals(name)) {
                return Optional.of(a.value() == null ? "" : a.value());
            }
        }
        return Optional.empty();
    }

    /** The values of every attribute with this name. */
    public List<String> attributes(String name) {
        List<String> out = new ArrayList<>();
        for (SdpAttribute a : attributes) {
            if (a.name().equals(name)) {
                out.add(a.value() == null ? "" : a.value());
            }
        }
        return out;
    }

    public boolean hasAttribute(String name) {
        return attribute(name).isPresent();
    }

    /** {@code a=mid}, RFC 9143 §9.1. */
    public Optional<String> mid() {
        return attribute("mid").map(String::trim);
    }

    /** The direction attribute; RFC 8866 §6.7: sendrecv when none is given (session default applied by the caller). */
    public Optional<Direction> direction() {
        for (SdpAttribute a : attributes) {
            if (a.value() == null) {
                Optional<Direction> d = Direction.of(a.name());
                if (d.isPresent()) {
                    return d;
                }
            }
        }
        return Optional.empty();
    }

    /** {@code a=rtcp-mux}, RFC 5761 §5.1.1. */
    public boolean rtcpMux() {
        return hasAttribute("rtcp-mux");
    }

    /** The {@code a=extmap} lines, RFC 8285 §8. */
    public List<Extmap> extmaps() {
        List<Extmap> out = new ArrayList<>();
        for (String v : attributes("extmap")) {
            out.add(Extmap.parse(v));
        }
        return out;
    }

    /** The id of the extension with this URI, or 0. */
    public int extmapId(String uri) {
        for (Extmap e : extmaps()) {
            if (e.uri().equals(uri)) {
                return e.id();
            }
        }
        return 0;
    }

    /** The {@code a=ssrc} lines, RFC 5576 §4.1. */
    public List<SsrcAttribute> ssrcs() {
        List<SsrcAttribute> out = new ArrayList<>();
        for (String v : attributes("ssrc")) {
            out.add(SsrcAttribute.parse(v));
        }
        return out;
    }

    /** {@code a=msid:<stream id> [<track id>]}, RFC 8830 §2. */
    public Optional<String> msid() {
        return attribute("msid").map(String::trim);
    }

    /** The {@code a=candidate} lines. */
    public List<SdpCandidate> candidates() {
        List<SdpCandidate> out = new ArrayList<>();
        for (String v : attributes("candidate")) {
            out.add(SdpCandidate.parse(v));
        }
        return out;
    }

    /**
     * The RTP codecs of this section in format order: rtpmap, fmtp and rtcp-fb per payload type
     * (rtcp-fb {@code *} applies to all). Formats without rtpmap are kept only for the static
     * payload types of RFC 3551 §6 that WebRTC meets.
     */
    public List<RtpCodec> codecs() {
        Map<Integer, String[]> rtpmaps = new LinkedHashMap<>();
        Map<Integer, String> fmtps = new LinkedHashMap<>();
        Map<Integer, List<String>> feedback = new LinkedHashMap<>();
        List<String> allFeedback = new ArrayList<>();
        for (SdpAttribute a : attributes) {
            if (a.value() == null) {
                continue;
            }
            switch (a.name()) {
                case "rtpmap" -> {
                    String[] f = a.value().trim().split(" +", 2);
                    if (f.length == 2) {
                        rtpmaps.putIfAbsent(payloadType(f[0]), f[1].split("/"));
                    }
                }
                case "fmtp" -> {
                    String[] f = a.value().trim().split(" +", 2);
                    fmtps.putIfAbsent(payloadType(f[0]), f.length == 2 ? f[1] : "");
                }
                case "rtcp-fb" -> {
                    String[] f = a.value().trim().split(" +", 2);
                    if (f.length == 2) {
                        if (f[0].equals("*")) {
                            allFeedback.add(f[1].trim());
                        } else {
                            feedback.computeIfAbsent(payloadType(f[0]), k -> new ArrayList<>()).add(f[1].trim());
                        }
                    }
                }
                default -> {
                }
            }
        }
        List<RtpCodec> out = new ArrayList<>();
        for (String fmt : formats) {
            int pt;
            try {
                pt = Integer.parseInt(fmt);
            } catch (NumberFormatException e) {
                continue; // not an RTP payload type (e.g. webrtc-datachannel)
            }
            if (pt < 0 || pt > 127) {
                continue;
            }
            String[] map = rtpmaps.get(pt);
            if (map == null) {
                map = staticPayloadType(pt);
                if (map == null) {
                    continue;
                }
            }
            if (map.length < 2) {
                throw new SdpException("a=rtpmap for " + pt + " lacks a clock rate");
            }
            int clock = SessionDescription.parseInt(map[1].trim(), 1, Integer.MAX_VALUE, "a=rtpmap clock rate");
            int channels = map.length > 2 ? SessionDescription.parseInt(map[2].trim(), 1, 255, "a=rtpmap channels") : 1;
            List<String> fb = new ArrayList<>(allFeedback);
            fb.addAll(feedback.getOrDefault(pt, List.of()));
            String fmtp = fmtps.get(pt);
            out.add(new RtpCodec(pt, map[0].trim(), clock, channels, fmtpParameters(fmtp), fmtp, fb));
        }
        return out;
    }

    private static int payloadType(String s) {
        return SessionDescription.parseInt(s.trim(), 0, 127, "payload type");
    }

    /** RFC 8866 §6.15 / codec RFCs: {@code name=value} pairs separated by semicolons. */
    static Map<String, String> fmtpParameters(String fmtp) {
        Map<String, String> out = new LinkedHashMap<>();
        if (fmtp == null) {
            return out;
        }
        for (String part : fmtp.split(";")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq < 0) {
                out.putIfAbsent(p.toLowerCase(Locale.ROOT), "");
            } else {
                out.putIfAbsent(p.substring(0, eq).trim().toLowerCase(Locale.ROOT), p.substring(eq + 1).trim());
            }
        }
        return out;
    }

    private static String[] staticPayloadType(int pt) {
        return switch (pt) { // RFC 3551 Table 4
            case 0 -> new String[] {"PCMU", "8000"};
            case 8 -> new String[] {"PCMA", "8000"};
            case 9 -> new String[] {"G722", "8000"};
            case 13 -> new String[] {"CN", "8000"};
            default -> null;
        };
    }

    @Override
    public String toString() {
        return "m=" + media + " " + port + " " + proto + " " + String.join(" ", formats);
    }
}
