package dev.vireo.media.flv;

/** What an FLV audio/video tag body carries, across legacy and enhanced RTMP signalling. */
public enum FlvPacketKind {
    /** Decoder configuration: AVC/AAC sequence header, enhanced SequenceStart. */
    CONFIG,
    /** Coded media: AVC NALU / AAC raw, enhanced CodedFrames or CodedFramesX. */
    CODED,
    /** End of sequence: AVC end of sequence, enhanced SequenceEnd. */
    END_OF_SEQUENCE,
    /** Out-of-band information, no media: enhanced Metadata (colorInfo), MultichannelConfig, MPEG2TSSequenceStart. */
    METADATA,
    /** A video command frame (frame type 5: start/end of client-side seeking), no media. */
    COMMAND
}
