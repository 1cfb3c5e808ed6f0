package dev.vireo.record;

import dev.vireo.core.MediaFrame;
import java.util.List;

/**
 * Turns a stream's frames into the bytes of one recording file: a header written when the file is
 * created, then one self-contained chunk per GOP (a movie fragment, or the FLV tags of the GOP), so
 * a file cut after any chunk plays. Pure (no I/O); one per file.
 */
interface FilePacker {

    /** The bytes a file starts with (ftyp+moov, or the FLV header and sequence headers). */
    byte[] header();

    /** Whether this file carries {@code f}'s track and codec. */
    boolean carries(MediaFrame f);

    /**
     * One chunk: the video frames (the last lasting until {@code videoEndDts}) and the audio
     * frames, or null when there is nothing this file carries. The frames stay the caller's.
     */
    byte[] chunk(List<MediaFrame> video, long videoEndDts, List<MediaFrame> audio);

    /**
     * A packer for {@code format}, or null when none of the stream's tracks can be carried.
     *
     * @param startDts the dts the file starts at (FLV time stamps count from it)
     */
    static FilePacker of(RecordFormat format, MediaFrame videoConfig, MediaFrame audioConfig,
                         dev.vireo.media.Codec audioCodec, long startDts) {
        return switch (format) {
            case FMP4 -> Fmp4FilePacker.of(videoConfig, audioConfig, audioCodec);
            case FLV -> FlvFilePacker.of(videoConfig, audioConfig, audioCodec, startDts);
        };
    }
}
