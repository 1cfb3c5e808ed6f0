package dev.vireo.media.opus;

import dev.vireo.media.MediaFormatException;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The Opus identification header "OpusHead", RFC 7845 §5.1: the payload of an enhanced RTMP
 * Opus SequenceStart / OPUS config {@code MediaFrame}. Multi-byte fields are little-endian.
 *
 * @param channels        output channel count
 * @param preSkip         samples (at 48 kHz) to discard at the start
 * @param inputSampleRate the original rate, informational: Opus always decodes at 48 kHz
 * @param outputGain      Q7.8 dB gain
 * @param mappingFamily   channel mapping family (0 = mono/stereo, RTP-style)
 */
public record OpusHead(int channels, int preSkip, long inputSampleRate, int outputGain, int mappingFamily) {

    static final byte[] MAGIC = "OpusHead".getBytes(StandardCharsets.US_ASCII);
    public static final int DECODE_RATE = 48_000;

    /** Parses the header at the reader index of {@code in} without moving it. */
    public static OpusHead parse(ByteBuf in) {
        int i = in.readerIndex();
        if (in.readableBytes() < 19) {
            throw new MediaFormatException("truncated OpusHead");
        }
        for (int k = 0; k < MAGIC.length; k++) {
            if (in.getByte(i + k) != MAGIC[k]) {
                throw new MediaFormatException("no OpusHead magic signature");
            }
        }
        int version = in.getUnsignedByte(i + 8);
        if ((version >>> 4) != 0) {
            throw new MediaFormatException("incompatible OpusHead version " + version);
        }
        int channels = in.getUnsignedByte(i + 9);
        int family = in.getUnsignedByte(i + 18);
        if (channels == 0 || (family == 0 && channels > 2)) {
            throw new MediaFormatException("OpusHead channel count " + channels + " invalid for mapping family " + family);
        }
        if (family != 0) {
            // §5.1.1: stream count, coupled count and one mapping byte per channel follow
            if (in.readableBytes() < 21 + channels) {
                throw new MediaFormatException("truncated OpusHead channel mapping table");
            }
            int streams = in.getUnsignedByte(i + 19);
            int coupled = in.getUnsignedByte(i + 20);
            if (streams == 0 || coupled > streams) {
                throw new MediaFormatException("OpusHead stream counts " + streams + "/" + coupled + " invalid");
            }
        }
        return new OpusHead(channels, in.getUnsignedShortLE(i + 10), in.getUnsignedIntLE(i + 12),
                in.getShortLE(i + 16), family);
    }

    /** Writes a mapping family 0 header (mono or stereo), as WebRTC Opus streams need. */
    public void write(ByteBuf out) {
        if (mappingFamily != 0 || channels < 1 || channels > 2) {
            throw new IllegalArgumentException("only mapping family 0 with 1 or 2 channels can be written");
        }
        out.writeBytes(MAGIC);
        out.writeByte(1);
        out.writeByte(channels);
        out.writeShortLE(preSkip);
        out.writeIntLE((int) inputSampleRate);
        out.writeShortLE(outputGain);
        out.writeByte(0);
    }
}
