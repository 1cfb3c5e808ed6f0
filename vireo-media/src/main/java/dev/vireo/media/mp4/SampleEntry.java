package dev.vireo.media.mp4;

import dev.vireo.media.MediaFormatException;
import dev.vireo.media.opus.OpusHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * The sample description of a track (the one entry of its {@code stsd}): a VisualSampleEntry
 * ({@code avc1}/{@code hvc1}/{@code av01}) or AudioSampleEntry ({@code mp4a}/{@code Opus}) with the
 * codec's configuration box.
 */
final class SampleEntry {

    /** AVCDecoderConfigurationRecord byte 4: reserved '111111' and lengthSizeMinusOne. */
    private static final int AVCC_LENGTH_SIZE_BYTE = 4;
    /** HEVCDecoderConfigurationRecord byte 21: constantFrameRate, numTemporalLayers, temporalIdNested, lengthSizeMinusOne. */
    private static final int HVCC_LENGTH_SIZE_BYTE = 21;

    private SampleEntry() {
    }

    static void write(ByteBuf out, Mp4Track t) {
        switch (t.codec()) {
            case H264 -> visual(out, t, "avc1", "avcC", withLengthSize4(t.config(), AVCC_LENGTH_SIZE_BYTE));
            case H265 -> visual(out, t, "hvc1", "hvcC", withLengthSize4(t.config(), HVCC_LENGTH_SIZE_BYTE));
            case AV1 -> visual(out, t, "av01", "av1C", t.config());
            case AAC -> {
                int entry = audioHeader(out, "mp4a", t.channels(), t.sampleRate());
                esds(out, t.config());
                BoxWriter.close(out, entry);
            }
            case OPUS -> {
                int entry = audioHeader(out, "Opus", t.channels(), 48_000);
                dOps(out, t.config());
                BoxWriter.close(out, entry);
            }
            default -> throw new IllegalArgumentException(t.codec() + " has no sample entry here");
        }
    }

    /**
     * MediaFrame video payloads always use 4-byte NAL lengths ({@code Codec}); the record must say
     * so whatever the publisher's record said (ISO/IEC 14496-15 §5.3.3.1.2 lengthSizeMinusOne).
     */
    private static byte[] withLengthSize4(byte[] record, int index) {
        if (record.length <= index) {
            throw new MediaFormatException("decoder configuration record too short: " + record.length + " bytes");
        }
        byte[] copy = record.clone();
        copy[index] = (byte) (copy[index] | 0x03);
        return copy;
    }

    /** ISO/IEC 14496-12 §12.1.3 VisualSampleEntry, then the configuration box. */
    private static void visual(ByteBuf out, Mp4Track t, String type, String configType, byte[] config) {
        int entry = BoxWriter.open(out, type);
        out.writeZero(6);          // SampleEntry reserved
        out.writeShort(1);         // data_reference_index
        out.writeShort(0);         // pre_defined
        out.writeShort(0);         // reserved
        out.writeZero(12);         // pre_defined
        out.writeShort(t.width());
        out.writeShort(t.height());
        out.writeInt(0x00480000);  // horizresolution 72 dpi
        out.writeInt(0x00480000);  // vertresolution
        out.writeInt(0);           // reserved
        out.writeShort(1);         // frame_count
        out.writeZero(32);         // compressorname
        out.writeShort(0x0018);    // depth
        out.writeShort(0xFFFF);    // pre_defined = -1
        int box = BoxWriter.open(out, configType);
        out.writeBytes(config);
        BoxWriter.close(out, box);
        BoxWriter.close(out, entry);
    }

    /** ISO/IEC 14496-12 §12.2.3 AudioSampleEntry (version 0) fields; the caller adds the config box. */
    private static int audioHeader(ByteBuf out, String type, int channels, int sampleRate) {
        int entry = BoxWriter.open(out, type);
        out.writeZero(6);
        out.writeShort(1);         // data_reference_index
        out.writeZero(8);          // reserved
        out.writeShort(channels);
        out.writeShort(16);        // samplesize
        out.writeShort(0);         // pre_defined
        out.writeShort(0);         // reserved
        out.writeInt(sampleRate > 0xFFFF ? 0 : sampleRate << 16);
        return entry;
    }

    /**
     * {@code esds} (ISO/IEC 14496-14 §5.6): an ES_Descriptor (ISO/IEC 14496-1 §7.2.6.5) with a
     * DecoderConfigDescriptor (objectTypeIndication 0x40, audio stream) carrying the
     * AudioSpecificConfig, and an SLConfigDescriptor (predefined 2, as MP4 files use).
     */
    private static void esds(ByteBuf out, byte[] asc) {
        int box = BoxWriter.openFull(out, "esds", 0, 0);
        ByteBuf specific = Unpooled.buffer();
        descriptor(specific, 0x05, Unpooled.wrappedBuffer(asc));
        ByteBuf decoderConfig = Unpooled.buffer();
        decoderConfig.writeByte(0x40);        // objectTypeIndication: MPEG-4 Audio
        decoderConfig.writeByte(0x05 << 2 | 1); // streamType audio, upStream 0, reserved 1
        decoderConfig.writeMedium(0);         // bufferSizeDB
        decoderConfig.writeInt(0);            // maxBitrate
        decoderConfig.writeInt(0);            // avgBitrate
        decoderConfig.writeBytes(specific);
        ByteBuf es = Unpooled.buffer();
        es.writeShort(0);                     // ES_ID
        es.writeByte(0);                      // no dependsOn, URL, OCR
        descriptor(es, 0x04, decoderConfig);
        descriptor(es, 0x06, Unpooled.wrappedBuffer(new byte[] {0x02}));
        descriptor(out, 0x03, es);
        BoxWriter.close(out, box);
    }

    /** A descriptor: tag, expandable size (§8.3.3 sizeOfInstance, 7 bits per byte), body. */
    private static void descriptor(ByteBuf out, int tag, ByteBuf body) {
        int size = body.readableBytes();
        out.writeByte(tag);
        if (size >= 1 << 21) {
            out.writeByte(0x80 | (size >>> 21) & 0x7F);
        }
        if (size >= 1 << 14) {
            out.writeByte(0x80 | (size >>> 14) & 0x7F);
        }
        if (size >= 1 << 7) {
            out.writeByte(0x80 | (size >>> 7) & 0x7F);
        }
        out.writeByte(size & 0x7F);
        out.writeBytes(body);
    }

    /**
     * {@code dOps}, the OpusSpecificBox ("Encapsulation of Opus in ISO Base Media File Format"
     * §4.3.2): the OpusHead fields without magic, version 0, big-endian.
     */
    private static void dOps(ByteBuf out, byte[] opusHead) {
        ByteBuf in = Unpooled.wrappedBuffer(opusHead);
        OpusHead head = OpusHead.parse(in);
        int box = BoxWriter.open(out, "dOps");
        out.writeByte(0);                       // Version
        out.writeByte(head.channels());         // OutputChannelCount
        out.writeShort(head.preSkip());
        out.writeInt((int) head.inputSampleRate());
        out.writeShort(head.outputGain());
        out.writeByte(head.mappingFamily());
        if (head.mappingFamily() != 0) {
            // StreamCount, CoupledCount, ChannelMapping[OutputChannelCount]: same bytes as OpusHead §5.1.1
            out.writeBytes(opusHead, 19, 2 + head.channels());
        }
        BoxWriter.close(out, box);
    }
}
