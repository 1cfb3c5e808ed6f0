package dev.vireo.media.flv;

import dev.vireo.media.Codec;
import dev.vireo.media.UnsupportedCodecException;
import io.netty.buffer.ByteBuf;

/**
 * A parsed FLV audio tag body (the payload of an RTMP audio message), legacy or enhanced RTMP.
 * An empty body is the RTMP "silence" message (enhanced RTMP v2, AudioPacketType notes) and has
 * no header at all: check for it before parsing.
 *
 * @param codec   the codec
 * @param kind    CONFIG (AudioSpecificConfig, OpusHead), CODED, END_OF_SEQUENCE or METADATA
 *                (enhanced MultichannelConfig)
 * @param enhanced whether the body used the enhanced RTMP ExAudioTagHeader
 * @param soundFlags legacy SoundRate/SoundSize/SoundType bits (low nibble of the first byte), 0
 *                when enhanced
 * @param timestampNanoOffset enhanced RTMP v2 ModEx TimestampOffsetNano, else 0
 * @param payload the bytes after the header; a slice sharing the body's memory, not retained
 */
public record FlvAudioPacket(Codec codec, FlvPacketKind kind, boolean enhanced, int soundFlags,
                             int timestampNanoOffset, ByteBuf payload) {

    // FLV v10.1 §E.4.2.1 AudioTagHeader SoundFormat
    static final int FORMAT_MP3 = 2;
    static final int FORMAT_EX_HEADER = 9;
    static final int FORMAT_AAC = 10;
    static final int FORMAT_MP3_8K = 14;

    // enhanced RTMP v2 AudioPacketType
    static final int SEQUENCE_START = 0;
    static final int CODED_FRAMES = 1;
    static final int SEQUENCE_END = 2;
    static final int MULTICHANNEL_CONFIG = 4;
    static final int MULTITRACK = 5;
    static final int MOD_EX = 7;

    /**
     * Parses the body from its reader index to its writer index, without moving either.
     *
     * @throws UnsupportedCodecException for a well-formed body of a codec Vireo does not carry
     * @throws FlvException              for anything malformed (including an empty body)
     */
    public static FlvAudioPacket parse(ByteBuf body) {
        ByteBuf b = body.slice();
        ExHeader.need(b, 1, "audio tag header");
        int b0 = b.readUnsignedByte();
        int format = b0 >>> 4;
        return switch (format) {
            case FORMAT_AAC -> {
                // FLV §E.4.2.2 AACAUDIODATA: AACPacketType UI8 (0 sequence header, 1 raw)
                ExHeader.need(b, 1, "AACPacketType");
                int packetType = b.readUnsignedByte();
                FlvPacketKind kind = switch (packetType) {
                    case 0 -> FlvPacketKind.CONFIG;
                    case 1 -> FlvPacketKind.CODED;
                    default -> throw new FlvException("invalid AACPacketType " + packetType);
                };
                yield new FlvAudioPacket(Codec.AAC, kind, false, b0 & 0x0F, 0, b.slice());
            }
            case FORMAT_MP3, FORMAT_MP3_8K ->
                    new FlvAudioPacket(Codec.MP3, FlvPacketKind.CODED, false, b0 & 0x0F, 0, b.slice());
            case FORMAT_EX_HEADER -> enhanced(b, b0);
            case 12, 13 -> throw new FlvException("reserved FLV sound format " + format);
            default -> throw new UnsupportedCodecException("FLV sound format " + format + " ("
                    + legacyName(format) + ") is not supported");
        };
    }

    private static FlvAudioPacket enhanced(ByteBuf b, int b0) {
        long modEx = ExHeader.modEx(b, b0 & 0x0F, MOD_EX);
        ExHeader.Track track = ExHeader.track(b, (int) modEx, (int) (modEx >>> 32), MULTITRACK, MOD_EX, "audio");
        Codec codec = codec(track.fourCc());
        FlvPacketKind kind = switch (track.packetType()) {
            case SEQUENCE_START -> FlvPacketKind.CONFIG;
            case CODED_FRAMES -> FlvPacketKind.CODED;
            case SEQUENCE_END -> FlvPacketKind.END_OF_SEQUENCE;
            case MULTICHANNEL_CONFIG -> FlvPacketKind.METADATA;
            default -> throw new FlvException("reserved AudioPacketType " + track.packetType());
        };
        return new FlvAudioPacket(codec, kind, true, 0, track.timestampNanoOffset(), track.data().slice());
    }

    private static Codec codec(int fourCc) {
        if (fourCc == FourCc.OPUS) {
            return Codec.OPUS;
        } else if (fourCc == FourCc.MP4A) {
            return Codec.AAC;
        } else if (fourCc == FourCc.MP3) {
            return Codec.MP3;
        } else if (fourCc == FourCc.FLAC || fourCc == FourCc.AC3 || fourCc == FourCc.EAC3) {
            throw new UnsupportedCodecException("audio FOURCC " + FourCc.toString(fourCc) + " is not supported");
        }
        throw new FlvException("unknown audio FOURCC " + FourCc.toString(fourCc));
    }

    private static String legacyName(int format) {
        return switch (format) {
            case 0 -> "linear PCM, platform endian";
            case 1 -> "ADPCM";
            case 3 -> "linear PCM, little endian";
            case 4, 5, 6 -> "Nellymoser";
            case 7 -> "G.711 A-law";
            case 8 -> "G.711 mu-law";
            case 11 -> "Speex";
            default -> "device-specific";
        };
    }
}
