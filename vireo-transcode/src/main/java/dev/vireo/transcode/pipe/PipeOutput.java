package dev.vireo.transcode.pipe;

import dev.vireo.core.MediaFrame;
import dev.vireo.core.flv.FlvFrames;
import dev.vireo.media.flv.FlvReader;
import dev.vireo.media.flv.FlvTag;
import dev.vireo.media.ts.TsDemuxer;
import dev.vireo.media.ts.TsSample;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * Reads what ffmpeg writes to stdout and turns it into hub frames on the source's time line
 * (the job's base + ffmpeg's time stamp). One per ffmpeg process, fed from its reader thread.
 */
public sealed interface PipeOutput permits PipeOutput.Flv, PipeOutput.Ts {

    static PipeOutput of(PipeFormat format, TimeBase time, Consumer<MediaFrame> sink, Logger log, String prefix) {
        return format == PipeFormat.FLV ? new Flv(time, sink) : new Ts(time, sink, log, prefix);
    }

    /**
     * Bytes as read.
     *
     * @throws dev.vireo.media.MediaFormatException when the stream is not what ffmpeg should write
     */
    void feed(byte[] bytes, int length);

    /** End of the stream: releases buffers. */
    void close();

    /**
     * The whole periods of {@code modulus} to add to a time stamp written modulo {@code modulus}
     * so that it lands nearest {@code input} (ffmpeg's output is seconds from its input).
     */
    private static long nearestPeriods(long input, long written, long modulus) {
        return Math.floorDiv(input - written + modulus / 2, modulus) * modulus;
    }

    /**
     * FLV (H.264/AAC outputs), millisecond time stamps. ffmpeg's FLV muxer writes 31 of the tag's
     * 32 time stamp bits (the extended byte's top bit is left 0: the field is signed), so its time
     * wraps every 2^31 ms, 24.8 days: as for MPEG-TS, the first audio or video tag of a process is
     * placed in the period nearest the latest input ({@link TimeBase#latestInput()}), and later
     * ones go on across a wrap; what ffmpeg writes with its header at 0 (onMetaData, sequence
     * headers) is kept at or before the input.
     */
    final class Flv implements PipeOutput {
        /** 2^31: the period of the time stamps ffmpeg's FLV muxer writes, in milliseconds. */
        static final long TIMESTAMP_MODULUS = 1L << 31;

        private final TimeBase time;
        private final Consumer<MediaFrame> sink;
        private final FlvReader reader = new FlvReader();
        private final ByteBuf acc = ByteBufAllocator.DEFAULT.heapBuffer(64 * 1024);
        /** Milliseconds added to this process's time stamps (whole periods); MIN_VALUE before its first media tag. */
        private long periods = Long.MIN_VALUE;
        /** The latest media tag's time stamp as written (within one period). */
        private long lastWritten;

        Flv(TimeBase time, Consumer<MediaFrame> sink) {
            this.time = time;
            this.sink = sink;
        }

        /** A tag's time on ffmpeg's line, continued across ffmpeg's 31-bit wrap. */
        private long unwrap(FlvTag tag) {
            long written = tag.timestamp() & (TIMESTAMP_MODULUS - 1);
            boolean media = tag.type() == FlvTag.VIDEO || tag.type() == FlvTag.AUDIO;
            if (periods == Long.MIN_VALUE && (!media || written == 0)) {
                // what ffmpeg writes with its header, at 0 (onMetaData, the sequence headers): in the
                // period that keeps it at or before the input, not after the media that follows
                long input = time.latestInput();
                return written + (input == Long.MIN_VALUE ? 0
                        : Math.floorDiv(input - written, TIMESTAMP_MODULUS) * TIMESTAMP_MODULUS);
            }
            if (!media) {
                return written + periods;
            }
            if (periods == Long.MIN_VALUE) {
                long input = time.latestInput();
                periods = input == Long.MIN_VALUE ? 0
                        : nearestPeriods(input, written, TIMESTAMP_MODULUS);
            } else if (written - lastWritten < -TIMESTAMP_MODULUS / 2) {
                periods += TIMESTAMP_MODULUS; // wrapped forwards
            } else if (written - lastWritten > TIMESTAMP_MODULUS / 2) {
                periods -= TIMESTAMP_MODULUS; // a frame from just before the wrap, after one past it
            }
            lastWritten = written;
            return written + periods;
        }

        @Override
        public void feed(byte[] bytes, int length) {
            acc.writeBytes(bytes, 0, length);
            for (FlvTag tag = reader.next(acc); tag != null; tag = reader.next(acc)) {
                MediaFrame f;
                // a copy of exactly the body: frames live on in the GOP cache, the read buffer is reused
                ByteBuf body = ByteBufAllocator.DEFAULT.buffer(tag.body().readableBytes()).writeBytes(tag.body());
                try {
                    long ts = unwrap(tag) + time.base();
                    f = switch (tag.type()) {
                        case FlvTag.VIDEO -> FlvFrames.fromVideoBody(body, ts);
                        case FlvTag.AUDIO -> FlvFrames.fromAudioBody(body, ts);
                        default -> FlvFrames.fromScriptData(body, ts);
                    };
                } finally {
                    body.release();
                    tag.release();
                }
                if (f != null) {
                    sink.accept(f);
                }
            }
            acc.discardReadBytes();
        }

        @Override
        public void close() {
            acc.release();
        }
    }

    /**
     * MPEG-TS (Opus or H.265 outputs), 90 kHz time stamps mapped back to milliseconds. They are 33
     * bits (ISO/IEC 13818-1 §2.4.3.7): ffmpeg writes its time modulo 2^33 ticks, 26.5 hours, and
     * the demuxer continues them across the wrap from the process's first one; which period that
     * first one is in comes from the input ffmpeg was given ({@link TimeBase#latestInput()}), so a
     * process started (restarted) after 26.5 hours of the job's time line is on it too.
     */
    final class Ts implements PipeOutput, TsDemuxer.Listener {
        /** 2^33: the period of MPEG-TS time stamps in 90 kHz ticks. */
        static final long TIMESTAMP_MODULUS = 1L << 33;

        private final TimeBase time;
        private final Consumer<MediaFrame> sink;
        private final Logger log;
        private final String prefix;
        private final TsDemuxer demuxer = new TsDemuxer(this);
        private final ByteBuf acc = ByteBufAllocator.DEFAULT.heapBuffer(64 * 1024);
        /** Ticks added to this process's time stamps (whole periods); MIN_VALUE before its first sample. */
        private long periods = Long.MIN_VALUE;

        Ts(TimeBase time, Consumer<MediaFrame> sink, Logger log, String prefix) {
            this.time = time;
            this.sink = sink;
            this.log = log;
            this.prefix = prefix;
        }

        @Override
        public void feed(byte[] bytes, int length) {
            acc.writeBytes(bytes, 0, length);
            demuxer.feed(acc);
            acc.discardReadBytes();
        }

        @Override
        public void onSample(TsSample s) {
            if (periods == Long.MIN_VALUE) {
                long input = time.latestInput();
                // the period that puts the first output nearest to the input (they are seconds apart)
                periods = input == Long.MIN_VALUE ? 0
                        : nearestPeriods(input * 90, s.dts(), TIMESTAMP_MODULUS);
            }
            // ffmpeg wrote exactly ms * 90 for what went in as ms; rounding only matters for encoder-made times
            long base = time.base();
            long dts = Math.floorDiv(s.dts() + periods + 45, 90) + base;
            long pts = Math.floorDiv(s.pts() + periods + 45, 90) + base;
            sink.accept(s.config() ? MediaFrame.config(s.codec(), dts, s.payload())
                    : MediaFrame.media(s.codec(), dts, (int) (pts - dts), s.keyframe(), s.payload()));
        }

        @Override
        public void onProblem(String description) {
            log.warn("{} unexpected MPEG-TS from ffmpeg: {}", prefix, description);
        }

        @Override
        public void close() {
            demuxer.flush();
            demuxer.close();
            acc.release();
        }
    }
}
