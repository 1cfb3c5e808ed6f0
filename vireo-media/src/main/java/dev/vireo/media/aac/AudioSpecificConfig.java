package dev.vireo.media.aac;

import dev.vireo.media.MediaFormatException;
import dev.vireo.media.bits.BitReader;
import io.netty.buffer.ByteBuf;

/**
 * AudioSpecificConfig, ISO/IEC 14496-3 §1.6.2.1: the payload of an FLV AAC sequence header and
 * of an AAC config {@code MediaFrame}.
 *
 * @param objectType          audioObjectType of the core coder (2 = AAC LC), after SBR/PS
 *                            hierarchical signalling (§1.6.5.2) has been resolved
 * @param samplingIndex       samplingFrequencyIndex, 15 when explicit
 * @param sampleRate          core sampling frequency in Hz
 * @param channelConfiguration channelConfiguration (0 = defined by a program_config_element)
 * @param channels            channels the decoder outputs (PS: 2)
 * @param sbr                 spectral band replication present (HE-AAC), explicitly signalled
 * @param ps                  parametric stereo present (HE-AAC v2), explicitly signalled
 * @param outputSampleRate    sampling frequency of the decoded output (SBR doubles it)
 */
public record AudioSpecificConfig(int objectType, int samplingIndex, int sampleRate, int channelConfiguration,
                                  int channels, boolean sbr, boolean ps, int outputSampleRate) {

    /** Table 1.18 samplingFrequencyIndex. */
    static final int[] SAMPLING_FREQUENCIES = {
        96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350};

    static final int AOT_AAC_LC = 2;
    static final int AOT_SBR = 5;
    static final int AOT_ER_BSAC = 22;
    static final int AOT_PS = 29;

    /** Parses the config at the reader index of {@code in} without moving it. */
    public static AudioSpecificConfig parse(ByteBuf in) {
        int n = Math.min(in.readableBytes(), 1024); // a config is a few bytes; a PCE comment at most 255 more
        byte[] bytes = new byte[n];
        in.getBytes(in.readerIndex(), bytes);
        BitReader r = new BitReader(bytes, "AudioSpecificConfig");
        int aot = objectType(r);
        int sfi = r.u(4);
        int rate = rate(r, sfi);
        int channelConfig = r.u(4);
        boolean sbr = false;
        boolean ps = false;
        int extRate = 0;
        int extensionAot = 0;
        if (aot == AOT_SBR || aot == AOT_PS) {
            // explicit hierarchical signalling: the core follows the extension
            extensionAot = AOT_SBR;
            sbr = true;
            ps = aot == AOT_PS;
            extRate = rate(r, r.u(4));
            aot = objectType(r);
            if (aot == AOT_ER_BSAC) {
                r.skip(4); // extensionChannelConfiguration
            }
        }
        int channels = switch (aot) {
            case 1, 2, 3, 4, 6, 7, 17, 19, 20, 21, 22, 23 -> gaSpecificConfig(r, aot, channelConfig);
            default -> channelsOf(channelConfig);
        };
        // backward-compatible explicit signalling (§1.6.5.2): sync extension after the core config
        if (extensionAot != AOT_SBR && isGa(aot) && r.bitsLeft() >= 16) {
            if (r.u(11) == 0x2B7) {
                int ext = objectType(r);
                if (ext == AOT_SBR) {
                    sbr = r.flag();
                    if (sbr) {
                        extRate = rate(r, r.u(4));
                        if (r.bitsLeft() >= 12 && r.u(11) == 0x548) {
                            ps = r.flag();
                        }
                    }
                }
            }
        }
        if (rate <= 0) {
            throw new MediaFormatException("AudioSpecificConfig sampling frequency " + rate);
        }
        int outRate = sbr ? (extRate > 0 ? extRate : rate * 2) : rate;
        return new AudioSpecificConfig(aot, sfi, rate, channelConfig, ps ? 2 : channels, sbr, ps, outRate);
    }

    private static boolean isGa(int aot) {
        return switch (aot) {
            case 1, 2, 3, 4, 6, 7, 17, 19, 20, 21, 22, 23 -> true;
            default -> false;
        };
    }

    /** GetAudioObjectType() §1.6.2.1: 5 bits, 31 escapes to 32 + 6 bits. */
    private static int objectType(BitReader r) {
        int aot = r.u(5);
        return aot == 31 ? 32 + r.u(6) : aot;
    }

    private static int rate(BitReader r, int index) {
        if (index == 0x0F) {
            return r.u(24);
        }
        if (index >= SAMPLING_FREQUENCIES.length) {
            throw new MediaFormatException("reserved samplingFrequencyIndex " + index);
        }
        return SAMPLING_FREQUENCIES[index];
    }

    /** Channels of channelConfiguration, Table 1.19 (as amended: 11 = 6.1, 12 = 7.1, 13 = 22.2, 14 = 7.1 top). */
    static int channelsOf(int channelConfig) {
        return switch (channelConfig) {
            case 1, 2, 3, 4, 5, 6 -> channelConfig;
            case 7, 12, 14 -> 8;
            case 11 -> 7;
            case 13 -> 24;
            default -> 0;
        };
    }

    /** GASpecificConfig §4.4.1; returns the channel count (from the PCE when channelConfiguration is 0). */
    private static int gaSpecificConfig(BitReader r, int aot, int channelConfig) {
        r.skip(1); // frameLengthFlag
        if (r.flag()) { // dependsOnCoreCoder
            r.skip(14); // coreCoderDelay
        }
        boolean extensionFlag = r.flag();
        int channels = channelConfig == 0 ? programConfigElement(r) : channelsOf(channelConfig);
        if (aot == 6 || aot == 20) {
            r.skip(3); // layerNr
        }
        if (extensionFlag) {
            if (aot == AOT_ER_BSAC) {
                r.skip(16); // numOfSubFrame, layer_length
            }
            if (aot == 17 || aot == 19 || aot == 20 || aot == 23) {
                r.skip(3); // resilience flags
            }
            r.skip(1); // extensionFlag3
        }
        return channels;
    }

    /** program_config_element() §4.4.1.1 (Table 4.2); returns its channel count. */
    private static int programConfigElement(BitReader r) {
        r.skip(4 + 2 + 4); // element_instance_tag, object_type, sampling_frequency_index
        int front = r.u(4);
        int side = r.u(4);
        int back = r.u(4);
        int lfe = r.u(2);
        int assoc = r.u(3);
        int cc = r.u(4);
        if (r.flag()) {
            r.skip(4); // mono_mixdown_element_number
        }
        if (r.flag()) {
            r.skip(4); // stereo_mixdown_element_number
        }
        if (r.flag()) {
            r.skip(3); // matrix_mixdown_idx, pseudo_surround_enable
        }
        int channels = lfe;
        for (int i = 0; i < front + side + back; i++) {
            channels += r.flag() ? 2 : 1; // *_element_is_cpe
            r.skip(4); // *_element_tag_select
        }
        r.skip(4L * lfe + 4L * assoc + 5L * cc);
        // byte_alignment() is relative to the start of the config; comment bytes follow
        long misaligned = r.bitPosition() % 8;
        if (misaligned != 0) {
            r.skip(8 - misaligned);
        }
        r.skip(8L * r.u(8)); // comment_field_bytes
        return channels;
    }

    /** A 2-byte config for a core object type, sampling index (0..12) and channel configuration (1..7). */
    public static byte[] of(int objectType, int samplingIndex, int channelConfiguration) {
        if (objectType < 1 || objectType > 30 || samplingIndex < 0 || samplingIndex > 12
                || channelConfiguration < 0 || channelConfiguration > 15) {
            throw new IllegalArgumentException("AudioSpecificConfig " + objectType + "/" + samplingIndex + "/"
                    + channelConfiguration);
        }
        int v = (objectType << 11) | (samplingIndex << 7) | (channelConfiguration << 3);
        return new byte[] {(byte) (v >>> 8), (byte) v};
    }

    /** Profile name: AAC LC, HE-AAC (SBR), HE-AAC v2 (SBR + PS), or the object type. */
    public String profileName() {
        if (ps) {
            return "HE-AAC v2";
        }
        if (sbr) {
            return "HE-AAC";
        }
        return switch (objectType) {
            case 1 -> "AAC Main";
            case 2 -> "AAC LC";
            case 3 -> "AAC SSR";
            case 4 -> "AAC LTP";
            case 23 -> "AAC LD";
            case 39 -> "AAC ELD";
            default -> "object type " + objectType;
        };
    }
}
