package dev.vireo.media.ts;

import dev.vireo.media.Codec;
import dev.vireo.media.MediaFormatException;
import dev.vireo.media.TrackType;
import dev.vireo.media.aac.AdtsHeader;
import dev.vireo.media.aac.AudioSpecificConfig;
import dev.vireo.media.avc.AvcDecoderConfigurationRecord;
import dev.vireo.media.hevc.HevcDecoderConfigurationRecord;
import dev.vireo.media.nal.NalUnits;
import dev.vireo.media.opus.OpusHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An MPEG-2 transport stream multiplexer (ISO/IEC 13818-1) for one program with at most one video
 * (H.264, H.265) and one audio (AAC, Opus) stream: the inverse of {@link TsDemuxer}, taking
 * {@link TsSample}s in the same layout. Video goes out as Annex B with an access unit delimiter
 * and, on keyframes, the parameter sets of the last configuration sample; AAC gets ADTS headers;
 * Opus gets its control header. PAT and PMT are repeated before every keyframe (and every
 * {@link #PSI_INTERVAL} of audio-only time), PCR rides on the first packet of each PES of the
 * PCR stream (video when there is one). Meant for streaming to a decoder (ffmpeg, HLS segments):
 * each PES is written as soon as its sample is given. Not thread-safe.
 */
public final class TsMuxer {

    public static final int PMT_PID = 0x1000;
    public static final int VIDEO_PID = 0x100;
    public static final int AUDIO_PID = 0x101;
    /** How often PSI is repeated when no keyframes come (audio only): 500 ms. */
    public static final long PSI_INTERVAL = TsSample.CLOCK / 2;

    private static final int PROGRAM_NUMBER = 1;
    private static final byte[] H264_AUD = {0, 0, 0, 1, 0x09, (byte) 0xF0};
    private static final byte[] H265_AUD = {0, 0, 0, 1, 0x46, 0x01, 0x50};
    private static final byte[] STUFFING = filled(TsPacket.SIZE);

    private final Codec video;
    private final Codec audio;
    private final int[] cc = new int[8192];
    private List<byte[]> parameterSets = List.of();
    private AudioSpecificConfig asc;
    private int opusChannels = 2;
    private long lastPsi = Long.MIN_VALUE;
    private boolean psiWritten;

    /**
     * @param video H264, H265 or null for none
     * @param audio AAC, OPUS or null for none
     */
    public TsMuxer(Codec video, Codec audio) {
        if (video != null && video != Codec.H264 && video != Codec.H265) {
            throw new IllegalArgumentException("video " + video + " cannot be carried in MPEG-TS here");
        }
        if (audio != null && audio != Codec.AAC && audio != Codec.OPUS) {
            throw new IllegalArgumentException("audio " + audio + " cannot be carried in MPEG-TS here");
        }
        if (video == null && audio == null) {
            throw new IllegalArgumentException("no stream to multiplex");
        }
        this.video = video;
        this.audio = audio;
    }

    /** The codecs this muxer carries. */
    public boolean carries(Codec codec) {
        return codec != null && (codec == video || codec == audio);
    }

    /**
     * The next sample written starts with PAT and PMT, whatever its kind: where a segmenter starts a
     * segment that need not begin with a keyframe (audio only), so that the segment can be decoded
     * on its own (RFC 8216 §3.2).
     */
    public void repeatPsi() {
        psiWritten = false;
    }

    /**
     * Writes the transport packets of {@code sample} to {@code out}. A config sample updates what
     * later samples need (parameter sets, AudioSpecificConfig, Opus channels) and writes nothing.
     * Samples of codecs this muxer does not carry are ignored. Does not release the sample.
     *
     * @throws MediaFormatException when the sample cannot be expressed (a bad configuration, AAC
     *     that ADTS cannot describe, a video sample that is not length-prefixed)
     */
    public void write(TsSample sample, ByteBuf out) {
        if (!carries(sample.codec())) {
            return;
        }
        if (sample.config()) {
            configure(sample);
            return;
        }
        boolean isVideo = sample.codec().track() == TrackType.VIDEO;
        if (!psiWritten || (isVideo && sample.keyframe())
                || (video == null && sample.dts() - lastPsi >= PSI_INTERVAL)) {
            writePsi(out);
            lastPsi = sample.dts();
        }
        if (isVideo) {
            writeVideo(sample, out);
        } else if (sample.codec() == Codec.AAC) {
            writeAac(sample, out);
        } else {
            writeOpus(sample, out);
        }
    }

    private void configure(TsSample s) {
        ByteBuf c = s.payload();
        switch (s.codec()) {
            case H264 -> {
                AvcDecoderConfigurationRecord r = AvcDecoderConfigurationRecord.parse(c);
                List<byte[]> sets = new ArrayList<>(r.sps());
                sets.addAll(r.pps());
                parameterSets = List.copyOf(sets);
            }
            case H265 -> {
                HevcDecoderConfigurationRecord r = HevcDecoderConfigurationRecord.parse(c);
                List<byte[]> sets = new ArrayList<>();
                for (HevcDecoderConfigurationRecord.NalArray a : r.arrays()) {
                    if (a.nalUnitType() == NalUnits.H265_VPS || a.nalUnitType() == NalUnits.H265_SPS
                            || a.nalUnitType() == NalUnits.H265_PPS) {
                        sets.addAll(a.nalUnits());
                    }
                }
                parameterSets = List.copyOf(sets);
            }
            case AAC -> {
                AudioSpecificConfig a = AudioSpecificConfig.parse(c);
                if (a.objectType() < 1 || a.objectType() > 4 || a.samplingIndex() > 12 || a.channelConfiguration() > 7) {
                    throw new MediaFormatException("AAC (object type " + a.objectType() + ", sampling index "
                            + a.samplingIndex() + ", channel configuration " + a.channelConfiguration()
                            + ") cannot be described by ADTS");
                }
                asc = a;
            }
            case OPUS -> {
                OpusHead h = OpusHead.parse(c);
                if (h.channels() > 2) {
                    throw new MediaFormatException("Opus with " + h.channels() + " channels is not carried in MPEG-TS here");
                }
                opusChannels = h.channels();
            }
            default -> {
            }
        }
    }

    private void writeVideo(TsSample s, ByteBuf out) {
        List<ByteBuf> nals = NalUnits.split(s.payload());
        byte[] aud = video == Codec.H264 ? H264_AUD : H265_AUD;
        int size = aud.length;
        boolean withSets = s.keyframe();
        if (withSets) {
            for (byte[] p : parameterSets) {
                size += 4 + p.length;
            }
        }
        for (ByteBuf n : nals) {
            size += 4 + n.readableBytes();
        }
        ByteBuf es = out.alloc().buffer(size);
        try {
            es.writeBytes(aud);
            if (withSets) {
                for (byte[] p : parameterSets) {
                    es.writeInt(1).writeBytes(p);
                }
            }
            for (ByteBuf n : nals) {
                int type = NalUnits.type(video, n);
                if (type == (video == Codec.H264 ? NalUnits.H264_AUD : NalUnits.H265_AUD)) {
                    continue;
                }
                es.writeInt(1).writeBytes(n, n.readerIndex(), n.readableBytes());
            }
            writePes(out, VIDEO_PID, TsPacket.STREAM_ID_VIDEO, s.pts(), s.dts(), s.keyframe(), true, es);
        } finally {
            es.release();
        }
    }

    private void writeAac(TsSample s, ByteBuf out) {
        if (asc == null) {
            throw new MediaFormatException("AAC frame before its AudioSpecificConfig");
        }
        ByteBuf raw = s.payload();
        ByteBuf es = out.alloc().buffer(AdtsHeader.SIZE + raw.readableBytes());
        try {
            AdtsHeader.write(es, asc.objectType(), asc.samplingIndex(), asc.channelConfiguration(), raw.readableBytes());
            es.writeBytes(raw, raw.readerIndex(), raw.readableBytes());
            writePes(out, AUDIO_PID, TsPacket.STREAM_ID_AUDIO, s.pts(), s.pts(), false, video == null, es);
        } catch (IllegalArgumentException e) {
            throw new MediaFormatException("AAC frame cannot be put in ADTS: " + e.getMessage());
        } finally {
            es.release();
        }
    }

    private void writeOpus(TsSample s, ByteBuf out) {
        ByteBuf packet = s.payload();
        int size = packet.readableBytes();
        ByteBuf es = out.alloc().buffer(3 + size / 255 + size);
        try {
            es.writeShort(0x7FE0); // opus_control_header prefix, no trims, no extension
            for (int left = size; ; left -= 255) {
                es.writeByte(Math.min(left, 255));
                if (left < 255) {
                    break;
                }
            }
            es.writeBytes(packet, packet.readerIndex(), size);
            writePes(out, AUDIO_PID, TsPacket.STREAM_ID_PRIVATE_1, s.pts(), s.pts(), false, video == null, es);
        } finally {
            es.release();
        }
    }

    /** One PES (§2.4.3.6) cut into transport packets; the last one is padded by its adaptation field. */
    private void writePes(ByteBuf out, int pid, int streamId, long pts, long dts, boolean randomAccess,
                          boolean pcr, ByteBuf es) {
        boolean withDts = dts != pts;
        int headerData = withDts ? 10 : 5;
        int pesLength = 3 + headerData + es.readableBytes();
        ByteBuf pes = out.alloc().buffer(6 + pesLength);
        try {
            pes.writeMedium(0x000001).writeByte(streamId);
            // PES_packet_length may be 0 (unbounded) only for video (§2.4.3.7)
            pes.writeShort(pesLength > 0xFFFF ? 0 : pesLength);
            pes.writeByte(0x80 | (streamId == TsPacket.STREAM_ID_VIDEO ? 0x04 : 0)); // '10', data_alignment
            pes.writeByte(withDts ? 0xC0 : 0x80);
            pes.writeByte(headerData);
            writeTimestamp(pes, withDts ? 0x3 : 0x2, pts);
            if (withDts) {
                writeTimestamp(pes, 0x1, dts);
            }
            pes.writeBytes(es, es.readerIndex(), es.readableBytes());
            boolean first = true;
            while (pes.isReadable()) {
                int afNeeded = first && (pcr || randomAccess) ? 2 + (pcr ? 6 : 0) : 0;
                int room = TsPacket.SIZE - TsPacket.HEADER_SIZE - afNeeded;
                int n = Math.min(room, pes.readableBytes());
                int stuffing = room - n;
                int afLength = afNeeded == 0 && stuffing == 0 ? -1 : Math.max(afNeeded, 0) + stuffing;
                out.writeByte(TsPacket.SYNC_BYTE);
                out.writeShort((first ? 0x4000 : 0) | pid);
                out.writeByte((afLength >= 0 ? 0x30 : 0x10) | nextCc(pid));
                if (afLength >= 0) {
                    writeAdaptationField(out, afLength, first && randomAccess, first && pcr ? dts : -1);
                }
                out.writeBytes(pes, n);
                first = false;
            }
        } finally {
            pes.release();
        }
    }

    /**
     * An adaptation field (§2.4.3.4) occupying {@code total} bytes of the packet, its length byte
     * included: flags, the optional PCR, then 0xFF stuffing.
     */
    private static void writeAdaptationField(ByteBuf out, int total, boolean randomAccess, long pcr) {
        int length = total - 1; // adaptation_field_length excludes itself
        out.writeByte(length);
        if (length == 0) {
            return;
        }
        out.writeByte((randomAccess ? 0x40 : 0) | (pcr >= 0 ? 0x10 : 0));
        int used = 1;
        if (pcr >= 0) {
            long base = pcr & (TsPacket.TIMESTAMP_MODULUS - 1);
            out.writeInt((int) (base >>> 1));
            out.writeShort((int) ((base & 1) << 15) | 0x7E00); // reserved bits, extension 0
            used += 6;
        }
        out.writeBytes(STUFFING, 0, length - used);
    }

    private static byte[] filled(int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) 0xFF);
        return b;
    }

    private static void writeTimestamp(ByteBuf b, int prefix, long ts) {
        long t = ts & (TsPacket.TIMESTAMP_MODULUS - 1);
        b.writeByte((prefix << 4) | (int) ((t >>> 29) & 0x0E) | 1);
        b.writeShort((int) (((t >>> 14) & 0xFFFE) | 1));
        b.writeShort((int) (((t << 1) & 0xFFFE) | 1));
    }

    private int nextCc(int pid) {
        int c = cc[pid];
        cc[pid] = (c + 1) & 0x0F;
        return c;
    }

    private void writePsi(ByteBuf out) {
        psiWritten = true;
        byte[] pat = section(TsPacket.TABLE_PAT, 1, new byte[] {0, PROGRAM_NUMBER, (byte) (0xE0 | PMT_PID >>> 8), (byte) PMT_PID});
        writeSection(out, TsPacket.PAT_PID, pat);
        writeSection(out, PMT_PID, section(TsPacket.TABLE_PMT, PROGRAM_NUMBER, pmtBody()));
    }

    private byte[] pmtBody() {
        ByteBuf b = Unpooled.buffer(64);
        int pcrPid = video != null ? VIDEO_PID : AUDIO_PID;
        b.writeShort(0xE000 | pcrPid);
        b.writeShort(0xF000); // program_info_length 0
        if (video != null) {
            b.writeByte(video == Codec.H264 ? TsPacket.STREAM_TYPE_H264 : TsPacket.STREAM_TYPE_H265);
            b.writeShort(0xE000 | VIDEO_PID).writeShort(0xF000);
        }
        if (audio == Codec.AAC) {
            b.writeByte(TsPacket.STREAM_TYPE_AAC_ADTS);
            b.writeShort(0xE000 | AUDIO_PID).writeShort(0xF000);
        } else if (audio == Codec.OPUS) {
            b.writeByte(TsPacket.STREAM_TYPE_PRIVATE_PES);
            b.writeShort(0xE000 | AUDIO_PID).writeShort(0xF000 | 10);
            b.writeByte(TsPacket.DESCRIPTOR_REGISTRATION).writeByte(4).writeInt(TsPacket.OPUS_FORMAT_IDENTIFIER);
            b.writeByte(TsPacket.DESCRIPTOR_DVB_EXTENSION).writeByte(2).writeByte(TsPacket.DVB_EXTENSION_OPUS)
                    .writeByte(opusChannels);
        }
        byte[] body = new byte[b.readableBytes()];
        b.readBytes(body);
        b.release();
        return body;
    }

    /** A long-form section (§2.4.4.10 syntax): header, {@code body}, CRC_32; version 0, current. */
    private static byte[] section(int tableId, int idExtension, byte[] body) {
        int sectionLength = 5 + body.length + 4;
        byte[] s = new byte[3 + sectionLength];
        s[0] = (byte) tableId;
        s[1] = (byte) (0xB0 | (sectionLength >>> 8));
        s[2] = (byte) sectionLength;
        s[3] = (byte) (idExtension >>> 8);
        s[4] = (byte) idExtension;
        s[5] = (byte) 0xC1; // reserved, version 0, current_next_indicator 1
        s[6] = 0; // section_number
        s[7] = 0; // last_section_number
        System.arraycopy(body, 0, s, 8, body.length);
        int crc = Crc32Mpeg2.compute(s, 0, s.length - 4);
        s[s.length - 4] = (byte) (crc >>> 24);
        s[s.length - 3] = (byte) (crc >>> 16);
        s[s.length - 2] = (byte) (crc >>> 8);
        s[s.length - 1] = (byte) crc;
        return s;
    }

    /** A section that fits one packet: pointer_field 0, the section, 0xFF stuffing. */
    private void writeSection(ByteBuf out, int pid, byte[] section) {
        out.writeByte(TsPacket.SYNC_BYTE);
        out.writeShort(0x4000 | pid);
        out.writeByte(0x10 | nextCc(pid));
        out.writeByte(0);
        out.writeBytes(section);
        out.writeBytes(STUFFING, 0, TsPacket.SIZE - TsPacket.HEADER_SIZE - 1 - section.length);
    }
}
