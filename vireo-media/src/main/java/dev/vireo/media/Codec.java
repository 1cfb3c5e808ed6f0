package dev.vireo.media;

/**
 * Codecs a {@code MediaFrame} can carry. The payload layout per codec is fixed so that every
 * adapter can rely on it:
 * <ul>
 *   <li>H264/H265: access unit as length-prefixed NAL units (4-byte big-endian lengths, AVCC/HVCC
 *       style, as in FLV); a config frame carries the AVCDecoderConfigurationRecord /
 *       HEVCDecoderConfigurationRecord.</li>
 *   <li>AV1: one temporal unit of low-overhead bitstream OBUs (as in enhanced RTMP); config frame
 *       carries av1C. A keyframe carries its sequence header (the RTMP ingest copies av1C's in
 *       when the publisher left it out).</li>
 *   <li>AAC: one raw AAC frame (no ADTS); config frame carries the AudioSpecificConfig.</li>
 *   <li>OPUS: one Opus packet; config frame carries the OpusHead (may be absent).</li>
 *   <li>MP3: one MPEG audio frame.</li>
 *   <li>AMF_DATA: an AMF0-encoded script data message, e.g. {@code onMetaData}.</li>
 * </ul>
 */
public enum Codec {
    H264(TrackType.VIDEO),
    H265(TrackType.VIDEO),
    AV1(TrackType.VIDEO),
    AAC(TrackType.AUDIO),
    OPUS(TrackType.AUDIO),
    MP3(TrackType.AUDIO),
    AMF_DATA(TrackType.DATA);

    private final TrackType track;

    Codec(TrackType track) {
        this.track = track;
    }

    public TrackType track() {
        return track;
    }
}
