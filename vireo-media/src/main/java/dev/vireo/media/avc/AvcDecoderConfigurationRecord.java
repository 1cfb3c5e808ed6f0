package dev.vireo.media.avc;

import dev.vireo.media.MediaFormatException;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * AVCDecoderConfigurationRecord, ISO/IEC 14496-15 §5.3.3.1 (the "avcC" of MP4, the payload of
 * an FLV AVC sequence header and of an H264 config {@code MediaFrame}).
 *
 * @param profileIndication    AVCProfileIndication (profile_idc of the SPS)
 * @param profileCompatibility profile_compatibility (the constraint flags byte)
 * @param levelIndication      AVCLevelIndication
 * @param lengthSize           NAL unit length size in bytes (lengthSizeMinusOne + 1)
 * @param sps                  sequence parameter set NAL units
 * @param pps                  picture parameter set NAL units
 */
public record AvcDecoderConfigurationRecord(int profileIndication, int profileCompatibility, int levelIndication,
                                            int lengthSize, List<byte[]> sps, List<byte[]> pps) {

    public AvcDecoderConfigurationRecord {
        sps = List.copyOf(sps);
        pps = List.copyOf(pps);
    }

    /** Parses the record at the reader index of {@code in} without moving it. */
    public static AvcDecoderConfigurationRecord parse(ByteBuf in) {
        ByteBuf b = in.slice();
        need(b, 6);
        int version = b.readUnsignedByte();
        if (version != 1) {
            throw new MediaFormatException("unsupported AVCDecoderConfigurationRecord version " + version);
        }
        int profile = b.readUnsignedByte();
        int compat = b.readUnsignedByte();
        int level = b.readUnsignedByte();
        int lengthSize = (b.readUnsignedByte() & 0x03) + 1;
        if (lengthSize == 3) {
            throw new MediaFormatException("invalid AVC NAL length size 3");
        }
        int numSps = b.readUnsignedByte() & 0x1F;
        List<byte[]> sps = nalUnits(b, numSps, "SPS");
        need(b, 1);
        int numPps = b.readUnsignedByte();
        List<byte[]> pps = nalUnits(b, numPps, "PPS");
        // High profile extensions (chroma_format, bit depths, SPS extensions) may follow; the
        // SPS says the same, so they are not needed here.
        return new AvcDecoderConfigurationRecord(profile, compat, level, lengthSize, sps, pps);
    }

    private static List<byte[]> nalUnits(ByteBuf b, int count, String what) {
        List<byte[]> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            need(b, 2);
            int len = b.readUnsignedShort();
            need(b, len);
            if (len == 0) {
                throw new MediaFormatException("empty " + what + " in AVCDecoderConfigurationRecord");
            }
            byte[] nal = new byte[len];
            b.readBytes(nal);
            out.add(nal);
        }
        return out;
    }

    private static void need(ByteBuf b, int n) {
        if (b.readableBytes() < n) {
            throw new MediaFormatException("truncated AVCDecoderConfigurationRecord");
        }
    }

    /**
     * A record for one SPS and PPS with 4-byte NAL lengths, as built from an Annex B stream (SRT/TS
     * or RTP ingest). Profile, compatibility and level are copied from the SPS, and the
     * high-profile extension fields are written for the profiles that require them.
     */
    public static AvcDecoderConfigurationRecord of(byte[] sps, byte[] pps) {
        if (sps.length < 4) {
            throw new MediaFormatException("SPS too short");
        }
        return new AvcDecoderConfigurationRecord(sps[1] & 0xFF, sps[2] & 0xFF, sps[3] & 0xFF, 4,
                List.of(sps), List.of(pps));
    }

    /** Writes the record (§5.3.3.1), including the high-profile extension when the SPS asks for it. */
    public void write(ByteBuf out) {
        out.writeByte(1);
        out.writeByte(profileIndication);
        out.writeByte(profileCompatibility);
        out.writeByte(levelIndication);
        out.writeByte(0xFC | (lengthSize - 1));
        out.writeByte(0xE0 | sps.size());
        for (byte[] s : sps) {
            out.writeShort(s.length).writeBytes(s);
        }
        out.writeByte(pps.size());
        for (byte[] p : pps) {
            out.writeShort(p.length).writeBytes(p);
        }
        if (AvcSps.hasChromaInfo(profileIndication) && !sps.isEmpty()) {
            AvcSps s = AvcSps.parse(sps.get(0));
            out.writeByte(0xFC | s.chromaFormatIdc());
            out.writeByte(0xF8 | (s.bitDepthLuma() - 8));
            out.writeByte(0xF8 | (s.bitDepthChroma() - 8));
            out.writeByte(0); // numOfSequenceParameterSetExt
        }
    }
}
