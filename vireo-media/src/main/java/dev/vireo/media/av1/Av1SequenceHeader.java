package dev.vireo.media.av1;

import dev.vireo.media.MediaFormatException;
import dev.vireo.media.bits.BitReader;
import io.netty.buffer.ByteBuf;

/**
 * The leading fields of an AV1 sequence header OBU (AV1 Bitstream & Decoding Process
 * Specification §5.5.1): profile, operating point 0 level/tier, timing info and the maximum
 * frame size.
 *
 * @param fps frames per second from timing_info when present with equal_picture_interval (or
 *            one tick per picture otherwise), 0 when absent
 */
public record Av1SequenceHeader(int seqProfile, boolean stillPicture, int seqLevelIdx0, int seqTier0,
                                int maxFrameWidth, int maxFrameHeight, double fps) {

    static final int OBU_SEQUENCE_HEADER = Av1Obus.SEQUENCE_HEADER;
    /** Bounds the bytes copied to parse one sequence header OBU (they are a few dozen). */
    static final int MAX_SEQUENCE_HEADER = 4096;

    /**
     * Finds the first sequence header OBU in low-overhead bitstream format OBUs (§5.2, each with
     * obu_has_size_field, or the last one without) and parses it.
     */
    public static Av1SequenceHeader find(ByteBuf obus) {
        for (Av1Obus.Obu obu : Av1Obus.split(obus)) {
            if (obu.type() == OBU_SEQUENCE_HEADER) {
                if (obu.payloadSize() > MAX_SEQUENCE_HEADER) {
                    throw new MediaFormatException("AV1 sequence header OBU of " + obu.payloadSize() + " bytes");
                }
                byte[] payload = new byte[obu.payloadSize()];
                obus.getBytes(obu.payloadOffset(), payload);
                return parse(payload);
            }
        }
        throw new MediaFormatException("no AV1 sequence header OBU");
    }

    /** Parses sequence_header_obu() §5.5.1 from the OBU payload. */
    public static Av1SequenceHeader parse(byte[] payload) {
        BitReader r = new BitReader(payload, "AV1 sequence header");
        int profile = r.u(3);
        if (profile > 2) {
            throw new MediaFormatException("AV1 seq_profile " + profile + " is reserved");
        }
        boolean still = r.flag();
        boolean reduced = r.flag();
        int level0;
        int tier0 = 0;
        double fps = 0;
        if (reduced) {
            level0 = r.u(5);
        } else {
            boolean decoderModelInfo = false;
            int bufferDelayLength = 0;
            if (r.flag()) { // timing_info_present_flag
                long unitsInTick = r.bits(32);
                long timeScale = r.bits(32);
                long ticksPerPicture = 1;
                if (r.flag()) { // equal_picture_interval
                    long v = r.uvlc();
                    if (v == (1L << 32) - 1) {
                        throw new MediaFormatException("AV1 num_ticks_per_picture_minus_1 out of range");
                    }
                    ticksPerPicture = v + 1;
                }
                if (unitsInTick > 0 && timeScale > 0) {
                    fps = timeScale / ((double) unitsInTick * ticksPerPicture);
                }
                decoderModelInfo = r.flag();
                if (decoderModelInfo) { // decoder_model_info() §5.5.4
                    bufferDelayLength = r.u(5) + 1;
                    r.skip(32); // num_units_in_decoding_tick
                    r.skip(10); // buffer_removal_time_length_minus_1, frame_presentation_time_length_minus_1
                }
            }
            boolean initialDisplayDelay = r.flag();
            int operatingPoints = r.u(5) + 1;
            level0 = -1;
            for (int i = 0; i < operatingPoints; i++) {
                r.skip(12); // operating_point_idc
                int level = r.u(5);
                int tier = level > 7 ? r.u(1) : 0;
                if (i == 0) {
                    level0 = level;
                    tier0 = tier;
                }
                if (decoderModelInfo && r.flag()) { // decoder_model_present_for_this_op
                    r.skip(2L * bufferDelayLength + 1); // operating_parameters_info()
                }
                if (initialDisplayDelay && r.flag()) {
                    r.skip(4);
                }
            }
        }
        int widthBits = r.u(4) + 1;
        int heightBits = r.u(4) + 1;
        long width = r.bits(widthBits) + 1;
        long height = r.bits(heightBits) + 1;
        return new Av1SequenceHeader(profile, still, level0, tier0, (int) width, (int) height, fps);
    }
}
