package dev.vireo.media.hevc;

import dev.vireo.media.MediaFormatException;
import dev.vireo.media.bits.BitReader;
import dev.vireo.media.nal.NalUnits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;

/**
 * HEVCDecoderConfigurationRecord, ISO/IEC 14496-15 §8.3.3.1 (the "hvcC" of MP4 and the payload
 * of an enhanced RTMP HEVC SequenceStart / H265 config {@code MediaFrame}).
 *
 * @param avgFrameRate frames per 256 seconds, 0 when unspecified
 * @param lengthSize   NAL unit length size in bytes
 * @param arrays       the NAL unit arrays (VPS, SPS, PPS, SEI)
 */
public record HevcDecoderConfigurationRecord(int profileSpace, boolean highTier, int profileIdc,
                                             long profileCompatibilityFlags, long constraintIndicatorFlags,
                                             int levelIdc, int minSpatialSegmentationIdc, int parallelismType,
                                             int chromaFormatIdc, int bitDepthLuma, int bitDepthChroma,
                                             int avgFrameRate, int constantFrameRate, int numTemporalLayers,
                                             boolean temporalIdNested, int lengthSize, List<NalArray> arrays) {

    /** One array of NAL units of one type. */
    public record NalArray(boolean complete, int nalUnitType, List<byte[]> nalUnits) {
        public NalArray {
            nalUnits = List.copyOf(nalUnits);
        }
    }

    /** Bounds the NAL units listed in one record. */
    static final int MAX_NAL_UNITS = 256;

    public HevcDecoderConfigurationRecord {
        arrays = List.copyOf(arrays);
    }

    /** The first NAL unit of {@code type} (e.g. 33 = SPS), or null. */
    public byte[] first(int type) {
        for (NalArray a : arrays) {
            if (a.nalUnitType() == type && !a.nalUnits().isEmpty()) {
                return a.nalUnits().get(0);
            }
        }
        return null;
    }

    /** Parses the record at the reader index of {@code in} without moving it. */
    public static HevcDecoderConfigurationRecord parse(ByteBuf in) {
        ByteBuf b = in.slice();
        need(b, 23);
        int version = b.readUnsignedByte();
        if (version != 1) {
            throw new MediaFormatException("unsupported HEVCDecoderConfigurationRecord version " + version);
        }
        int p = b.readUnsignedByte();
        long compat = b.readUnsignedInt();
        long constraints = ((long) b.readUnsignedShort() << 32) | b.readUnsignedInt();
        int level = b.readUnsignedByte();
        int minSpatialSegmentation = b.readUnsignedShort() & 0x0FFF;
        int parallelism = b.readUnsignedByte() & 0x03;
        int chroma = b.readUnsignedByte() & 0x03;
        int depthLuma = (b.readUnsignedByte() & 0x07) + 8;
        int depthChroma = (b.readUnsignedByte() & 0x07) + 8;
        int avgFrameRate = b.readUnsignedShort();
        int flags = b.readUnsignedByte();
        int lengthSize = (flags & 0x03) + 1;
        if (lengthSize == 3) {
            throw new MediaFormatException("invalid HEVC NAL length size 3");
        }
        int numArrays = b.readUnsignedByte();
        List<NalArray> arrays = new ArrayList<>(Math.min(numArrays, 8));
        int total = 0;
        for (int i = 0; i < numArrays; i++) {
            need(b, 3);
            int t = b.readUnsignedByte();
            int numNalus = b.readUnsignedShort();
            total += numNalus;
            if (total > MAX_NAL_UNITS) {
                throw new MediaFormatException("more than " + MAX_NAL_UNITS + " NAL units in HEVCDecoderConfigurationRecord");
            }
            List<byte[]> nalus = new ArrayList<>(Math.min(numNalus, 4));
            for (int j = 0; j < numNalus; j++) {
                need(b, 2);
                int len = b.readUnsignedShort();
                need(b, len);
                byte[] nal = new byte[len];
                b.readBytes(nal);
                nalus.add(nal);
            }
            arrays.add(new NalArray((t & 0x80) != 0, t & 0x3F, nalus));
        }
        return new HevcDecoderConfigurationRecord(p >>> 6, (p & 0x20) != 0, p & 0x1F, compat, constraints, level,
                minSpatialSegmentation, parallelism, chroma, depthLuma, depthChroma, avgFrameRate, flags >>> 6,
                (flags >>> 3) & 0x07, (flags & 0x04) != 0, lengthSize, arrays);
    }

    private static void need(ByteBuf b, int n) {
        if (b.readableBytes() < n) {
            throw new MediaFormatException("truncated HEVCDecoderConfigurationRecord");
        }
    }

    /**
     * A record for one VPS, SPS and PPS with 4-byte NAL lengths, as built from an Annex B stream
     * (SRT/TS or RTP ingest): the general profile_tier_level is copied from the SPS (§8.3.3.1.2
     * says the record's fields match it), chroma format and bit depths come from the SPS.
     */
    public static HevcDecoderConfigurationRecord of(byte[] vps, byte[] sps, byte[] pps) {
        HevcSps s = HevcSps.parse(sps);
        byte[] rbsp = NalUnits.unescape(Unpooled.wrappedBuffer(sps), HevcSps.MAX_SPS_BYTES);
        BitReader r = new BitReader(rbsp, "H.265 SPS");
        r.skip(16 + 4); // NAL header, sps_video_parameter_set_id
        int maxSubLayersMinus1 = r.u(3);
        boolean nesting = r.flag();
        r.skip(8 + 32); // profile space/tier/idc, compatibility flags
        long constraints = r.bits(16) << 32 | r.bits(32);
        return new HevcDecoderConfigurationRecord(s.profileSpace(), s.highTier(), s.profileIdc(),
                s.profileCompatibilityFlags(), constraints, s.levelIdc(), 0, 0, s.chromaFormatIdc(),
                s.bitDepthLuma(), s.bitDepthChroma(), 0, 0, maxSubLayersMinus1 + 1, nesting, 4, List.of(
                        new NalArray(true, NalUnits.H265_VPS, List.of(vps)),
                        new NalArray(true, NalUnits.H265_SPS, List.of(sps)),
                        new NalArray(true, NalUnits.H265_PPS, List.of(pps))));
    }

    /** Writes the record (§8.3.3.1.1), reserved bits set to 1 as the syntax requires. */
    public void write(ByteBuf out) {
        out.writeByte(1);
        out.writeByte((profileSpace << 6) | (highTier ? 0x20 : 0) | profileIdc);
        out.writeInt((int) profileCompatibilityFlags);
        out.writeShort((int) (constraintIndicatorFlags >>> 32));
        out.writeInt((int) constraintIndicatorFlags);
        out.writeByte(levelIdc);
        out.writeShort(0xF000 | minSpatialSegmentationIdc);
        out.writeByte(0xFC | parallelismType);
        out.writeByte(0xFC | chromaFormatIdc);
        out.writeByte(0xF8 | (bitDepthLuma - 8));
        out.writeByte(0xF8 | (bitDepthChroma - 8));
        out.writeShort(avgFrameRate);
        out.writeByte((constantFrameRate << 6) | (numTemporalLayers << 3) | (temporalIdNested ? 4 : 0)
                | (lengthSize - 1));
        out.writeByte(arrays.size());
        for (NalArray a : arrays) {
            out.writeByte((a.complete() ? 0x80 : 0) | a.nalUnitType());
            out.writeShort(a.nalUnits().size());
            for (byte[] nal : a.nalUnits()) {
                out.writeShort(nal.length).writeBytes(nal);
            }
        }
    }
}
