package dev.vireo.media.hevc;

import dev.vireo.media.MediaFormatException;
import dev.vireo.media.bits.BitReader;
import dev.vireo.media.nal.NalUnits;
import io.netty.buffer.Unpooled;

/**
 * The leading fields of an H.265 sequence parameter set (ITU-T H.265 §7.3.2.2.1): the general
 * profile_tier_level (§7.3.3), chroma format, bit depths and the picture size with the
 * conformance window applied (§7.4.3.2.1). Parsing stops after the bit depths: nothing later is
 * needed to describe a track.
 */
public record HevcSps(int profileSpace, boolean highTier, int profileIdc, long profileCompatibilityFlags,
                      int levelIdc, int chromaFormatIdc, int bitDepthLuma, int bitDepthChroma, int width,
                      int height) {

    static final int MAX_SPS_BYTES = 64 * 1024;

    /** Parses an SPS NAL unit (with its 2-byte header, emulation prevention still in place). */
    public static HevcSps parse(byte[] nal) {
        byte[] rbsp = NalUnits.unescape(Unpooled.wrappedBuffer(nal), MAX_SPS_BYTES);
        BitReader r = new BitReader(rbsp, "H.265 SPS");
        r.skip(1); // forbidden_zero_bit
        int type = r.u(6);
        if (type != NalUnits.H265_SPS) {
            throw new MediaFormatException("NAL unit type " + type + " is not an H.265 SPS");
        }
        r.skip(9); // nuh_layer_id, nuh_temporal_id_plus1
        r.skip(4); // sps_video_parameter_set_id
        int maxSubLayersMinus1 = r.u(3);
        if (maxSubLayersMinus1 > 6) {
            throw new MediaFormatException("sps_max_sub_layers_minus1 " + maxSubLayersMinus1 + " exceeds 6");
        }
        r.skip(1); // sps_temporal_id_nesting_flag
        // profile_tier_level(1, sps_max_sub_layers_minus1) §7.3.3
        int profileSpace = r.u(2);
        boolean highTier = r.flag();
        int profileIdc = r.u(5);
        long compat = r.bits(32);
        r.skip(48); // progressive/interlaced/non-packed/frame-only + 43 reserved/constraint bits + 1
        int levelIdc = r.u(8);
        boolean[] profilePresent = new boolean[maxSubLayersMinus1];
        boolean[] levelPresent = new boolean[maxSubLayersMinus1];
        for (int i = 0; i < maxSubLayersMinus1; i++) {
            profilePresent[i] = r.flag();
            levelPresent[i] = r.flag();
        }
        if (maxSubLayersMinus1 > 0) {
            r.skip(2L * (8 - maxSubLayersMinus1)); // reserved_zero_2bits
        }
        for (int i = 0; i < maxSubLayersMinus1; i++) {
            if (profilePresent[i]) {
                r.skip(88);
            }
            if (levelPresent[i]) {
                r.skip(8);
            }
        }
        r.ue(15, "sps_seq_parameter_set_id");
        int chromaFormatIdc = r.ue(3, "chroma_format_idc");
        boolean separateColourPlane = chromaFormatIdc == 3 && r.flag();
        long picWidth = r.ue();
        long picHeight = r.ue();
        long left = 0, right = 0, top = 0, bottom = 0;
        if (r.flag()) { // conformance_window_flag
            left = r.ue();
            right = r.ue();
            top = r.ue();
            bottom = r.ue();
        }
        int depthLuma = 8 + r.ue(8, "bit_depth_luma_minus8");
        int depthChroma = 8 + r.ue(8, "bit_depth_chroma_minus8");
        // Table 6-1: SubWidthC/SubHeightC; ChromaArrayType 0 (monochrome or separate planes) uses 1
        int chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
        int subWidthC = chromaArrayType == 1 || chromaArrayType == 2 ? 2 : 1;
        int subHeightC = chromaArrayType == 1 ? 2 : 1;
        long width = picWidth - subWidthC * (left + right);
        long height = picHeight - subHeightC * (top + bottom);
        if (width <= 0 || height <= 0 || width > 65536 || height > 65536) {
            throw new MediaFormatException("implausible H.265 picture size " + width + "x" + height);
        }
        return new HevcSps(profileSpace, highTier, profileIdc, compat, levelIdc, chromaFormatIdc, depthLuma,
                depthChroma, (int) width, (int) height);
    }

    /** Profile name per H.265 Annex A.3 (general_profile_idc, or the first compatibility flag set). */
    public String profileName() {
        return profileName(profileIdc, profileCompatibilityFlags);
    }

    static String profileName(int profileIdc, long compatibilityFlags) {
        int idc = profileIdc;
        if (idc == 0) {
            for (int j = 1; j < 32; j++) {
                if ((compatibilityFlags & (1L << (31 - j))) != 0) {
                    idc = j;
                    break;
                }
            }
        }
        return switch (idc) {
            case 1 -> "Main";
            case 2 -> "Main 10";
            case 3 -> "Main Still Picture";
            case 4 -> "Format Range Extensions";
            case 5 -> "High Throughput";
            case 9 -> "Screen Content Coding";
            default -> "profile " + idc;
        };
    }

    /** Level per Annex A.4: general_level_idc / 30, with the tier when High. */
    public String levelName() {
        return levelName(levelIdc, highTier);
    }

    static String levelName(int levelIdc, boolean highTier) {
        int tenths = levelIdc / 3;
        String level = tenths % 10 == 0 ? Integer.toString(tenths / 10) : (tenths / 10) + "." + (tenths % 10);
        return highTier ? level + " High tier" : level;
    }
}
