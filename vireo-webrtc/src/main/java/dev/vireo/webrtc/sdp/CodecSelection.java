package dev.vireo.webrtc.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Picks the offered payload type that fits a source, and the fmtp to answer with. */
final class CodecSelection {

    /** A chosen codec and the fmtp value to put in the answer (null for none). */
    record Choice(RtpCodec codec, H264Match match, String answerFmtp) {
    }

    private CodecSelection() {
    }

    static Optional<Choice> choose(List<RtpCodec> offered, MediaSource source) {
        return switch (source) {
            case MediaSource.H264 h -> h264(offered, h.profileLevelId());
            case MediaSource.Av1 a -> av1(offered, a.profile());
            case MediaSource.Opus o -> opus(offered, o.channels());
        };
    }

    /**
     * H.264 (RFC 6184 §8.2.2): only packetization-mode=1 (we send FU-A and STAP-A). Ranked by
     * profile: identical profile-level-id profile bytes, then the same profile, then a profile
     * whose decoders accept the source, then any (the most capable profile first); ties go to
     * level-asymmetry-allowed=1 (we may send the source's level), then to a level at least the
     * source's, then to offer order.
     */
    static Optional<Choice> h264(List<RtpCodec> offered, H264ProfileLevelId source) {
        Optional<H264Profile> sourceProfile = source.profile();
        RtpCodec best = null;
        int bestScore = -1;
        H264Match bestMatch = null;
        for (RtpCodec c : offered) {
            if (!c.is("H264") || c.clockRate() != 90_000 || c.packetizationMode() != 1) {
                continue;
            }
            H264ProfileLevelId plid = c.h264ProfileLevelId();
            Optional<H264Profile> offeredProfile = plid.profile();
            int rank;
            H264Match match;
            if (plid.profileIdc() == source.profileIdc() && plid.profileIop() == source.profileIop()) {
                rank = 4;
                match = H264Match.EXACT;
            } else if (sourceProfile.isPresent() && sourceProfile.equals(offeredProfile)) {
                rank = 3;
                match = H264Match.EXACT;
            } else if (sourceProfile.isPresent() && offeredProfile.isPresent()
                    && sourceProfile.get().decodableBy(offeredProfile.get())) {
                rank = 2;
                match = H264Match.COMPATIBLE;
            } else {
                rank = 1;
                match = H264Match.MISMATCH;
            }
            // without a profile match, the most capable offered profile is the closest (a high
            // profile stream is better off with main than with baseline decoders)
            int capability = match == H264Match.MISMATCH ? offeredProfile.map(p -> p.ordinal() + 1).orElse(0) : 0;
            int score = rank * 64 + capability * 4 + (c.levelAsymmetryAllowed() ? 2 : 0)
                    + (plid.levelOrder() >= source.levelOrder() ? 1 : 0);
            if (score > bestScore) {
                best = c;
                bestScore = score;
                bestMatch = match;
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        // RFC 6184 §8.2.2 / libwebrtc: with level asymmetry allowed the answer carries our level,
        // otherwise the lower of both; the profile bytes stay those of the offer
        H264ProfileLevelId offeredPlid = best.h264ProfileLevelId();
        H264ProfileLevelId level = best.levelAsymmetryAllowed() || source.levelOrder() <= offeredPlid.levelOrder()
                ? source : offeredPlid;
        H264ProfileLevelId answer = offeredPlid.withLevelOf(level);
        String fmtp = (best.levelAsymmetryAllowed() ? "level-asymmetry-allowed=1;" : "")
                + "packetization-mode=1;profile-level-id=" + answer.sdpValue();
        return Optional.of(new Choice(best, bestMatch, fmtp));
    }

    /** AV1 (AV1 RTP specification §7.2): the first offered AV1 whose {@code profile} (default 0) is the source's. */
    static Optional<Choice> av1(List<RtpCodec> offered, int profile) {
        for (RtpCodec c : offered) {
            if (c.is("AV1") && c.clockRate() == 90_000 && c.intParameter("profile", 0) == profile) {
                return Optional.of(new Choice(c, null, c.fmtp()));
            }
        }
        return Optional.empty();
    }

    /**
     * Opus (RFC 7587 §7): opus/48000/2. The answer repeats the offered parameters, adds
     * useinbandfec=1 when missing and, for a stereo source, says so with stereo=1 and
     * sprop-stereo=1 (§6.1).
     */
    static Optional<Choice> opus(List<RtpCodec> offered, int channels) {
        for (RtpCodec c : offered) {
            if (c.is("opus") && c.clockRate() == 48_000 && c.channels() == 2) {
                List<String> params = new ArrayList<>();
                for (Map.Entry<String, String> e : c.parameters().entrySet()) {
                    if (!e.getKey().equals("stereo") && !e.getKey().equals("sprop-stereo")) {
                        params.add(e.getValue().isEmpty() ? e.getKey() : e.getKey() + "=" + e.getValue());
                    }
                }
                if (!c.parameters().containsKey("useinbandfec")) {
                    params.add("useinbandfec=1"); // RFC 7587 §6.1: the stream carries in-band FEC (html5 variant: -fec 1)
                }
                if (channels == 2) {
                    params.add("stereo=1");
                    params.add("sprop-stereo=1");
                }
                return Optional.of(new Choice(c, null, params.isEmpty() ? null : String.join(";", params)));
            }
        }
        return Optional.empty();
    }

    /** The offered RTX payload type whose apt is {@code payloadType} (RFC 4588 §8.6), or -1. */
    static int rtxFor(List<RtpCodec> offered, int payloadType) {
        for (RtpCodec c : offered) {
            if (c.isRtx() && c.apt() == payloadType) {
                return c.payloadType();
            }
        }
        return -1;
    }

    /**
     * The offered RED payload type (RFC 2198 §5, {@code a=rtpmap:<pt> red/<clock>[/<channels>]})
     * whose blocks are all {@code payloadType} ({@code a=fmtp:63 111/111}, as Chromium offers it
     * for Opus), or -1. An offer without an fmtp for it says nothing about the blocks: not taken.
     */
    static int redFor(List<RtpCodec> offered, RtpCodec primary) {
        for (RtpCodec c : offered) {
            if (!c.is("red") || c.clockRate() != primary.clockRate() || c.channels() != primary.channels()
                    || c.fmtp() == null) {
                continue;
            }
            String[] blocks = c.fmtp().trim().split("/", 8);
            boolean all = blocks.length >= 2;
            for (String b : blocks) {
                all &= b.trim().equals(String.valueOf(primary.payloadType()));
            }
            if (all) {
                return c.payloadType();
            }
        }
        return -1;
    }

    /**
     * The offered payload type of {@code name}/90000 ("red" or "ulpfec"): video FEC as Chromium
     * offers it (RFC 2198 RED carrying RFC 5109 ULPFEC, no fmtp), or -1.
     */
    static int videoFecFormat(List<RtpCodec> offered, String name) {
        for (RtpCodec c : offered) {
            if (c.is(name) && c.clockRate() == 90_000) {
                return c.payloadType();
            }
        }
        return -1;
    }
}
