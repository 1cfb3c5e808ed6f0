package dev.vireo.media.ts;

/** Constants of the transport packet layer, ISO/IEC 13818-1 §2.4.3. */
final class TsPacket {

    static final int SIZE = 188;
    static final int SYNC_BYTE = 0x47;
    static final int HEADER_SIZE = 4;

    static final int PAT_PID = 0x0000;
    static final int NULL_PID = 0x1FFF;

    static final int TABLE_PAT = 0x00;
    static final int TABLE_PMT = 0x02;

    // Table 2-34 stream_type values this package understands
    static final int STREAM_TYPE_AAC_ADTS = 0x0F;
    static final int STREAM_TYPE_H264 = 0x1B;
    static final int STREAM_TYPE_H265 = 0x24;
    /** PES private data: Opus when the registration descriptor says "Opus". */
    static final int STREAM_TYPE_PRIVATE_PES = 0x06;

    static final int DESCRIPTOR_REGISTRATION = 0x05;
    /** DVB extension_descriptor (ETSI EN 300 468 §6.2.16), which carries the Opus audio descriptor. */
    static final int DESCRIPTOR_DVB_EXTENSION = 0x7F;
    /** descriptor_tag_extension of the Opus audio descriptor (its one byte of data is the channel_config_code). */
    static final int DVB_EXTENSION_OPUS = 0x80;
    static final int OPUS_FORMAT_IDENTIFIER = 0x4F707573; // "Opus"

    static final int STREAM_ID_PRIVATE_1 = 0xBD;
    static final int STREAM_ID_AUDIO = 0xC0;
    static final int STREAM_ID_VIDEO = 0xE0;

    /** The 33-bit wrap of PTS/DTS/PCR base. */
    static final long TIMESTAMP_MODULUS = 1L << 33;

    private TsPacket() {
    }
}
