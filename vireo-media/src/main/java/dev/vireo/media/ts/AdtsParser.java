package dev.vireo.media.ts;

import dev.vireo.media.Codec;
import dev.vireo.media.MediaFormatException;
import dev.vireo.media.aac.AdtsHeader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * AAC in ADTS (ISO/IEC 13818-7 §6.2, stream_type 0x0F): a PES holds one or more ADTS frames, and a
 * frame may continue in the next PES. Each frame becomes a raw AAC sample; an
 * AudioSpecificConfig sample is emitted first and whenever the stream's parameters change. The
 * PES time stamp belongs to the first frame that starts in it (§2.4.3.7); the frames after it are
 * 1024 samples apart.
 */
final class AdtsParser implements EsParser {

    private static final int SAMPLES_PER_FRAME = 1024;
    /** aac_frame_length is 13 bits. */
    private static final int MAX_FRAME = 0x1FFF;

    private final ByteBufAllocator alloc;
    private final Consumer<TsSample> out;
    private final Consumer<String> onProblem;
    /** The start of a frame that continues in the next PES. */
    private final ByteBuf partial;
    private long partialPts;
    private long nextPts = Long.MIN_VALUE;
    private byte[] config;

    AdtsParser(ByteBufAllocator alloc, Consumer<TsSample> out, Consumer<String> onProblem) {
        this.alloc = alloc;
        this.out = out;
        this.onProblem = onProblem;
        this.partial = alloc.heapBuffer(MAX_FRAME, MAX_FRAME);
    }

    @Override
    public void pes(ByteBuf payload, boolean hasPts, long pts, long dts) {
        ByteBuf in = payload.duplicate();
        if (partial.isReadable()) {
            completePartial(in);
            if (partial.isReadable()) {
                return; // the frame continues in the next PES; no frame started in this one
            }
        }
        if (hasPts) {
            nextPts = pts;
        } else if (nextPts == Long.MIN_VALUE) {
            onProblem.accept("AAC PES without PTS dropped");
            return;
        }
        frames(in, nextPts, true);
    }

    /** Completes the frame begun in the previous PES with the first bytes of {@code in}. */
    private void completePartial(ByteBuf in) {
        if (partial.readableBytes() < AdtsHeader.SIZE) {
            partial.writeBytes(in, Math.min(AdtsHeader.SIZE - partial.readableBytes(), in.readableBytes()));
            if (partial.readableBytes() < AdtsHeader.SIZE) {
                return;
            }
        }
        AdtsHeader h = header(partial);
        if (h == null) {
            return;
        }
        partial.writeBytes(in, Math.min(h.frameLength() - partial.readableBytes(), in.readableBytes()));
        if (partial.readableBytes() >= h.frameLength()) {
            frames(partial, partialPts, false);
            partial.clear();
        }
    }

    /**
     * Emits the complete frames of {@code in}, the first at {@code pts}; keeps an incomplete tail
     * in {@link #partial} when allowed. Frame k is at pts + k·1024 samples, computed from the PES
     * time stamp each time so rounding does not accumulate.
     */
    private void frames(ByteBuf in, long pts, boolean keepTail) {
        long samples = 0;
        int rate = 0;
        while (in.readableBytes() >= AdtsHeader.SIZE) {
            AdtsHeader h;
            try {
                h = AdtsHeader.parse(in);
            } catch (MediaFormatException e) {
                onProblem.accept("AAC: " + e.getMessage() + "; resynchronising");
                if (!resync(in)) {
                    return;
                }
                continue;
            }
            if (in.readableBytes() < h.frameLength()) {
                break;
            }
            if (rate != 0 && rate != h.sampleRate()) {
                pts = at(pts, samples, rate); // the rate changed mid-PES: restart the count from here
                samples = 0;
            }
            rate = h.sampleRate();
            long t = at(pts, samples, rate);
            samples += (long) SAMPLES_PER_FRAME * h.rawDataBlocks();
            if (h.rawDataBlocks() != 1) {
                onProblem.accept("ADTS frame with " + h.rawDataBlocks() + " raw data blocks dropped (not supported)");
                in.skipBytes(h.frameLength());
                continue;
            }
            byte[] asc = h.audioSpecificConfig();
            // (the null test first: Jazzer 0.26's Arrays.equals hook crashes the JVM on a null argument)
            if (config == null || !Arrays.equals(asc, config)) {
                config = asc;
                out.accept(TsSample.config(Codec.AAC, t, alloc.buffer(asc.length).writeBytes(asc)));
            }
            ByteBuf frame = alloc.buffer(h.payloadLength());
            frame.writeBytes(in, in.readerIndex() + h.headerLength(), h.payloadLength());
            in.skipBytes(h.frameLength());
            out.accept(TsSample.media(Codec.AAC, t, t, false, frame));
        }
        long next = rate == 0 ? pts : at(pts, samples, rate);
        nextPts = next;
        if (in.isReadable()) {
            if (keepTail) {
                partialPts = next;
                partial.clear().writeBytes(in);
            } else {
                in.skipBytes(in.readableBytes());
            }
        }
    }

    private static long at(long pts, long samples, int rate) {
        return pts + samples * TsSample.CLOCK / rate;
    }

    /** Skips to the next 0xFFF syncword after the current position; false when none is left. */
    private static boolean resync(ByteBuf in) {
        for (int i = in.readerIndex() + 1; i + 1 < in.writerIndex(); i++) {
            if (in.getUnsignedByte(i) == 0xFF && (in.getUnsignedByte(i + 1) & 0xF6) == 0xF0) {
                in.readerIndex(i);
                return true;
            }
        }
        in.skipBytes(in.readableBytes());
        return false;
    }

    private AdtsHeader header(ByteBuf b) {
        try {
            return AdtsHeader.parse(b);
        } catch (MediaFormatException e) {
            onProblem.accept("AAC frame continued from the previous PES dropped: " + e.getMessage());
            b.clear();
            return null;
        }
    }

    @Override
    public void discontinuity() {
        partial.clear();
    }

    @Override
    public void release() {
        partial.release();
    }
}
