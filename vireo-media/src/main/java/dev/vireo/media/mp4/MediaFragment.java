package dev.vireo.media.mp4;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * One movie fragment (ISO/IEC 14496-12 §8.8): {@code moof} (mfhd and one traf per track with
 * tfhd, tfdt and trun) followed by the {@code mdat} with the samples, track after track. Every
 * sample states its duration, size, flags and composition offset, so a fragment stands on its
 * own (an HLS part or a CMAF chunk).
 */
public final class MediaFragment {

    /** tfhd: data offsets are relative to the moof (§8.8.7.1 default-base-is-moof). */
    private static final int TFHD_DEFAULT_BASE_IS_MOOF = 0x020000;
    /** trun: data-offset, sample-duration, sample-size, sample-flags, sample-composition-time-offset present. */
    private static final int TRUN_FLAGS = 0x000001 | 0x000100 | 0x000200 | 0x000400 | 0x000800;
    /** §8.8.3.1 sample flags: sample_depends_on = 2 (does not depend on others). */
    static final int SYNC_SAMPLE = 0x02000000;
    /** sample_depends_on = 1 and sample_is_non_sync_sample = 1. */
    static final int NON_SYNC_SAMPLE = 0x01010000;

    /** The samples of one track in a fragment, from {@code baseMediaDecodeTime} (track timescale). */
    public record TrackRun(int trackId, long baseMediaDecodeTime, List<Mp4Sample> samples) {
    }

    private MediaFragment() {
    }

    /**
     * Writes moof + mdat.
     *
     * @param sequenceNumber mfhd sequence_number, increasing from fragment to fragment (§8.8.5)
     * @param runs one run per track; runs without samples are left out
     */
    public static void write(int sequenceNumber, List<TrackRun> runs, ByteBuf out) {
        int moof = BoxWriter.open(out, "moof");
        int mfhd = BoxWriter.openFull(out, "mfhd", 0, 0);
        out.writeInt(sequenceNumber);
        BoxWriter.close(out, mfhd);
        int[] dataOffsetAt = new int[runs.size()];
        for (int i = 0; i < runs.size(); i++) {
            TrackRun run = runs.get(i);
            dataOffsetAt[i] = -1;
            if (run.samples().isEmpty()) {
                continue;
            }
            int traf = BoxWriter.open(out, "traf");
            int tfhd = BoxWriter.openFull(out, "tfhd", 0, TFHD_DEFAULT_BASE_IS_MOOF);
            out.writeInt(run.trackId());
            BoxWriter.close(out, tfhd);
            int tfdt = BoxWriter.openFull(out, "tfdt", 1, 0); // §8.8.12, 64-bit time
            out.writeLong(run.baseMediaDecodeTime());
            BoxWriter.close(out, tfdt);
            // version 1: signed composition offsets (§8.8.8.2), as B-frames need
            int trun = BoxWriter.openFull(out, "trun", 1, TRUN_FLAGS);
            out.writeInt(run.samples().size());
            dataOffsetAt[i] = out.writerIndex();
            out.writeInt(0);
            for (Mp4Sample s : run.samples()) {
                out.writeInt(s.duration());
                out.writeInt(s.size());
                out.writeInt(s.sync() ? SYNC_SAMPLE : NON_SYNC_SAMPLE);
                out.writeInt(s.compositionOffset());
            }
            BoxWriter.close(out, trun);
            BoxWriter.close(out, traf);
        }
        BoxWriter.close(out, moof);
        long mdatSize = 8;
        for (TrackRun run : runs) {
            for (Mp4Sample s : run.samples()) {
                mdatSize += s.size();
            }
        }
        if (mdatSize > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("fragment too large: " + mdatSize + " bytes");
        }
        int offset = out.writerIndex() - moof + 8;
        for (int i = 0; i < runs.size(); i++) {
            if (dataOffsetAt[i] < 0) {
                continue;
            }
            out.setInt(dataOffsetAt[i], offset);
            for (Mp4Sample s : runs.get(i).samples()) {
                offset += s.size();
            }
        }
        out.writeInt((int) mdatSize);
        out.writeBytes(BoxWriter.fourCc("mdat"));
        for (TrackRun run : runs) {
            for (Mp4Sample s : run.samples()) {
                out.writeBytes(s.data(), s.data().readerIndex(), s.size());
            }
        }
    }
}
