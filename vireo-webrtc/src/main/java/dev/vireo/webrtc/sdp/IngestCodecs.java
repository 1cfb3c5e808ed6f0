package dev.vireo.webrtc.sdp;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a publisher's offer (WHIP, RFC 9725 §4.2) may send that the server takes in: H.264
 * (packetization-mode 1, RFC 6184) or AV1 video, Opus audio. The server must turn what it receives
 * into hub frames that RTMP, HTTP-FLV and WHEP viewers play, so it accepts those codecs only and
 * refuses an offer whose video is only VP8/VP9 (or whose audio has no Opus) with a reason that
 * names what it accepts.
 *
 * @param video the video to receive (null when the offer sends none)
 * @param audio the audio to receive (null when the offer sends none)
 */
public record IngestCodecs(MediaSource video, MediaSource audio) {

    /** The reason text's list of accepted codecs. */
    public static final String ACCEPTED = "H.264 (packetization-mode=1) or AV1 video, Opus audio";

    /**
     * Chooses per kind from the offered sections the offerer sends on: for video the first
     * constrained-baseline/baseline H.264 (what every encoder makes and every player decodes), else
     * any H.264 in packetization-mode 1, else AV1; for audio Opus.
     *
     * @throws SdpException naming the accepted codecs when a sending video or audio section offers
     *     none of them, or when the offer sends nothing
     */
    public static IngestCodecs choose(SessionDescription offer) {
        MediaSource video = null;
        MediaSource audio = null;
        boolean sawVideo = false;
        boolean sawAudio = false;
        Set<String> refused = new LinkedHashSet<>();
        for (MediaDescription m : offer.media()) {
            if (m.isRejected() || !offer.direction(m).sends()) {
                continue;
            }
            List<RtpCodec> codecs = m.codecs();
            if (m.media().equals("video") && video == null) {
                sawVideo = true;
                video = video(codecs);
                if (video == null) {
                    codecs.stream().filter(c -> !c.isRtx() && !c.is("red") && !c.is("ulpfec"))
                            .forEach(c -> refused.add(c.name()));
                }
            } else if (m.media().equals("audio") && audio == null) {
                sawAudio = true;
                if (codecs.stream().anyMatch(c -> c.is("opus") && c.clockRate() == 48_000)) {
                    audio = new MediaSource.Opus(2);
                } else {
                    codecs.forEach(c -> refused.add(c.name()));
                }
            }
        }
        if (sawVideo && video == null || sawAudio && audio == null) {
            List<String> kinds = new ArrayList<>();
            if (sawVideo && video == null) {
                kinds.add("video");
            }
            if (sawAudio && audio == null) {
                kinds.add("audio");
            }
            throw new SdpException("the offer's " + String.join(" and ", kinds) + " codecs " + refused
                    + " are not accepted; Vireo takes " + ACCEPTED);
        }
        if (video == null && audio == null) {
            throw new SdpException("the offer sends no audio or video (a WHIP offer has sendonly or sendrecv"
                    + " sections); Vireo takes " + ACCEPTED);
        }
        return new IngestCodecs(video, audio);
    }

    private static MediaSource video(List<RtpCodec> codecs) {
        MediaSource anyH264 = null;
        for (RtpCodec c : codecs) {
            if (c.is("H264") && c.clockRate() == 90_000 && c.packetizationMode() == 1) {
                H264ProfileLevelId plid = c.h264ProfileLevelId();
                if (plid.profile().filter(p -> p == H264Profile.CONSTRAINED_BASELINE || p == H264Profile.BASELINE)
                        .isPresent()) {
                    return new MediaSource.H264(plid);
                }
                if (anyH264 == null) {
                    anyH264 = new MediaSource.H264(plid);
                }
            }
        }
        if (anyH264 != null) {
            return anyH264;
        }
        for (RtpCodec c : codecs) {
            if (c.is("AV1") && c.clockRate() == 90_000) {
                return new MediaSource.Av1(c.intParameter("profile", 0));
            }
        }
        return null;
    }
}
