package dev.vireo.media.av1;

import dev.vireo.media.MediaFormatException;
import io.netty.buffer.ByteBuf;

/**
 * AV1CodecConfigurationRecord ("av1C", AV1 Codec ISO Media File Format Binding §2.3.3), the
 * payload of an enhanced RTMP AV1 SequenceStart / AV1 config {@code MediaFrame}.
 *
 * @param configObus the configOBUs that follow the 4 fixed bytes (usually the sequence header
 *                   OBU), a slice of the parsed buffer, not retained
 */
public record Av1CodecConfigurationRecord(int seqProfile, int seqLevelIdx0, int seqTier0, boolean highBitdepth,
                                          boolean twelveBit, boolean monochrome, int chromaSubsamplingX,
                                          int chromaSubsamplingY, ByteBuf configObus) {

    /** Parses the record at the reader index of {@code in} without moving it. */
    public static Av1CodecConfigurationRecord parse(ByteBuf in) {
        if (in.readableBytes() < 4) {
            throw new MediaFormatException("truncated AV1CodecConfigurationRecord");
        }
        int i = in.readerIndex();
        int b0 = in.getUnsignedByte(i);
        if (b0 != 0x81) { // marker 1, version 1
            throw new MediaFormatException("bad AV1CodecConfigurationRecord marker/version 0x" + Integer.toHexString(b0));
        }
        int b1 = in.getUnsignedByte(i + 1);
        int b2 = in.getUnsignedByte(i + 2);
        return new Av1CodecConfigurationRecord(b1 >>> 5, b1 & 0x1F, b2 >>> 7, (b2 & 0x40) != 0, (b2 & 0x20) != 0,
                (b2 & 0x10) != 0, (b2 >>> 3) & 1, (b2 >>> 2) & 1, in.slice(i + 4, in.readableBytes() - 4));
    }

    /** Profile name (AV1 §6.4.1 seq_profile: 0 Main, 1 High, 2 Professional). */
    public static String profileName(int seqProfile) {
        return switch (seqProfile) {
            case 0 -> "Main";
            case 1 -> "High";
            case 2 -> "Professional";
            default -> "profile " + seqProfile;
        };
    }

    /** Level name (AV1 Annex A.3: seq_level_idx = (X - 2) * 4 + Y; 31 = no level constraint). */
    public static String levelName(int seqLevelIdx) {
        if (seqLevelIdx == 31) {
            return "max";
        }
        return (2 + (seqLevelIdx >> 2)) + "." + (seqLevelIdx & 3);
    }
}
