package dev.vireo.media.mp4;

import dev.vireo.media.Codec;
import dev.vireo.media.aac.AudioSpecificConfig;
import dev.vireo.media.av1.Av1CodecConfigurationRecord;
import dev.vireo.media.avc.AvcDecoderConfigurationRecord;
import dev.vireo.media.hevc.HevcDecoderConfigurationRecord;
import io.netty.buffer.ByteBuf;
import java.util.Locale;

/**
 * The RFC 6381 {@code codecs} parameter of a track from its decoder configuration, as HLS's
 * {@code CODECS} attribute wants it (RFC 8216 §4.3.4.2). Pure.
 */
public final class CodecString {

    private CodecString() {
    }

    /**
     * The codec string of {@code codec} described by {@code config} (not consumed), or null when
     * the configuration cannot be read.
     */
    public static String of(Codec codec, ByteBuf config) {
        try {
            return switch (codec) {
                case H264 -> avc(AvcDecoderConfigurationRecord.parse(config.duplicate()));
                case H265 -> hevc(HevcDecoderConfigurationRecord.parse(config.duplicate()));
                case AV1 -> av1(Av1CodecConfigurationRecord.parse(config.duplicate()));
                case AAC -> "mp4a.40." + AudioSpecificConfig.parse(config.duplicate()).objectType();
                case OPUS -> "opus";
                default -> null;
            };
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** RFC 6381 §3.3: avc1.PPCCLL, profile_idc, constraint flags and level_idc in hex. */
    static String avc(AvcDecoderConfigurationRecord r) {
        return String.format(Locale.ROOT, "avc1.%02x%02x%02x", r.profileIndication(), r.profileCompatibility(),
                r.levelIndication());
    }

    /**
     * ISO/IEC 14496-15 Annex E.3: hvc1.[space]profile.compatibility(bit-reversed, hex).tier+level
     * [.constraint bytes, trailing zero bytes left out].
     */
    static String hevc(HevcDecoderConfigurationRecord r) {
        StringBuilder b = new StringBuilder("hvc1.");
        if (r.profileSpace() > 0) {
            b.append((char) ('A' + r.profileSpace() - 1));
        }
        b.append(r.profileIdc()).append('.');
        b.append(Long.toHexString(Long.reverse(r.profileCompatibilityFlags() << 32) & 0xFFFFFFFFL).toUpperCase(Locale.ROOT));
        b.append('.').append(r.highTier() ? 'H' : 'L').append(r.levelIdc());
        long c = r.constraintIndicatorFlags(); // 48 bits
        int bytes = 6;
        while (bytes > 0 && ((c >>> (8 * (6 - bytes))) & 0xFF) == 0) {
            bytes--;
        }
        for (int i = 0; i < bytes; i++) {
            b.append('.').append(Long.toHexString((c >>> (8 * (5 - i))) & 0xFF).toUpperCase(Locale.ROOT));
        }
        return b.toString();
    }

    /** AV1 Codec ISOBMFF Binding §5: av01.P.LLT.DD. */
    static String av1(Av1CodecConfigurationRecord r) {
        int depth = r.highBitdepth() ? (r.twelveBit() ? 12 : 10) : 8;
        return String.format(Locale.ROOT, "av01.%d.%02d%s.%02d", r.seqProfile(), r.seqLevelIdx0(),
                r.seqTier0() == 0 ? "M" : "H", depth);
    }
}
