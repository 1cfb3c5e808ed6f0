package dev.vireo.media.flv;

import dev.vireo.media.Codec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Writes FLV audio/video tag bodies (= RTMP audio/video message payloads). H.264, AAC and MP3 use
 * the legacy signalling every player understands; H.265, AV1 and Opus use enhanced RTMP (the
 * FOURCC forms), which is what current ffmpeg, OBS and browsers' flv.js forks read.
 *
 * <p>Header and payload are separate so that callers can size one buffer and copy the payload
 * once ({@link #videoHeaderSize}, {@link #writeVideoHeader}); {@link #video} and {@link #audio}
 * do both.
 */
public final class FlvBodyWriter {

    private FlvBodyWriter() {
    }

    /** Largest composition time an SI24 can carry. */
    static final int MAX_CTS = (1 << 23) - 1;

    public static int videoHeaderSize(Codec codec, FlvPacketKind kind, int compositionTime) {
        return switch (codec) {
            case H264 -> 5;
            case H265 -> kind == FlvPacketKind.CODED && compositionTime != 0 ? 8 : 5;
            case AV1 -> 5;
            default -> throw new IllegalArgumentException(codec + " is not a video codec");
        };
    }

    /**
     * Writes the video tag header for a packet of {@code kind} (CONFIG, CODED or
     * END_OF_SEQUENCE); the payload follows it unchanged.
     */
    public static void writeVideoHeader(ByteBuf out, Codec codec, FlvPacketKind kind, boolean keyframe,
                                        int compositionTime) {
        if (compositionTime < -MAX_CTS - 1 || compositionTime > MAX_CTS) {
            throw new IllegalArgumentException("composition time " + compositionTime + " does not fit SI24");
        }
        int frameType = kind != FlvPacketKind.CODED || keyframe ? FlvFrameType.KEY.value() : FlvFrameType.INTER.value();
        switch (codec) {
            case H264 -> {
                // FLV §E.4.3.1: FrameType | CodecID 7, AVCPacketType, SI24 CompositionTime
                int packetType = switch (kind) {
                    case CONFIG -> 0;
                    case CODED -> 1;
                    case END_OF_SEQUENCE -> 2;
                    default -> throw new IllegalArgumentException("cannot write " + kind + " for H.264");
                };
                out.writeByte((frameType << 4) | FlvVideoPacket.CODEC_AVC);
                out.writeByte(packetType);
                out.writeMedium(kind == FlvPacketKind.CODED ? compositionTime : 0);
            }
            case H265, AV1 -> {
                boolean hevc = codec == Codec.H265;
                int packetType = switch (kind) {
                    case CONFIG -> FlvVideoPacket.SEQUENCE_START;
                    // enhanced RTMP: CodedFramesX = CodedFrames with an implied CTS of 0, saving 3
                    // bytes; AV1 CodedFrames never carry a CTS
                    case CODED -> hevc && compositionTime != 0 ? FlvVideoPacket.CODED_FRAMES
                            : hevc ? FlvVideoPacket.CODED_FRAMES_X : FlvVideoPacket.CODED_FRAMES;
                    case END_OF_SEQUENCE -> FlvVideoPacket.SEQUENCE_END;
                    default -> throw new IllegalArgumentException("cannot write " + kind + " for " + codec);
                };
                out.writeByte(0x80 | (frameType << 4) | packetType);
                out.writeInt(hevc ? FourCc.HVC1 : FourCc.AV01);
                if (hevc && packetType == FlvVideoPacket.CODED_FRAMES) {
                    out.writeMedium(compositionTime);
                }
            }
            default -> throw new IllegalArgumentException(codec + " is not a video codec");
        }
    }

    public static int audioHeaderSize(Codec codec) {
        return switch (codec) {
            case AAC -> 2;
            case MP3 -> 1;
            case OPUS -> 5;
            default -> throw new IllegalArgumentException(codec + " is not an audio codec");
        };
    }

    /**
     * Writes the audio tag header for a packet of {@code kind}; {@code payload} is only looked at
     * (MP3: sample rate and channels for the legacy flags).
     */
    public static void writeAudioHeader(ByteBuf out, Codec codec, FlvPacketKind kind, ByteBuf payload) {
        switch (codec) {
            case AAC -> {
                // FLV §E.4.2.1: AAC is always written as 44 kHz, 16-bit, stereo; the
                // AudioSpecificConfig is what decoders use
                int packetType = switch (kind) {
                    case CONFIG -> 0;
                    case CODED -> 1;
                    default -> throw new IllegalArgumentException("cannot write " + kind + " for AAC");
                };
                out.writeByte((FlvAudioPacket.FORMAT_AAC << 4) | 0x0F).writeByte(packetType);
            }
            case MP3 -> {
                if (kind != FlvPacketKind.CODED) {
                    throw new IllegalArgumentException("cannot write " + kind + " for MP3");
                }
                out.writeByte((FlvAudioPacket.FORMAT_MP3 << 4) | mp3Flags(payload));
            }
            case OPUS -> {
                int packetType = switch (kind) {
                    case CONFIG -> FlvAudioPacket.SEQUENCE_START;
                    case CODED -> FlvAudioPacket.CODED_FRAMES;
                    case END_OF_SEQUENCE -> FlvAudioPacket.SEQUENCE_END;
                    default -> throw new IllegalArgumentException("cannot write " + kind + " for Opus");
                };
                out.writeByte((FlvAudioPacket.FORMAT_EX_HEADER << 4) | packetType).writeInt(FourCc.OPUS);
            }
            default -> throw new IllegalArgumentException(codec + " is not an audio codec");
        }
    }

    /** A new buffer holding the complete video tag body. */
    public static ByteBuf video(ByteBufAllocator alloc, Codec codec, FlvPacketKind kind, boolean keyframe,
                                int compositionTime, ByteBuf payload) {
        int n = payload.readableBytes();
        ByteBuf out = alloc.buffer(videoHeaderSize(codec, kind, compositionTime) + n);
        try {
            writeVideoHeader(out, codec, kind, keyframe, compositionTime);
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        return out.writeBytes(payload, payload.readerIndex(), n);
    }

    /** A new buffer holding the complete audio tag body. */
    public static ByteBuf audio(ByteBufAllocator alloc, Codec codec, FlvPacketKind kind, ByteBuf payload) {
        int n = payload.readableBytes();
        ByteBuf out = alloc.buffer(audioHeaderSize(codec) + n);
        try {
            writeAudioHeader(out, codec, kind, payload);
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        return out.writeBytes(payload, payload.readerIndex(), n);
    }

    /**
     * Legacy SoundRate/SoundSize/SoundType for an MPEG audio frame (ISO/IEC 11172-3 §2.4.1.3
     * header). Players decode MP3 from its own header; these bits only need to be plausible.
     */
    static int mp3Flags(ByteBuf frame) {
        int stereo = 1;
        int rate = 3;
        if (frame.readableBytes() >= 4) {
            int h = frame.getInt(frame.readerIndex());
            if ((h >>> 21) == 0x7FF) {
                int version = (h >>> 19) & 3; // 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5
                rate = version == 3 ? 3 : version == 2 ? 2 : 1;
                stereo = ((h >>> 6) & 3) == 3 ? 0 : 1;
            }
        }
        return (rate << 2) | (1 << 1) | stereo;
    }
}
