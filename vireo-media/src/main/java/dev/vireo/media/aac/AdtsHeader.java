package dev.vireo.media.aac;

import dev.vireo.media.MediaFormatException;
import io.netty.buffer.ByteBuf;

/**
 * The ADTS frame header, ISO/IEC 13818-7 §6.2 / ISO/IEC 14496-3 §1.A.3.2.1 (how AAC travels in
 * MPEG-TS): 7 bytes, or 9 with a CRC.
 *
 * @param objectType            profile_ObjectType + 1 (2 = AAC LC)
 * @param samplingIndex         sampling_frequency_index
 * @param channelConfiguration  channel_configuration
 * @param frameLength           aac_frame_length: header and payload
 * @param headerLength          7, or 9 when protection_absent is 0
 * @param rawDataBlocks         number_of_raw_data_blocks_in_frame + 1
 */
public record AdtsHeader(int objectType, int samplingIndex, int channelConfiguration, int frameLength,
                         int headerLength, int rawDataBlocks) {

    public static final int SIZE = 7;

    /** Payload bytes after the header. */
    public int payloadLength() {
        return frameLength - headerLength;
    }

    /** The equivalent 2-byte AudioSpecificConfig. */
    public byte[] audioSpecificConfig() {
        return AudioSpecificConfig.of(objectType, samplingIndex, channelConfiguration);
    }

    public int sampleRate() {
        return AudioSpecificConfig.SAMPLING_FREQUENCIES[samplingIndex];
    }

    /**
     * Parses the header at the reader index of {@code in} without moving it. Returns null when
     * fewer than 7 bytes are readable.
     */
    public static AdtsHeader parse(ByteBuf in) {
        if (in.readableBytes() < SIZE) {
            return null;
        }
        int i = in.readerIndex();
        int b1 = in.getUnsignedByte(i + 1);
        if (in.getUnsignedByte(i) != 0xFF || (b1 & 0xF0) != 0xF0) {
            throw new MediaFormatException("no ADTS syncword");
        }
        if ((b1 & 0x06) != 0) {
            throw new MediaFormatException("ADTS layer " + ((b1 >>> 1) & 3) + " is not 0");
        }
        boolean protectionAbsent = (b1 & 0x01) != 0;
        int b2 = in.getUnsignedByte(i + 2);
        int b3 = in.getUnsignedByte(i + 3);
        int objectType = (b2 >>> 6) + 1;
        int sfi = (b2 >>> 2) & 0x0F;
        if (sfi >= AudioSpecificConfig.SAMPLING_FREQUENCIES.length) {
            throw new MediaFormatException("reserved ADTS sampling_frequency_index " + sfi);
        }
        int channels = ((b2 & 0x01) << 2) | (b3 >>> 6);
        int frameLength = ((b3 & 0x03) << 11) | (in.getUnsignedByte(i + 4) << 3) | (in.getUnsignedByte(i + 5) >>> 5);
        int blocks = (in.getUnsignedByte(i + 6) & 0x03) + 1;
        int headerLength = protectionAbsent ? 7 : 9;
        if (frameLength < headerLength) {
            throw new MediaFormatException("ADTS aac_frame_length " + frameLength + " shorter than its header");
        }
        return new AdtsHeader(objectType, sfi, channels, frameLength, headerLength, blocks);
    }

    /** Writes a 7-byte header (no CRC, one raw data block) for a payload of {@code payloadLength} bytes. */
    public static void write(ByteBuf out, int objectType, int samplingIndex, int channelConfiguration,
                             int payloadLength) {
        int frameLength = payloadLength + SIZE;
        if (objectType < 1 || objectType > 4 || samplingIndex < 0 || samplingIndex > 12
                || channelConfiguration < 0 || channelConfiguration > 7 || frameLength > 0x1FFF) {
            throw new IllegalArgumentException("cannot express in ADTS: object type " + objectType
                    + ", sampling index " + samplingIndex + ", channels " + channelConfiguration
                    + ", frame length " + frameLength);
        }
        out.writeByte(0xFF);
        out.writeByte(0xF1); // MPEG-4, layer 0, protection absent
        out.writeByte(((objectType - 1) << 6) | (samplingIndex << 2) | (channelConfiguration >>> 2));
        out.writeByte(((channelConfiguration & 3) << 6) | (frameLength >>> 11));
        out.writeByte(frameLength >>> 3);
        out.writeByte(((frameLength & 7) << 5) | 0x1F); // buffer fullness 0x7FF: variable rate
        out.writeByte(0xFC); // fullness low bits, one raw data block
    }

    /** Writes a header for the stream an AudioSpecificConfig describes. */
    public static void write(ByteBuf out, AudioSpecificConfig config, int payloadLength) {
        write(out, config.objectType(), config.samplingIndex(), config.channelConfiguration(), payloadLength);
    }
}
