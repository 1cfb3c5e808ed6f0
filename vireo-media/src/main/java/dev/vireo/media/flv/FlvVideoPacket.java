package dev.vireo.media.flv;

import dev.vireo.media.Codec;
import dev.vireo.media.UnsupportedCodecException;
import io.netty.buffer.ByteBuf;

/**
 * A parsed FLV video tag body (the payload of an RTMP video message), legacy or enhanced RTMP.
 *
 * @param codec            the codec; {@code null} only for a {@link FlvPacketKind#COMMAND}
 *                         packet, which names none in enhanced RTMP
 * @param frameType        FLV frame type (for enhanced Metadata packets, where the spec says
 *                         it is ignored, {@link FlvFrameType#INTER} unless the wire says key)
 * @param kind             what the packet carries
 * @param compositionTime  pts - dts in ms (SI24; 0 for CodedFramesX, AV1 and configs)
 * @param enhanced         whether the body used the enhanced RTMP ExVideoTagHeader
 * @param timestampNanoOffset enhanced RTMP v2 ModEx TimestampOffsetNano, else 0
 * @param payload          the bytes after the header: a configuration record, coded frames,
 *                         AMF metadata or the command byte. A slice sharing the body's memory,
 *                         not retained: valid while the body is.
 */
public record FlvVideoPacket(Codec codec, FlvFrameType frameType, FlvPacketKind kind, int compositionTime,
                             boolean enhanced, int timestampNanoOffset, ByteBuf payload) {

    // FLV v10.1 §E.4.3.1 VideoTagHeader CodecID
    static final int CODEC_AVC = 7;
    /** HEVC under CodecID 12: the pre-enhanced-RTMP extension used by Chinese CDNs and SRS. */
    static final int CODEC_HEVC = 12;

    // enhanced RTMP VideoPacketType
    static final int SEQUENCE_START = 0;
    static final int CODED_FRAMES = 1;
    static final int SEQUENCE_END = 2;
    static final int CODED_FRAMES_X = 3;
    static final int METADATA = 4;
    static final int MPEG2TS_SEQUENCE_START = 5;
    static final int MULTITRACK = 6;
    static final int MOD_EX = 7;

    public boolean isKeyframe() {
        return frameType.isKeyframe();
    }

    /**
     * Parses the body from its reader index to its writer index, without moving either.
     *
     * @throws UnsupportedCodecException for a well-formed body of a codec Vireo does not carry
     * @throws FlvException              for anything malformed
     */
    public static FlvVideoPacket parse(ByteBuf body) {
        ByteBuf b = body.slice();
        ExHeader.need(b, 1, "video tag header");
        int b0 = b.readUnsignedByte();
        return (b0 & 0x80) == 0 ? legacy(b, b0) : enhanced(b, b0);
    }

    private static FlvVideoPacket legacy(ByteBuf b, int b0) {
        FlvFrameType frameType = FlvFrameType.of(b0 >>> 4);
        int codecId = b0 & 0x0F;
        Codec codec = switch (codecId) {
            case CODEC_AVC -> Codec.H264;
            case CODEC_HEVC -> Codec.H265;
            case 2 -> throw new UnsupportedCodecException("FLV video codec Sorenson H.263 (2) is not supported");
            case 3, 6 -> throw new UnsupportedCodecException("FLV video codec Screen Video (" + codecId + ") is not supported");
            case 4, 5 -> throw new UnsupportedCodecException("FLV video codec On2 VP6 (" + codecId + ") is not supported");
            default -> throw new FlvException("reserved FLV video codec id " + codecId);
        };
        if (frameType == FlvFrameType.COMMAND) {
            // FLV §E.4.3.1: a video info/command frame carries one UI8 instead of video data
            ExHeader.need(b, 1, "video command");
            return new FlvVideoPacket(codec, frameType, FlvPacketKind.COMMAND, 0, false, 0, b.slice());
        }
        // FLV §E.4.3.1 AVCVIDEOPACKET header: AVCPacketType UI8, CompositionTime SI24
        ExHeader.need(b, 4, "AVC video packet header");
        int packetType = b.readUnsignedByte();
        int cts = b.readMedium();
        FlvPacketKind kind = switch (packetType) {
            case 0 -> FlvPacketKind.CONFIG;
            case 1 -> FlvPacketKind.CODED;
            case 2 -> FlvPacketKind.END_OF_SEQUENCE;
            default -> throw new FlvException("invalid AVCPacketType " + packetType);
        };
        return new FlvVideoPacket(codec, frameType, kind, kind == FlvPacketKind.CODED ? cts : 0, false, 0, b.slice());
    }

    private static FlvVideoPacket enhanced(ByteBuf b, int b0) {
        int rawFrameType = (b0 >>> 4) & 0x07;
        long modEx = ExHeader.modEx(b, b0 & 0x0F, MOD_EX);
        int packetType = (int) modEx;
        int nano = (int) (modEx >>> 32);
        if (packetType != METADATA && rawFrameType == FlvFrameType.COMMAND.value()) {
            // enhanced RTMP v2: videoCommand UI8 follows directly; no FOURCC, no body
            ExHeader.need(b, 1, "video command");
            return new FlvVideoPacket(null, FlvFrameType.COMMAND, FlvPacketKind.COMMAND, 0, true, nano, b.slice());
        }
        FlvFrameType frameType = packetType == METADATA
                ? (rawFrameType == 1 ? FlvFrameType.KEY : FlvFrameType.INTER)
                : FlvFrameType.of(rawFrameType);
        ExHeader.Track track = ExHeader.track(b, packetType, nano, MULTITRACK, MOD_EX, "video");
        Codec codec = codec(track.fourCc());
        ByteBuf data = track.data();
        int cts = 0;
        FlvPacketKind kind;
        switch (track.packetType()) {
            case SEQUENCE_START -> kind = FlvPacketKind.CONFIG;
            case CODED_FRAMES -> {
                kind = FlvPacketKind.CODED;
                // enhanced RTMP v1 ExVideoTagBody: only AVC and HEVC CodedFrames carry SI24 CTS
                if (codec == Codec.H264 || codec == Codec.H265) {
                    cts = ExHeader.si24(data, "composition time");
                }
            }
            case CODED_FRAMES_X -> kind = FlvPacketKind.CODED;
            case SEQUENCE_END -> kind = FlvPacketKind.END_OF_SEQUENCE;
            case METADATA, MPEG2TS_SEQUENCE_START -> kind = FlvPacketKind.METADATA;
            default -> throw new FlvException("reserved VideoPacketType " + track.packetType());
        }
        return new FlvVideoPacket(codec, frameType, kind, cts, true, track.timestampNanoOffset(), data.slice());
    }

    private static Codec codec(int fourCc) {
        if (fourCc == FourCc.AVC1) {
            return Codec.H264;
        } else if (fourCc == FourCc.HVC1) {
            return Codec.H265;
        } else if (fourCc == FourCc.AV01) {
            return Codec.AV1;
        } else if (fourCc == FourCc.VP09 || fourCc == FourCc.VP08) {
            throw new UnsupportedCodecException("video FOURCC " + FourCc.toString(fourCc) + " is not supported");
        }
        throw new FlvException("unknown video FOURCC " + FourCc.toString(fourCc));
    }
}
