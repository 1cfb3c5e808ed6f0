package dev.vireo.webrtc.sdp;

import dev.vireo.media.avc.AvcDecoderConfigurationRecord;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The H.264 {@code profile-level-id} fmtp parameter, RFC 6184 §8.1: three bytes, profile_idc,
 * profile-iop (the constraint_set flags) and level_idc, as six hex digits. The same three bytes
 * start an SPS and an AVCDecoderConfigurationRecord.
 */
public record H264ProfileLevelId(int profileIdc, int profileIop, int levelIdc) {

    /** RFC 6184 §8.1: the default when the parameter is absent is 420010 (baseline, level 1). */
    public static final H264ProfileLevelId DEFAULT = new H264ProfileLevelId(0x42, 0x00, 0x0A);

    public H264ProfileLevelId {
        if ((profileIdc | profileIop | levelIdc) >>> 8 != 0 || profileIdc < 0 || profileIop < 0 || levelIdc < 0) {
            throw new IllegalArgumentException("profile-level-id bytes " + profileIdc + "/" + profileIop + "/" + levelIdc);
        }
    }

    /** Parses six hex digits. */
    public static H264ProfileLevelId parse(String hex) {
        if (hex.length() != 6) {
            throw new SdpException("profile-level-id '" + hex + "' is not six hex digits");
        }
        try {
            int v = HexFormat.fromHexDigits(hex);
            return new H264ProfileLevelId(v >>> 16, v >>> 8 & 0xFF, v & 0xFF);
        } catch (IllegalArgumentException e) {
            throw new SdpException("profile-level-id '" + hex + "' is not hex");
        }
    }

    /** The profile-level-id of a stream from its decoder configuration. */
    public static H264ProfileLevelId of(AvcDecoderConfigurationRecord config) {
        return new H264ProfileLevelId(config.profileIndication(), config.profileCompatibility(), config.levelIndication());
    }

    // libwebrtc's table (api/video_codecs/h264_profile_level_id.cc): profile_idc and a pattern on
    // profile-iop, most significant bit first, 'x' = any. Order matters: first match wins.
    private static final Object[][] PATTERNS = {
        {0x42, "x1xx0000", H264Profile.CONSTRAINED_BASELINE},
        {0x4D, "1xxx0000", H264Profile.CONSTRAINED_BASELINE},
        {0x58, "11xx0000", H264Profile.CONSTRAINED_BASELINE},
        {0x42, "x0xx0000", H264Profile.BASELINE},
        {0x58, "10xx0000", H264Profile.BASELINE},
        {0x4D, "0x0x0000", H264Profile.MAIN},
        {0x64, "00000000", H264Profile.HIGH},
        {0x64, "00001100", H264Profile.CONSTRAINED_HIGH},
        {0xF4, "00000000", H264Profile.PREDICTIVE_HIGH_444},
    };

    /** The profile per RFC 6184 Table 5 (as libwebrtc reads it), or empty for others. */
    public Optional<H264Profile> profile() {
        for (Object[] p : PATTERNS) {
            if ((int) p[0] == profileIdc && matches((String) p[1], profileIop)) {
                return Optional.of((H264Profile) p[2]);
            }
        }
        return Optional.empty();
    }

    private static boolean matches(String pattern, int value) {
        for (int i = 0; i < 8; i++) {
            char c = pattern.charAt(i);
            int bit = value >>> 7 - i & 1;
            if (c != 'x' && c - '0' != bit) {
                return false;
            }
        }
        return true;
    }

    /**
     * The level as level_idc × 10 (e.g. 31 for 3.1), with level 1b (level_idc 11 and
     * constraint_set3 in a baseline-family profile, H.264 §A.3.1) as 9 so that it sorts below 1.1.
     */
    public int levelOrder() {
        boolean baselineFamily = profileIdc == 0x42 || profileIdc == 0x4D || profileIdc == 0x58;
        if (levelIdc == 11 && baselineFamily && (profileIop & 0x10) != 0 || levelIdc == 9) {
            return 9;
        }
        return levelIdc;
    }

    /** The same profile bytes with the level_idc of {@code other}. */
    public H264ProfileLevelId withLevelOf(H264ProfileLevelId other) {
        return new H264ProfileLevelId(profileIdc, profileIop, other.levelIdc);
    }

    /** Six lower-case hex digits, as browsers write it. */
    public String sdpValue() {
        return HexFormat.of().toHexDigits((byte) profileIdc) + HexFormat.of().toHexDigits((byte) profileIop)
                + HexFormat.of().toHexDigits((byte) levelIdc);
    }

    @Override
    public String toString() {
        return sdpValue();
    }
}
