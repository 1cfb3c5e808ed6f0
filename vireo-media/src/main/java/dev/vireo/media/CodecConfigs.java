package dev.vireo.media;

import dev.vireo.media.aac.AudioSpecificConfig;
import dev.vireo.media.av1.Av1CodecConfigurationRecord;
import dev.vireo.media.av1.Av1SequenceHeader;
import dev.vireo.media.avc.AvcDecoderConfigurationRecord;
import dev.vireo.media.avc.AvcSps;
import dev.vireo.media.hevc.HevcDecoderConfigurationRecord;
import dev.vireo.media.hevc.HevcSps;
import dev.vireo.media.nal.NalUnits;
import dev.vireo.media.opus.OpusHead;
import io.netty.buffer.ByteBuf;
import java.util.Optional;

/** One entry point from a codec configuration (the payload of a config frame) to a {@link TrackInfo}. */
public final class CodecConfigs {

    private CodecConfigs() {
    }

    /**
     * Describes the track a configuration record belongs to: avcC for H264, hvcC for H265, av1C
     * for AV1, AudioSpecificConfig for AAC, OpusHead for OPUS. Empty for garbage, for codecs
     * without a configuration (MP3, data) and for a null config; never throws on bad bytes. The
     * buffer's indices are not moved.
     */
    public static Optional<TrackInfo> describe(Codec codec, ByteBuf config) {
        if (codec == null || config == null || !config.isReadable()) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(switch (codec) {
                case H264 -> avc(config);
                case H265 -> hevc(config);
                case AV1 -> av1(config);
                case AAC -> {
                    AudioSpecificConfig asc = AudioSpecificConfig.parse(config);
                    yield new TrackInfo(codec, 0, 0, asc.profileName(), "", 0, asc.outputSampleRate(), asc.channels());
                }
                case OPUS -> {
                    OpusHead head = OpusHead.parse(config);
                    yield new TrackInfo(codec, 0, 0, "", "", 0, OpusHead.DECODE_RATE, head.channels());
                }
                case MP3, AMF_DATA -> null;
            });
        } catch (MediaFormatException e) {
            return Optional.empty();
        }
    }

    private static TrackInfo avc(ByteBuf config) {
        AvcDecoderConfigurationRecord rec = AvcDecoderConfigurationRecord.parse(config);
        if (rec.sps().isEmpty()) {
            throw new MediaFormatException("avcC without SPS");
        }
        AvcSps sps = AvcSps.parse(rec.sps().get(0));
        return new TrackInfo(Codec.H264, sps.width(), sps.height(), sps.profileName(), sps.levelName(), sps.fps(), 0, 0);
    }

    private static TrackInfo hevc(ByteBuf config) {
        HevcDecoderConfigurationRecord rec = HevcDecoderConfigurationRecord.parse(config);
        byte[] spsNal = rec.first(NalUnits.H265_SPS);
        if (spsNal == null) {
            throw new MediaFormatException("hvcC without SPS");
        }
        HevcSps sps = HevcSps.parse(spsNal);
        // hvcC avgFrameRate is in frames per 256 s (§8.3.3.1.2)
        double fps = rec.avgFrameRate() / 256.0;
        return new TrackInfo(Codec.H265, sps.width(), sps.height(), sps.profileName(), sps.levelName(), fps, 0, 0);
    }

    private static TrackInfo av1(ByteBuf config) {
        Av1CodecConfigurationRecord rec = Av1CodecConfigurationRecord.parse(config);
        Av1SequenceHeader seq = Av1SequenceHeader.find(rec.configObus());
        String level = Av1CodecConfigurationRecord.levelName(seq.seqLevelIdx0()) + (seq.seqTier0() == 1 ? " High tier" : "");
        return new TrackInfo(Codec.AV1, seq.maxFrameWidth(), seq.maxFrameHeight(),
                Av1CodecConfigurationRecord.profileName(seq.seqProfile()), level, seq.fps(), 0, 0);
    }
}
