package dev.vireo.media.ts;

import dev.vireo.media.Codec;
import dev.vireo.media.MediaFormatException;
import dev.vireo.media.avc.AvcDecoderConfigurationRecord;
import dev.vireo.media.hevc.HevcDecoderConfigurationRecord;
import dev.vireo.media.nal.NalUnits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * H.264 / H.265 in PES (ISO/IEC 13818-1 §2.14 / §2.17): one access unit per PES as an Annex B
 * byte stream. The access unit is rewritten with 4-byte length prefixes (access unit delimiters
 * dropped, parameter sets kept in band), and a configuration record (avcC / hvcC) is emitted
 * before it whenever the parameter sets change. Access units before the first complete set of
 * parameter sets cannot be decoded and are dropped.
 */
final class AnnexBParser implements EsParser {

    /** Parameter sets are small; a bigger one is garbage. */
    private static final int MAX_PARAMETER_SET = 4096;

    private final Codec codec;
    private final ByteBufAllocator alloc;
    private final Consumer<TsSample> out;
    private final Consumer<String> onProblem;
    private byte[] vps;
    private byte[] sps;
    private byte[] pps;
    private byte[] config;
    private boolean reportedWaiting;

    AnnexBParser(Codec codec, ByteBufAllocator alloc, Consumer<TsSample> out, Consumer<String> onProblem) {
        this.codec = codec;
        this.alloc = alloc;
        this.out = out;
        this.onProblem = onProblem;
    }

    @Override
    public void pes(ByteBuf payload, boolean hasPts, long pts, long dts) {
        if (!hasPts) {
            onProblem.accept(codec + " PES without PTS dropped");
            return;
        }
        List<ByteBuf> nals;
        try {
            nals = NalUnits.splitAnnexB(payload);
        } catch (MediaFormatException e) {
            onProblem.accept(codec + " access unit dropped: " + e.getMessage());
            return;
        }
        boolean keyframe = false;
        boolean parameterSets = false;
        int size = 0;
        for (ByteBuf nal : nals) {
            int type = NalUnits.type(codec, nal);
            if (isDelimiter(type)) {
                continue;
            }
            size += 4 + nal.readableBytes();
            if (codec == Codec.H264) {
                keyframe |= type == NalUnits.H264_IDR;
                parameterSets |= type == NalUnits.H264_SPS || type == NalUnits.H264_PPS;
            } else {
                keyframe |= type >= NalUnits.H265_IRAP_FIRST && type <= NalUnits.H265_IRAP_LAST;
                parameterSets |= type == NalUnits.H265_VPS || type == NalUnits.H265_SPS || type == NalUnits.H265_PPS;
            }
        }
        if (parameterSets) {
            updateConfig(nals, pts);
        }
        if (config == null) {
            if (!reportedWaiting) {
                reportedWaiting = true;
                onProblem.accept(codec + " access units before the first parameter sets dropped");
            }
            return;
        }
        if (size == 0) {
            return;
        }
        ByteBuf au = alloc.buffer(size);
        for (ByteBuf nal : nals) {
            if (!isDelimiter(NalUnits.type(codec, nal))) {
                au.writeInt(nal.readableBytes()).writeBytes(nal, nal.readerIndex(), nal.readableBytes());
            }
        }
        out.accept(TsSample.media(codec, pts, dts, keyframe, au));
    }

    private boolean isDelimiter(int type) {
        return codec == Codec.H264 ? type == NalUnits.H264_AUD : type == NalUnits.H265_AUD;
    }

    private void updateConfig(List<ByteBuf> nals, long pts) {
        for (ByteBuf nal : nals) {
            int type = NalUnits.type(codec, nal);
            if (nal.readableBytes() > MAX_PARAMETER_SET) {
                continue;
            }
            if (codec == Codec.H264) {
                if (type == NalUnits.H264_SPS) {
                    sps = bytes(nal);
                } else if (type == NalUnits.H264_PPS) {
                    pps = bytes(nal);
                }
            } else if (type == NalUnits.H265_VPS) {
                vps = bytes(nal);
            } else if (type == NalUnits.H265_SPS) {
                sps = bytes(nal);
            } else if (type == NalUnits.H265_PPS) {
                pps = bytes(nal);
            }
        }
        if (sps == null || pps == null || (codec == Codec.H265 && vps == null)) {
            return;
        }
        byte[] record;
        try {
            ByteBuf b = alloc.heapBuffer(64 + sps.length + pps.length + (vps == null ? 0 : vps.length));
            try {
                if (codec == Codec.H264) {
                    AvcDecoderConfigurationRecord.of(sps, pps).write(b);
                } else {
                    HevcDecoderConfigurationRecord.of(vps, sps, pps).write(b);
                }
                record = new byte[b.readableBytes()];
                b.readBytes(record);
            } finally {
                b.release();
            }
        } catch (MediaFormatException e) {
            onProblem.accept(codec + " parameter sets unusable: " + e.getMessage());
            return;
        }
        // (the null test first: Jazzer 0.26's Arrays.equals hook crashes the JVM on a null argument)
        if (config == null || !Arrays.equals(record, config)) {
            config = record;
            out.accept(TsSample.config(codec, pts, alloc.buffer(record.length).writeBytes(record)));
        }
    }

    private static byte[] bytes(ByteBuf nal) {
        byte[] b = new byte[nal.readableBytes()];
        nal.getBytes(nal.readerIndex(), b);
        return b;
    }
}
