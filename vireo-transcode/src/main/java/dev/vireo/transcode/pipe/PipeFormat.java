package dev.vireo.transcode.pipe;

import dev.vireo.media.Codec;

/**
 * The container on ffmpeg's pipes. FLV where ffmpeg 5.1 can read and write it (H.264, AAC, MP3:
 * the shared FLV tag bytes of the hub go in as they are, millisecond time stamps come out);
 * MPEG-TS for what ffmpeg 5.1 cannot put in or take from FLV (Opus, H.265).
 */
public enum PipeFormat {
    FLV("flv"),
    MPEGTS("mpegts");

    private final String ffmpegName;

    PipeFormat(String ffmpegName) {
        this.ffmpegName = ffmpegName;
    }

    /** ffmpeg's name of the format ({@code -f}). */
    public String ffmpegName() {
        return ffmpegName;
    }

    /** The format ffmpeg 5.1 can carry {@code video} and {@code audio} in (null: absent), or null when none. */
    public static PipeFormat carrying(Codec video, Codec audio) {
        boolean flvVideo = video == null || video == Codec.H264;
        boolean flvAudio = audio == null || audio == Codec.AAC || audio == Codec.MP3;
        if (flvVideo && flvAudio) {
            return FLV;
        }
        boolean tsVideo = video == null || video == Codec.H264 || video == Codec.H265;
        boolean tsAudio = audio == null || audio == Codec.AAC || audio == Codec.OPUS;
        return tsVideo && tsAudio ? MPEGTS : null;
    }
}
