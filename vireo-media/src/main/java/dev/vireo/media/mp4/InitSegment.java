package dev.vireo.media.mp4;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * The initialization segment of a fragmented MP4 / CMAF presentation (ISO/IEC 14496-12, ISO/IEC
 * 23000-19 §7.3.2.1): {@code ftyp} and a {@code moov} whose tracks have empty sample tables and
 * an {@code mvex} announcing movie fragments. What HLS names with EXT-X-MAP.
 */
public final class InitSegment {

    /** mvhd/mdhd language "und" packed as three 5-bit letters (§8.4.2). */
    private static final int LANGUAGE_UND = 0x55C4;

    private InitSegment() {
    }

    /** Writes ftyp + moov for {@code tracks} (one or two: video and/or audio). */
    public static void write(List<Mp4Track> tracks, ByteBuf out) {
        if (tracks.isEmpty()) {
            throw new IllegalArgumentException("no track");
        }
        int ftyp = BoxWriter.open(out, "ftyp"); // §4.3
        out.writeBytes(BoxWriter.fourCc("iso6"));
        out.writeInt(0);
        for (String brand : new String[] {"iso6", "cmfc", "isom", "mp41"}) {
            out.writeBytes(BoxWriter.fourCc(brand));
        }
        BoxWriter.close(out, ftyp);

        int moov = BoxWriter.open(out, "moov");
        int nextTrackId = 1;
        for (Mp4Track t : tracks) {
            nextTrackId = Math.max(nextTrackId, t.trackId() + 1);
        }
        mvhd(out, nextTrackId);
        for (Mp4Track t : tracks) {
            trak(out, t);
        }
        int mvex = BoxWriter.open(out, "mvex"); // §8.8.1
        for (Mp4Track t : tracks) {
            int trex = BoxWriter.openFull(out, "trex", 0, 0); // §8.8.3
            out.writeInt(t.trackId());
            out.writeInt(1); // default_sample_description_index
            out.writeInt(0); // default_sample_duration
            out.writeInt(0); // default_sample_size
            out.writeInt(0); // default_sample_flags
            BoxWriter.close(out, trex);
        }
        BoxWriter.close(out, mvex);
        BoxWriter.close(out, moov);
    }

    /** §8.2.2, version 0; duration 0: the length is given by the fragments. */
    private static void mvhd(ByteBuf out, int nextTrackId) {
        int box = BoxWriter.openFull(out, "mvhd", 0, 0);
        out.writeInt(0);          // creation_time
        out.writeInt(0);          // modification_time
        out.writeInt(1000);       // timescale
        out.writeInt(0);          // duration
        out.writeInt(0x00010000); // rate 1.0
        out.writeShort(0x0100);   // volume 1.0
        out.writeZero(10);        // reserved
        BoxWriter.writeUnityMatrix(out);
        out.writeZero(24);        // pre_defined
        out.writeInt(nextTrackId);
        BoxWriter.close(out, box);
    }

    private static void trak(ByteBuf out, Mp4Track t) {
        int trak = BoxWriter.open(out, "trak");
        int tkhd = BoxWriter.openFull(out, "tkhd", 0, 0x000003); // §8.3.2: enabled, in movie
        out.writeInt(0);
        out.writeInt(0);
        out.writeInt(t.trackId());
        out.writeInt(0);          // reserved
        out.writeInt(0);          // duration
        out.writeZero(8);         // reserved
        out.writeShort(0);        // layer
        out.writeShort(0);        // alternate_group
        out.writeShort(t.isVideo() ? 0 : 0x0100);
        out.writeShort(0);        // reserved
        BoxWriter.writeUnityMatrix(out);
        out.writeInt(t.width() << 16);
        out.writeInt(t.height() << 16);
        BoxWriter.close(out, tkhd);

        int mdia = BoxWriter.open(out, "mdia");
        int mdhd = BoxWriter.openFull(out, "mdhd", 0, 0); // §8.4.2
        out.writeInt(0);
        out.writeInt(0);
        out.writeInt(t.timescale());
        out.writeInt(0);
        out.writeShort(LANGUAGE_UND);
        out.writeShort(0);
        BoxWriter.close(out, mdhd);
        int hdlr = BoxWriter.openFull(out, "hdlr", 0, 0); // §8.4.3
        out.writeInt(0);
        out.writeBytes(BoxWriter.fourCc(t.isVideo() ? "vide" : "soun"));
        out.writeZero(12);
        out.writeBytes((t.isVideo() ? "VideoHandler" : "SoundHandler").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        out.writeByte(0);
        BoxWriter.close(out, hdlr);

        int minf = BoxWriter.open(out, "minf");
        if (t.isVideo()) {
            int vmhd = BoxWriter.openFull(out, "vmhd", 0, 1); // §12.1.2
            out.writeZero(8);
            BoxWriter.close(out, vmhd);
        } else {
            int smhd = BoxWriter.openFull(out, "smhd", 0, 0); // §12.2.2
            out.writeInt(0);
            BoxWriter.close(out, smhd);
        }
        int dinf = BoxWriter.open(out, "dinf"); // §8.7.1
        int dref = BoxWriter.openFull(out, "dref", 0, 0);
        out.writeInt(1);
        BoxWriter.close(out, BoxWriter.openFull(out, "url ", 0, 1)); // media in the same file
        BoxWriter.close(out, dref);
        BoxWriter.close(out, dinf);

        int stbl = BoxWriter.open(out, "stbl"); // §8.5.1: empty tables, samples are in fragments
        int stsd = BoxWriter.openFull(out, "stsd", 0, 0);
        out.writeInt(1);
        SampleEntry.write(out, t);
        BoxWriter.close(out, stsd);
        for (String empty : new String[] {"stts", "stsc", "stco"}) {
            int b = BoxWriter.openFull(out, empty, 0, 0);
            out.writeInt(0);
            BoxWriter.close(out, b);
        }
        int stsz = BoxWriter.openFull(out, "stsz", 0, 0);
        out.writeInt(0); // sample_size
        out.writeInt(0); // sample_count
        BoxWriter.close(out, stsz);
        BoxWriter.close(out, stbl);
        BoxWriter.close(out, minf);
        BoxWriter.close(out, mdia);
        BoxWriter.close(out, trak);
    }
}
