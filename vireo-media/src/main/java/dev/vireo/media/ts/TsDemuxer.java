package dev.vireo.media.ts;

import dev.vireo.media.Codec;
import dev.vireo.media.TrackType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Arrays;

/**
 * An incremental MPEG-2 transport stream demultiplexer (ISO/IEC 13818-1): feed it bytes as they
 * arrive (from a pipe, an SRT socket, a file) and it hands complete samples to its
 * {@link Listener}: H.264 and H.265 access units (length-prefixed, keyframes flagged, avcC/hvcC
 * emitted when the parameter sets change), raw AAC frames from ADTS (with their
 * AudioSpecificConfig) and Opus packets (with a synthesised OpusHead).
 *
 * <p>It follows the first program of the PAT and, in it, the first video and the first audio
 * stream it can carry; other streams are reported once and ignored. Time stamps come out in
 * 90 kHz ticks, unwrapped across the 33-bit wrap. Continuity counters are checked per PID: a gap
 * drops the unit in progress (never a half unit downstream), a single repeated packet is
 * discarded as the duplicate §2.4.3.3 allows. Lost sync is regained on the next pair of sync
 * bytes. Buffers are bounded ({@code maxPesSize}).
 *
 * <p>Bad bytes never throw: the damaged unit is dropped and the reason goes to
 * {@link Listener#onProblem}, because transport streams travel over lossy links and a lost packet
 * must cost one unit, not the session. Not thread-safe: feed from one thread.
 */
public final class TsDemuxer implements AutoCloseable {

    /** Receives what the demuxer finds. */
    public interface Listener {

        /** A sample, in decode order per track; the listener owns it and must release it. */
        void onSample(TsSample sample);

        /** Something was lost or unusable and was skipped; meant for a log line or a counter. */
        default void onProblem(String description) {
        }
    }

    /** Large enough for an intra frame of 4K video. */
    public static final int DEFAULT_MAX_PES_SIZE = 8 << 20;

    private final Listener listener;
    private final ByteBufAllocator alloc;
    private final int maxPesSize;
    private final SectionAssembler pat;
    private final int[] lastCc = new int[8192];
    private final boolean[] duplicateSeen = new boolean[8192];
    private final TimestampUnwrapper clock = new TimestampUnwrapper();

    private SectionAssembler pmt;
    private int pmtPid = -1;
    private int programNumber = -1;
    private int pmtVersion = -1;
    /** The PMT section last applied (CRC included). */
    private byte[] pmtSection;
    private Track video;
    private Track audio;
    private long packets;
    private long problems;
    private boolean closed;

    public TsDemuxer(Listener listener) {
        this(listener, ByteBufAllocator.DEFAULT, DEFAULT_MAX_PES_SIZE);
    }

    public TsDemuxer(Listener listener, ByteBufAllocator alloc, int maxPesSize) {
        if (maxPesSize < TsPacket.SIZE) {
            throw new IllegalArgumentException("maxPesSize " + maxPesSize);
        }
        this.listener = listener;
        this.alloc = alloc;
        this.maxPesSize = maxPesSize;
        this.pat = new SectionAssembler(this::onPat, this::problem);
        Arrays.fill(lastCc, -1);
    }

    /**
     * Demultiplexes every complete 188-byte packet readable in {@code in} and advances its reader
     * index past them; a partial packet at the end stays for the next call. Samples completed by
     * these packets reach the listener before this returns.
     */
    public void feed(ByteBuf in) {
        if (closed) {
            throw new IllegalStateException("demuxer closed");
        }
        while (in.readableBytes() >= TsPacket.SIZE) {
            int i = in.readerIndex();
            if (in.getUnsignedByte(i) != TsPacket.SYNC_BYTE) {
                resync(in);
                continue;
            }
            packet(in, i);
            in.skipBytes(TsPacket.SIZE);
        }
    }

    /** End of input: completes the units still open (video PES without a length end only at the next one). */
    public void flush() {
        if (video != null) {
            video.pes.flush();
        }
        if (audio != null) {
            audio.pes.flush();
        }
    }

    /** The video codec being demultiplexed, or null (none announced yet, or none supported). */
    public Codec videoCodec() {
        return video == null ? null : video.codec;
    }

    /** The audio codec being demultiplexed, or null. */
    public Codec audioCodec() {
        return audio == null ? null : audio.codec;
    }

    /** Transport packets read so far. */
    public long packets() {
        return packets;
    }

    /** Problems reported so far. */
    public long problems() {
        return problems;
    }

    /** Releases the buffers; units in progress are dropped (call {@link #flush()} first to keep them). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        video = release(video);
        audio = release(audio);
    }

    private void packet(ByteBuf in, int i) {
        packets++;
        int b1 = in.getUnsignedByte(i + 1);
        int pid = ((b1 & 0x1F) << 8) | in.getUnsignedByte(i + 2);
        Track track = video != null && video.pid == pid ? video : audio != null && audio.pid == pid ? audio : null;
        if (pid != TsPacket.PAT_PID && pid != pmtPid && track == null) {
            return; // not a PID we follow (null packets, SI tables, other programs and streams)
        }
        if ((b1 & 0x80) != 0) {
            problem("transport_error_indicator set on PID " + pid + "; packet dropped");
            return; // the next packet's continuity counter tells whether data was lost
        }
        int b3 = in.getUnsignedByte(i + 3);
        if ((b3 & 0xC0) != 0) {
            problem("scrambled packet on PID " + pid + " dropped");
            return;
        }
        int afc = (b3 >>> 4) & 0x03;
        if (afc == 0) {
            problem("reserved adaptation_field_control on PID " + pid + "; packet dropped");
            return;
        }
        int pos = i + TsPacket.HEADER_SIZE;
        boolean discontinuity = false;
        if ((afc & 0x02) != 0) {
            int afLength = in.getUnsignedByte(pos);
            if (afLength > (afc == 3 ? 182 : 183)) {
                problem("adaptation_field_length " + afLength + " on PID " + pid + " too long; packet dropped");
                lost(pid, track);
                return;
            }
            discontinuity = afLength > 0 && (in.getUnsignedByte(pos + 1) & 0x80) != 0;
            pos += 1 + afLength;
        }
        if ((afc & 0x01) == 0) {
            return; // adaptation field only: the continuity counter does not advance (§2.4.3.3)
        }
        int cc = b3 & 0x0F;
        int last = lastCc[pid];
        if (last >= 0 && !discontinuity) {
            if (cc == last && !duplicateSeen[pid]) {
                duplicateSeen[pid] = true;
                return; // §2.4.3.3: a packet may be sent twice; the copy carries nothing new
            }
            if (cc != ((last + 1) & 0x0F)) {
                problem("PID " + pid + ": continuity counter went from " + last + " to " + cc + "; packets lost");
                lost(pid, track);
            }
        }
        lastCc[pid] = cc;
        duplicateSeen[pid] = false;
        boolean unitStart = (b1 & 0x40) != 0;
        int end = i + TsPacket.SIZE;
        if (pid == TsPacket.PAT_PID) {
            pat.packet(in, pos, end, unitStart);
        } else if (pid == pmtPid) {
            pmt.packet(in, pos, end, unitStart);
        } else {
            track.pes.packet(in, pos, end, unitStart);
        }
    }

    private void lost(int pid, Track track) {
        if (pid == TsPacket.PAT_PID) {
            pat.reset();
        } else if (pid == pmtPid) {
            pmt.reset();
        } else if (track != null) {
            track.pes.drop();
            track.parser.discontinuity();
        }
    }

    private void resync(ByteBuf in) {
        int from = in.readerIndex();
        int end = in.writerIndex();
        int next = end;
        for (int j = from + 1; j < end; j++) {
            if (in.getUnsignedByte(j) == TsPacket.SYNC_BYTE
                    && (j + TsPacket.SIZE >= end || in.getUnsignedByte(j + TsPacket.SIZE) == TsPacket.SYNC_BYTE)) {
                next = j;
                break;
            }
        }
        problem("lost sync: skipped " + (next - from) + " bytes");
        in.readerIndex(next);
        // whatever was in progress lost bytes with the skipped ones
        Arrays.fill(lastCc, -1);
        pat.reset();
        if (pmt != null) {
            pmt.reset();
        }
        for (Track t : new Track[] {video, audio}) {
            if (t != null) {
                t.pes.drop();
                t.parser.discontinuity();
            }
        }
    }

    private void onPat(byte[] section) {
        ProgramTables.Program p = ProgramTables.firstProgram(section);
        if (p == null || (p.pmtPid() == pmtPid && p.number() == programNumber)) {
            return;
        }
        if (p.pmtPid() == TsPacket.PAT_PID || p.pmtPid() == TsPacket.NULL_PID) {
            problem("PAT points the program map to reserved PID " + p.pmtPid());
            return;
        }
        pmtPid = p.pmtPid();
        programNumber = p.number();
        pmtVersion = -1;
        pmtSection = null;
        lastCc[pmtPid] = -1;
        pmt = new SectionAssembler(this::onPmt, this::problem);
    }

    private void onPmt(byte[] section) {
        ProgramTables.ProgramMap map = ProgramTables.programMap(section, programNumber);
        // A new version, or the same version with other content: a source restarted on the same
        // connection (a relay forwarding a new encoder) starts again at version 0, as ffmpeg does;
        // its PMT differs in content and CRC, which is what ffmpeg's demuxer watches for too.
        if (map == null || (map.version() == pmtVersion && Arrays.equals(section, pmtSection))) {
            return;
        }
        pmtVersion = map.version();
        pmtSection = section.clone();
        ProgramTables.Elementary v = null;
        ProgramTables.Elementary a = null;
        for (ProgramTables.Elementary e : map.streams()) {
            boolean reserved = e.pid() == TsPacket.PAT_PID || e.pid() == pmtPid || e.pid() == TsPacket.NULL_PID;
            if (e.codec() != null && !reserved && e.codec().track() == TrackType.VIDEO && v == null) {
                v = e;
            } else if (e.codec() != null && !reserved && e.codec().track() == TrackType.AUDIO && a == null) {
                a = e;
            } else {
                problem("ignored " + e.describe() + (e.codec() == null ? " (not supported)" : ""));
            }
        }
        video = follow(video, v);
        audio = follow(audio, a);
    }

    /** Keeps {@code current} when the PMT still names it, else switches to {@code wanted}. */
    private Track follow(Track current, ProgramTables.Elementary wanted) {
        if (current != null && wanted != null && current.pid == wanted.pid() && current.codec == wanted.codec()) {
            return current;
        }
        if (current != null) {
            current.pes.flush(); // its last unit (a video PES without length) ends here
        }
        release(current);
        if (wanted == null) {
            return null;
        }
        lastCc[wanted.pid()] = -1;
        return new Track(wanted);
    }

    private Track release(Track t) {
        if (t != null) {
            t.pes.release();
            t.parser.release();
        }
        return null;
    }

    private void problem(String description) {
        problems++;
        listener.onProblem(description);
    }

    private void emit(TsSample sample) {
        listener.onSample(sample);
    }

    /** One followed elementary stream. */
    private final class Track {
        final int pid;
        final Codec codec;
        final EsParser parser;
        final PesAssembler pes;

        Track(ProgramTables.Elementary e) {
            this.pid = e.pid();
            this.codec = e.codec();
            this.parser = switch (codec) {
                case H264, H265 -> new AnnexBParser(codec, alloc, TsDemuxer.this::emit, TsDemuxer.this::problem);
                case AAC -> new AdtsParser(alloc, TsDemuxer.this::emit, TsDemuxer.this::problem);
                case OPUS -> new OpusParser(e.channels(), alloc, TsDemuxer.this::emit, TsDemuxer.this::problem);
                default -> throw new IllegalStateException("no parser for " + codec);
            };
            int limit = codec.track() == TrackType.VIDEO ? maxPesSize : Math.min(maxPesSize, 1 << 16);
            this.pes = new PesAssembler(alloc, limit, pid, (payload, hasPts, pts, dts) -> {
                long p = hasPts ? clock.unwrap(pts) : 0;
                long d = hasPts ? (dts == pts ? p : clock.unwrap(dts)) : 0;
                parser.pes(payload, hasPts, p, d);
            }, TsDemuxer.this::problem);
        }
    }
}
