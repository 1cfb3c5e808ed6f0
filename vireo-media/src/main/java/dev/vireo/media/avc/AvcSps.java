package dev.vireo.media.avc;

import dev.vireo.media.MediaFormatException;
import dev.vireo.media.bits.BitReader;
import dev.vireo.media.nal.NalUnits;
import io.netty.buffer.Unpooled;

/**
 * The fields of an H.264 sequence parameter set (ITU-T H.264 §7.3.2.1.1) that describe a
 * track: profile, level, chroma format, bit depth, cropped picture size and, when the VUI has
 * timing information (Annex E.1.1), the frame rate.
 *
 * @param fps frames per second from VUI timing ({@code time_scale / (2 * num_units_in_tick)}),
 *            0 when absent
 */
public record AvcSps(int profileIdc, int constraintFlags, int levelIdc, int chromaFormatIdc, int bitDepthLuma,
                     int bitDepthChroma, int width, int height, boolean frameMbsOnly, double fps) {

    /** SPS NAL units are a few dozen bytes; this bounds the copy made to unescape one. */
    static final int MAX_SPS_BYTES = 64 * 1024;

    /** Profiles whose SPS carries chroma_format_idc, bit depths and scaling lists (§7.3.2.1.1). */
    static boolean hasChromaInfo(int profileIdc) {
        return switch (profileIdc) {
            case 100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135 -> true;
            default -> false;
        };
    }

    /** Parses an SPS NAL unit (with its header byte, emulation prevention still in place). */
    public static AvcSps parse(byte[] nal) {
        byte[] rbsp = NalUnits.unescape(Unpooled.wrappedBuffer(nal), MAX_SPS_BYTES);
        BitReader r = new BitReader(rbsp, "H.264 SPS");
        r.skip(1); // forbidden_zero_bit
        r.skip(2); // nal_ref_idc
        int type = r.u(5);
        if (type != NalUnits.H264_SPS) {
            throw new MediaFormatException("NAL unit type " + type + " is not an H.264 SPS");
        }
        int profile = r.u(8);
        int constraints = r.u(8);
        int level = r.u(8);
        r.ue(31, "seq_parameter_set_id");
        int chromaFormatIdc = 1;
        boolean separateColourPlane = false;
        int bitDepthLuma = 8;
        int bitDepthChroma = 8;
        if (hasChromaInfo(profile)) {
            chromaFormatIdc = r.ue(3, "chroma_format_idc");
            if (chromaFormatIdc == 3) {
                separateColourPlane = r.flag();
            }
            bitDepthLuma = 8 + r.ue(6, "bit_depth_luma_minus8");
            bitDepthChroma = 8 + r.ue(6, "bit_depth_chroma_minus8");
            r.skip(1); // qpprime_y_zero_transform_bypass_flag
            if (r.flag()) { // seq_scaling_matrix_present_flag
                int lists = chromaFormatIdc != 3 ? 8 : 12;
                for (int i = 0; i < lists; i++) {
                    if (r.flag()) { // seq_scaling_list_present_flag[i]
                        skipScalingList(r, i < 6 ? 16 : 64);
                    }
                }
            }
        }
        r.ue(12, "log2_max_frame_num_minus4");
        int pocType = r.ue(2, "pic_order_cnt_type");
        if (pocType == 0) {
            r.ue(12, "log2_max_pic_order_cnt_lsb_minus4");
        } else if (pocType == 1) {
            r.skip(1); // delta_pic_order_always_zero_flag
            r.se(); // offset_for_non_ref_pic
            r.se(); // offset_for_top_to_bottom_field
            int cycle = r.ue(255, "num_ref_frames_in_pic_order_cnt_cycle");
            for (int i = 0; i < cycle; i++) {
                r.se(); // offset_for_ref_frame[i]
            }
        }
        r.ue(); // max_num_ref_frames
        r.skip(1); // gaps_in_frame_num_value_allowed_flag
        int widthMbs = r.ue(1 << 16, "pic_width_in_mbs_minus1") + 1;
        int heightMapUnits = r.ue(1 << 16, "pic_height_in_map_units_minus1") + 1;
        boolean frameMbsOnly = r.flag();
        if (!frameMbsOnly) {
            r.skip(1); // mb_adaptive_frame_field_flag
        }
        r.skip(1); // direct_8x8_inference_flag
        long cropLeft = 0, cropRight = 0, cropTop = 0, cropBottom = 0;
        if (r.flag()) { // frame_cropping_flag
            cropLeft = r.ue();
            cropRight = r.ue();
            cropTop = r.ue();
            cropBottom = r.ue();
        }
        // §7.4.2.1.1 frame cropping: units depend on ChromaArrayType and frame_mbs_only_flag
        int chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
        int subWidthC = chromaArrayType == 3 ? 1 : 2;
        int subHeightC = chromaArrayType == 1 ? 2 : 1;
        int frameHeightFactor = frameMbsOnly ? 1 : 2;
        long cropUnitX = chromaArrayType == 0 ? 1 : subWidthC;
        long cropUnitY = chromaArrayType == 0 ? frameHeightFactor : (long) subHeightC * frameHeightFactor;
        long width = widthMbs * 16L - cropUnitX * (cropLeft + cropRight);
        long height = (long) frameHeightFactor * heightMapUnits * 16 - cropUnitY * (cropTop + cropBottom);
        if (width <= 0 || height <= 0) {
            throw new MediaFormatException("H.264 SPS cropping leaves no picture (" + width + "x" + height + ")");
        }
        double fps = 0;
        if (r.flag()) { // vui_parameters_present_flag
            fps = vuiFps(r);
        }
        return new AvcSps(profile, constraints, level, chromaFormatIdc, bitDepthLuma, bitDepthChroma,
                (int) width, (int) height, frameMbsOnly, fps);
    }

    /** scaling_list() §7.3.2.1.1.1, read only to get past it. */
    private static void skipScalingList(BitReader r, int size) {
        int lastScale = 8;
        int nextScale = 8;
        for (int j = 0; j < size; j++) {
            if (nextScale != 0) {
                long delta = r.se();
                if (delta < -128 || delta > 127) {
                    throw new MediaFormatException("delta_scale " + delta + " out of range in H.264 SPS");
                }
                nextScale = (int) ((lastScale + delta + 256) % 256);
            }
            lastScale = nextScale == 0 ? lastScale : nextScale;
        }
    }

    /** vui_parameters() Annex E.1.1 up to timing_info; returns fps or 0. */
    private static double vuiFps(BitReader r) {
        if (r.flag()) { // aspect_ratio_info_present_flag
            if (r.u(8) == 255) { // Extended_SAR
                r.skip(32); // sar_width, sar_height
            }
        }
        if (r.flag()) { // overscan_info_present_flag
            r.skip(1);
        }
        if (r.flag()) { // video_signal_type_present_flag
            r.skip(4); // video_format, video_full_range_flag
            if (r.flag()) { // colour_description_present_flag
                r.skip(24);
            }
        }
        if (r.flag()) { // chroma_loc_info_present_flag
            r.ue();
            r.ue();
        }
        if (!r.flag()) { // timing_info_present_flag
            return 0;
        }
        long unitsInTick = r.bits(32);
        long timeScale = r.bits(32);
        if (unitsInTick == 0 || timeScale == 0) {
            return 0;
        }
        // E.2.1: a frame lasts two ticks (one per field)
        return timeScale / (2.0 * unitsInTick);
    }

    /** Profile name per H.264 Annex A.2 (constraint_set flags refine Baseline and the intra profiles). */
    public String profileName() {
        boolean set1 = (constraintFlags & 0x40) != 0;
        boolean set3 = (constraintFlags & 0x10) != 0;
        return switch (profileIdc) {
            case 66 -> set1 ? "Constrained Baseline" : "Baseline";
            case 77 -> "Main";
            case 88 -> "Extended";
            case 100 -> "High";
            case 110 -> set3 ? "High 10 Intra" : "High 10";
            case 122 -> set3 ? "High 4:2:2 Intra" : "High 4:2:2";
            case 244 -> set3 ? "High 4:4:4 Intra" : "High 4:4:4 Predictive";
            case 44 -> "CAVLC 4:4:4 Intra";
            case 83 -> "Scalable Baseline";
            case 86 -> "Scalable High";
            case 118 -> "Multiview High";
            case 128 -> "Stereo High";
            default -> "profile " + profileIdc;
        };
    }

    /** Level name per Annex A.3: level_idc / 10, with "1b" for level_idc 9 or 11 + constraint_set3 in Baseline/Main. */
    public String levelName() {
        boolean set3 = (constraintFlags & 0x10) != 0;
        if (levelIdc == 9 || (levelIdc == 11 && set3 && (profileIdc == 66 || profileIdc == 77 || profileIdc == 88))) {
            return "1b";
        }
        return levelIdc % 10 == 0 ? Integer.toString(levelIdc / 10) : (levelIdc / 10) + "." + (levelIdc % 10);
    }
}
