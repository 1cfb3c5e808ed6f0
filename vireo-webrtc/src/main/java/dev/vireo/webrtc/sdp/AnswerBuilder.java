package dev.vireo.webrtc.sdp;

import dev.vireo.webrtc.dtls.CertificateFingerprint;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Builds the answer of a send-only ICE-lite server (WHEP, draft-ietf-wish-whep; RFC 3264 offer/
 * answer with the WebRTC rules of RFC 8829 JSEP §5.3): one video and one audio section at most,
 * BUNDLEd on one transport with rtcp-mux, DTLS-SRTP with {@code a=setup:passive}, host
 * candidates and end-of-candidates. Offered sections it cannot serve are rejected with port 0.
 *
 * <p>Per accepted section it answers the payload type that fits the source
 * ({@link CodecSelection}), its RTX, the supported feedback of that payload type (nack, nack pli,
 * ccm fir, goog-remb, transport-cc) and the supported header extensions (abs-send-time,
 * transport-wide-cc) with the offer's ids, plus msid, ssrc and cname lines.
 */
public final class AnswerBuilder {

    /** The RTCP feedback this server implements (RFC 4585 §4.2 values). */
    public static final List<String> SUPPORTED_FEEDBACK = List.of("nack", "nack pli", "ccm fir", "goog-remb", "transport-cc");

    /** RFC 8839 §5.4: ice-char = ALPHA / DIGIT / "+" / "/". */
    private static final Pattern ICE_CHARS = Pattern.compile("[A-Za-z0-9+/]+");
    /** RFC 8830 §2: msid-id and msid-appdata are 1*64 token-char. */
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+\\-.0-9A-Z^_`a-z{|}~]{1,64}");

    private final SessionDescription offer;
    private String ufrag;
    private String password;
    private CertificateFingerprint fingerprint;
    private List<SdpCandidate> candidates = List.of();
    private MediaSource video;
    private int videoSsrc;
    private int videoRtxSsrc;
    private MediaSource audio;
    private int audioSsrc;
    private String cname;
    private String streamId = "vireo";
    private boolean transportCc = true;
    private boolean remb = true;
    private boolean red;
    private boolean fec;
    private long sessionId = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    /** A receive-only answer (WHIP): the offerer sends, we answer {@code a=recvonly}. */
    private boolean receiving;
    /** The simulcast layers a receiving answer accepts on its video section, or null. */
    private SimulcastOffer simulcast;

    public AnswerBuilder(SessionDescription offer) {
        this.offer = Objects.requireNonNull(offer, "offer");
    }

    /** Our ICE credentials (RFC 8839 §5.4: ufrag of 4+ and password of 22+ ice-chars, at most 256). */
    public AnswerBuilder iceCredentials(String ufrag, String password) {
        if (ufrag.length() < 4 || ufrag.length() > 256 || !ICE_CHARS.matcher(ufrag).matches()) {
            throw new IllegalArgumentException("ice-ufrag must be 4..256 ice-chars");
        }
        if (password.length() < 22 || password.length() > 256 || !ICE_CHARS.matcher(password).matches()) {
            throw new IllegalArgumentException("ice-pwd must be 22..256 ice-chars");
        }
        this.ufrag = ufrag;
        this.password = password;
        return this;
    }

    /** The fingerprint of our DTLS certificate. */
    public AnswerBuilder fingerprint(CertificateFingerprint fingerprint) {
        this.fingerprint = Objects.requireNonNull(fingerprint, "fingerprint");
        return this;
    }

    /** Our host candidates, one per advertised address and transport. */
    public AnswerBuilder candidates(List<SdpCandidate> candidates) {
        this.candidates = List.copyOf(candidates);
        return this;
    }

    /** The video to send, with its SSRC and the SSRC of its retransmissions. */
    public AnswerBuilder video(MediaSource source, int ssrc, int rtxSsrc) {
        if (!source.isVideo()) {
            throw new IllegalArgumentException(source + " is not video");
        }
        if (ssrc == rtxSsrc) {
            throw new IllegalArgumentException("the RTX SSRC must differ from the media SSRC");
        }
        this.video = source;
        this.videoSsrc = ssrc;
        this.videoRtxSsrc = rtxSsrc;
        return this;
    }

    /** The audio to send, with its SSRC. */
    public AnswerBuilder audio(MediaSource source, int ssrc) {
        if (source.isVideo()) {
            throw new IllegalArgumentException(source + " is not audio");
        }
        this.audio = source;
        this.audioSsrc = ssrc;
        return this;
    }

    /**
     * Makes this the answer of a receiving server (WHIP, RFC 9725 §4.2): sections the offerer
     * sends on are accepted {@code a=recvonly} with the codec that fits {@link #video}/{@link
     * #audio} (their SSRCs are ignored), without RTX (retransmissions then come on the media
     * SSRC), msid or ssrc lines.
     */
    public AnswerBuilder receiving() {
        this.receiving = true;
        return this;
    }

    /**
     * A receiving answer's video accepts these simulcast layers ({@link SimulcastOffer#answerAttributes}:
     * the rid, repaired-rid and mid extensions, {@code a=rid:<id> recv}, {@code a=simulcast:recv}).
     */
    public AnswerBuilder simulcast(SimulcastOffer layers) {
        this.simulcast = layers;
        return this;
    }

    /** The RTCP CNAME (RFC 7022: random per session); random when not given. */
    public AnswerBuilder cname(String cname) {
        if (!TOKEN.matcher(cname).matches()) {
            throw new IllegalArgumentException("cname must be 1..64 token characters");
        }
        this.cname = cname;
        return this;
    }

    /** The MediaStream id of the msid lines (RFC 8830); track ids derive from it. */
    public AnswerBuilder streamId(String streamId) {
        if (!TOKEN.matcher(streamId).matches() || streamId.length() > 58) {
            throw new IllegalArgumentException("stream id must be 1..58 token characters");
        }
        this.streamId = streamId;
        return this;
    }

    /** Whether to answer transport-cc feedback and the transport-wide-cc extension (default on). */
    public AnswerBuilder transportCc(boolean enabled) {
        this.transportCc = enabled;
        return this;
    }

    /** Whether to answer goog-remb feedback and the abs-send-time extension (default on). */
    public AnswerBuilder remb(boolean enabled) {
        this.remb = enabled;
        return this;
    }

    /**
     * Whether to answer RFC 2198 redundancy for Opus where the offer has {@code red/48000/2} over
     * the Opus payload type (default off; WHEP turns it on, {@code rtc.red}): the sender then
     * sends every audio packet as RED.
     */
    public AnswerBuilder red(boolean enabled) {
        this.red = enabled;
        return this;
    }

    /**
     * Whether to answer ULPFEC in RED for video ({@code red/90000} and {@code ulpfec/90000},
     * RFC 5109 / RFC 2198) where the offer has both (default off; WHEP turns it on, and a viewer
     * sends FEC only while its link loses packets).
     */
    public AnswerBuilder fec(boolean enabled) {
        this.fec = enabled;
        return this;
    }

    /** The o= session id (random by default). */
    public AnswerBuilder sessionId(long sessionId) {
        if (sessionId <= 0) {
            throw new IllegalArgumentException("session id must be positive");
        }
        this.sessionId = sessionId;
        return this;
    }

    private record Accepted(MediaDescription media, NegotiatedMedia negotiated, String trackId) {
    }

    /**
     * Builds the answer.
     *
     * @throws SdpException when the offer lacks ICE or DTLS parameters, or nothing in it can be served
     * @throws IllegalStateException when credentials or fingerprint were not set
     */
    public Answer build() {
        if (ufrag == null || fingerprint == null) {
            throw new IllegalStateException("ICE credentials and fingerprint must be set");
        }
        String cn = cname != null ? cname : randomToken(16);
        List<String> offeredBundle = offer.bundle();
        List<String> reasons = new ArrayList<>();
        List<Object> sections = new ArrayList<>(); // Accepted or a rejected MediaDescription, in offer order
        boolean videoTaken = false;
        boolean audioTaken = false;
        for (MediaDescription m : offer.media()) {
            String label = m.mid().map(mid -> "mid " + mid).orElse("m-line " + (sections.size() + 1)) + " (" + m.media() + ")";
            String why = null;
            Accepted accepted = null;
            if (m.isRejected()) {
                why = "rejected in the offer";
            } else if (!offeredBundle.isEmpty() && m.mid().filter(offeredBundle::contains).isEmpty()) {
                why = "not in the offered BUNDLE group";
            } else if (!m.isDtlsSrtp()) {
                why = "transport " + m.proto() + " is not DTLS-SRTP";
            } else if (!m.rtcpMux()) {
                why = "no rtcp-mux"; // RFC 8858: required
            } else if (!receiving && !offer.direction(m).receives()) {
                why = "the offerer does not receive on it";
            } else if (receiving && !offer.direction(m).sends()) {
                why = "the offerer does not send on it";
            } else if (m.media().equals("video") && video != null && !videoTaken) {
                accepted = accept(m, video, videoSsrc, videoRtxSsrc, "video");
                why = accepted == null ? "no offered codec fits " + video : null;
                videoTaken = accepted != null;
            } else if (m.media().equals("audio") && audio != null && !audioTaken) {
                accepted = accept(m, audio, audioSsrc, 0, "audio");
                why = accepted == null ? "no offered codec fits " + audio : null;
                audioTaken = accepted != null;
            } else {
                why = "nothing to send on it";
            }
            if (accepted != null && m.mid().isEmpty()) {
                accepted = null;
                why = "no a=mid";
            }
            sections.add(accepted != null ? accepted : m);
            if (why != null) {
                reasons.add(label + ": " + why);
            }
        }
        List<Accepted> acceptedSections = sections.stream().filter(s -> s instanceof Accepted).map(s -> (Accepted) s).toList();
        if (acceptedSections.isEmpty()) {
            throw new SdpException("nothing in the offer can be answered: " + String.join("; ", reasons));
        }
        if (offeredBundle.isEmpty() && acceptedSections.size() > 1) {
            throw new SdpException("the offer has more than one usable m= section but no BUNDLE group");
        }
        MediaDescription transport = acceptedSections.get(0).media();
        String remoteUfrag = offer.iceUfrag(transport).orElseThrow(() -> new SdpException("offer without a=ice-ufrag"));
        String remotePwd = offer.icePwd(transport).orElseThrow(() -> new SdpException("offer without a=ice-pwd"));
        CertificateFingerprint remoteFingerprint = offer.fingerprint(transport)
                .orElseThrow(() -> new SdpException("offer without a=fingerprint"));
        // RFC 8842 §5.2: actpass or active in the offer -> passive (we are the DTLS server)
        SetupRole offered = offer.setup(transport).orElse(SetupRole.ACTPASS);
        SetupRole local = switch (offered) {
            case ACTPASS, ACTIVE -> SetupRole.PASSIVE;
            case PASSIVE -> SetupRole.ACTIVE;
            case HOLDCONN -> throw new SdpException("offer with a=setup:holdconn");
        };
        List<String> bundle = offeredBundle.isEmpty() ? List.of()
                : acceptedSections.stream().map(a -> a.negotiated().mid()).toList();

        StringBuilder sdp = new StringBuilder(2048);
        line(sdp, "v=0");
        line(sdp, "o=- " + sessionId + " 2 IN IP4 127.0.0.1");
        line(sdp, "s=-");
        line(sdp, "t=0 0");
        if (!bundle.isEmpty()) {
            line(sdp, "a=group:BUNDLE " + String.join(" ", bundle));
        }
        line(sdp, "a=ice-lite"); // RFC 8839 §5.3
        line(sdp, "a=msid-semantic: WMS " + streamId);
        for (Object s : sections) {
            if (s instanceof Accepted a) {
                writeAccepted(sdp, a, local, cn);
            } else {
                writeRejected(sdp, (MediaDescription) s, local);
            }
        }
        NegotiatedMedia v = null;
        NegotiatedMedia au = null;
        for (Accepted a : acceptedSections) {
            if (a.negotiated().kind().equals("video")) {
                v = a.negotiated();
            } else {
                au = a.negotiated();
            }
        }
        return new Answer(sdp.toString(), Optional.ofNullable(v), Optional.ofNullable(au), bundle, remoteUfrag,
                remotePwd, remoteFingerprint, local);
    }

    private Accepted accept(MediaDescription m, MediaSource source, int ssrc, int rtxSsrc, String kind) {
        List<RtpCodec> offered = m.codecs();
        Optional<CodecSelection.Choice> choice = CodecSelection.choose(offered, source);
        if (choice.isEmpty()) {
            return null;
        }
        RtpCodec codec = choice.get().codec();
        // RFC 4588 §8.6: the offered rtx (apt = the chosen codec) is accepted for video either way; a
        // receiving answer names no SSRC of ours for it (the sender picks its own, ssrc-group FID)
        int rtxPt = kind.equals("video") ? CodecSelection.rtxFor(offered, codec.payloadType()) : -1;
        List<String> feedback = new ArrayList<>();
        for (String fb : SUPPORTED_FEEDBACK) {
            boolean enabled = switch (fb) {
                case "transport-cc" -> transportCc;
                case "goog-remb" -> remb;
                default -> true;
            };
            if (enabled && codec.hasFeedback(fb)) { // RFC 4585 §4.2: answer only what was offered
                feedback.add(fb);
            }
        }
        int absSendTime = remb ? m.extmapId(RtpExtensionUris.ABS_SEND_TIME) : 0;
        int twcc = transportCc ? m.extmapId(RtpExtensionUris.TRANSPORT_WIDE_CC) : 0;
        int redPt = kind.equals("audio") && red && !receiving ? CodecSelection.redFor(offered, codec) : -1;
        int ulpfecPt = -1;
        if (kind.equals("video") && fec && !receiving) {
            int videoRed = CodecSelection.videoFecFormat(offered, "red");
            int ulpfec = CodecSelection.videoFecFormat(offered, "ulpfec");
            if (videoRed >= 0 && ulpfec >= 0) {
                redPt = videoRed;
                ulpfecPt = ulpfec;
            }
        }
        NegotiatedMedia n = new NegotiatedMedia(m.mid().orElse(""), kind, codec, choice.get().answerFmtp(), rtxPt, ssrc,
                rtxPt >= 0 && !receiving ? rtxSsrc : 0, absSendTime, twcc, feedback, choice.get().match(), redPt,
                ulpfecPt);
        return new Accepted(m, n, kind + "-" + streamId);
    }

    private void writeAccepted(StringBuilder sdp, Accepted a, SetupRole setup, String cn) {
        MediaDescription m = a.media();
        NegotiatedMedia n = a.negotiated();
        SdpCandidate defaultCandidate = candidates.stream().filter(c -> c.transport().equals("udp")).findFirst()
                .orElse(candidates.isEmpty() ? null : candidates.get(0));
        String port = defaultCandidate == null ? "9" : String.valueOf(defaultCandidate.port());
        int redRtx = -1; // the RTX of video RED is not answered: retransmissions go as RTX of the media type
        line(sdp, "m=" + m.media() + " " + port + " " + m.proto() + " " + n.payloadType()
                + (n.hasRtx() ? " " + n.rtxPayloadType() : "") + (n.hasRed() ? " " + n.redPayloadType() : "")
                + (redRtx >= 0 ? " " + redRtx : "") + (n.hasUlpfec() ? " " + n.ulpfecPayloadType() : ""));
        line(sdp, "c=" + connection(defaultCandidate == null ? "0.0.0.0" : defaultCandidate.address()));
        line(sdp, "a=ice-ufrag:" + ufrag);
        line(sdp, "a=ice-pwd:" + password);
        line(sdp, "a=fingerprint:" + fingerprint.toSdpValue());
        line(sdp, "a=setup:" + setup.sdp());
        line(sdp, "a=mid:" + n.mid());
        if (n.absSendTimeId() > 0) {
            line(sdp, "a=extmap:" + n.absSendTimeId() + " " + RtpExtensionUris.ABS_SEND_TIME);
        }
        if (n.transportCcId() > 0) {
            line(sdp, "a=extmap:" + n.transportCcId() + " " + RtpExtensionUris.TRANSPORT_WIDE_CC);
        }
        if (receiving && simulcast != null && n.kind().equals("video")) {
            simulcast.answerAttributes().forEach(attribute -> line(sdp, "a=" + attribute)); // RFC 8853 §5.3
        }
        if (receiving) {
            line(sdp, "a=recvonly"); // RFC 9725 §4.2: the WHIP client sends, we receive
        } else {
            line(sdp, "a=sendonly"); // RFC 3264 §6.1: the offerer receives, we send
            line(sdp, "a=msid:" + streamId + " " + a.trackId());
        }
        line(sdp, "a=rtcp-mux");
        if (m.hasAttribute("rtcp-rsize")) {
            line(sdp, "a=rtcp-rsize"); // RFC 5506 §5
        }
        RtpCodec c = n.codec();
        line(sdp, "a=rtpmap:" + c.rtpmapValue());
        for (String fb : n.feedback()) {
            line(sdp, "a=rtcp-fb:" + c.payloadType() + " " + fb);
        }
        if (n.fmtp() != null) {
            line(sdp, "a=fmtp:" + c.payloadType() + " " + n.fmtp());
        }
        if (n.hasUlpfec()) {
            // RFC 5109 §14.1 in RFC 2198 RED, as Chromium offers them (no fmtp)
            line(sdp, "a=rtpmap:" + n.redPayloadType() + " red/90000");
            if (redRtx >= 0) {
                line(sdp, "a=rtpmap:" + redRtx + " rtx/90000");
                line(sdp, "a=fmtp:" + redRtx + " apt=" + n.redPayloadType());
            }
            line(sdp, "a=rtpmap:" + n.ulpfecPayloadType() + " ulpfec/90000");
        } else if (n.hasRed()) {
            // RFC 2198 §5: the redundant encoding and its blocks' payload types (primary/redundant)
            line(sdp, "a=rtpmap:" + n.redPayloadType() + " red/" + c.clockRate()
                    + (c.channels() > 1 ? "/" + c.channels() : ""));
            line(sdp, "a=fmtp:" + n.redPayloadType() + " " + c.payloadType() + "/" + c.payloadType());
        }
        if (n.hasRtx()) {
            line(sdp, "a=rtpmap:" + n.rtxPayloadType() + " rtx/" + c.clockRate());
            line(sdp, "a=fmtp:" + n.rtxPayloadType() + " apt=" + c.payloadType());
        }
        if (!receiving) {
            if (n.hasRtx()) {
                // RFC 5576 §4.2 / RFC 4588 §8.7: the media and retransmission SSRCs belong together
                line(sdp, "a=ssrc-group:FID " + Integer.toUnsignedString(n.ssrc()) + " "
                        + Integer.toUnsignedString(n.rtxSsrc()));
            }
            ssrcLines(sdp, n.ssrc(), cn, a.trackId());
            if (n.hasRtx()) {
                ssrcLines(sdp, n.rtxSsrc(), cn, a.trackId());
            }
        }
        for (SdpCandidate cand : candidates) {
            line(sdp, "a=candidate:" + cand.sdpValue());
        }
        line(sdp, "a=end-of-candidates"); // RFC 8840 §8.2: a lite agent has all its candidates up front
    }

    private void ssrcLines(StringBuilder sdp, int ssrc, String cn, String trackId) {
        String s = Integer.toUnsignedString(ssrc);
        line(sdp, "a=ssrc:" + s + " cname:" + cn);
        line(sdp, "a=ssrc:" + s + " msid:" + streamId + " " + trackId);
    }

    /**
     * RFC 3264 §6: a rejected stream keeps its media type and proto, with port 0. Strict parsers
     * check every section, rejected or not: the format it lists keeps its {@code a=rtpmap} (when
     * the offer had one; pion: "payload type not found"), and it carries the ICE credentials,
     * fingerprint, setup role and rtcp-mux of the answer (aiortc: "ICE username fragment or
     * password is missing").
     */
    private void writeRejected(StringBuilder sdp, MediaDescription m, SetupRole setup) {
        String format = m.formats().isEmpty() ? "0" : m.formats().get(0);
        line(sdp, "m=" + m.media() + " 0 " + m.proto() + " " + format);
        line(sdp, "c=IN IP4 0.0.0.0");
        m.mid().ifPresent(mid -> line(sdp, "a=mid:" + mid));
        line(sdp, "a=inactive");
        if (m.isDtlsSrtp()) {
            line(sdp, "a=ice-ufrag:" + ufrag);
            line(sdp, "a=ice-pwd:" + password);
            line(sdp, "a=fingerprint:" + fingerprint.toSdpValue());
            line(sdp, "a=setup:" + setup.sdp());
            line(sdp, "a=rtcp-mux");
        }
        List<RtpCodec> codecs;
        try {
            codecs = m.codecs();
        } catch (SdpException e) {
            codecs = List.of();
        }
        codecs.stream().filter(c -> String.valueOf(c.payloadType()).equals(format)).findFirst()
                .ifPresent(c -> line(sdp, "a=rtpmap:" + c.rtpmapValue()));
    }

    private static String connection(String address) {
        return address.indexOf(':') >= 0 ? "IN IP6 " + address : "IN IP4 " + address;
    }

    private static void line(StringBuilder sdp, String line) {
        sdp.append(line).append("\r\n");
    }

    private static String randomToken(int length) {
        String chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder b = new StringBuilder(length);
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = 0; i < length; i++) {
            b.append(chars.charAt(r.nextInt(chars.length())));
        }
        return b.toString();
    }
}
