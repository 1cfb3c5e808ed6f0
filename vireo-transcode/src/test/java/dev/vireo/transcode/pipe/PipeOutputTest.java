package dev.vireo.transcode.pipe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.MediaFrame;
import dev.vireo.media.Codec;
import dev.vireo.media.amf.Amf0Writer;
import dev.vireo.media.flv.FlvHeader;
import dev.vireo.media.flv.FlvTag;
import dev.vireo.media.opus.OpusHead;
import dev.vireo.media.ts.TsMuxer;
import dev.vireo.media.ts.TsSample;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * What ffmpeg's stdout becomes: frames on the job's (the source's) time line. MPEG-TS time stamps
 * are 33 bits of 90 kHz: ffmpeg, run with -copyts, writes its time modulo 2^33 (26.5 hours); its
 * FLV muxer writes 31 bits of milliseconds (24.8 days).
 */
class PipeOutputTest {

    private static final long HOUR_MS = 3_600_000L;

    @Test
    void aProcessStartedAfter26HoursOfTheJobIsReadOnItsTimeLine() {
        TimeBase time = new TimeBase();
        long first = 5_000; // the job's first source frame
        time.media(first);
        // 27 hours later ffmpeg restarts (a crash, new source parameters): the frames it gets now
        long later = first + 27 * HOUR_MS;
        long onFfmpeg = time.media(later);
        assertThat(onFfmpeg * 90).as("past the 33-bit period").isGreaterThan(1L << 33);

        List<MediaFrame> got = readFfmpegOpus(time, onFfmpeg, 10);
        try {
            List<Long> dts = got.stream().filter(f -> !f.isConfig()).map(MediaFrame::dts).toList();
            List<Long> expected = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                expected.add(later + 20L * i);
            }
            // the old reading put them 26.5 hours back, where the publisher drops them all (a frozen variant)
            assertThat(dts).isEqualTo(expected);
        } finally {
            got.forEach(MediaFrame::release);
        }
    }

    @Test
    void aProcessWhoseOutputWrapsGoesOnAcrossTheWrap() {
        TimeBase time = new TimeBase();
        time.media(0);
        long wrapMs = (1L << 33) / 90; // 26.5 h on ffmpeg's line
        long start = wrapMs - 50; // two frames before the wrap, three after it
        long source = start + time.base();
        long onFfmpeg = time.media(source);

        List<MediaFrame> got = readFfmpegOpus(time, onFfmpeg, 5);
        try {
            assertThat(got.stream().filter(f -> !f.isConfig()).map(MediaFrame::dts).toList())
                    .containsExactly(source, source + 20, source + 40, source + 60, source + 80);
        } finally {
            got.forEach(MediaFrame::release);
        }
    }

    @Test
    void anFlvProcessStartedAfter25DaysOfTheJobIsReadOnItsTimeLine() {
        TimeBase time = new TimeBase();
        long first = 5_000;
        time.media(first);
        long later = first + 30 * 24 * HOUR_MS; // a template's ffmpeg restarted on day 30
        long onFfmpeg = time.media(later);
        assertThat(onFfmpeg).as("past FLV's 31 bits").isGreaterThan(1L << 31);

        List<MediaFrame> got = readFfmpegAac(time, onFfmpeg, 5);
        try {
            // the old reading put them 24.8 days back, where the publisher drops them all (a frozen rendition)
            assertThat(got.stream().filter(f -> f.isAudio() && !f.isConfig()).map(MediaFrame::dts).toList())
                    .containsExactly(later, later + 21, later + 42, later + 63, later + 84);
            assertThat(got.stream().filter(f -> !f.isAudio() || f.isConfig()).map(MediaFrame::dts).toList())
                    .as("its onMetaData and AAC header, at ffmpeg's 0, not after the media").hasSize(2).allSatisfy(t ->
                            assertThat(t).isBetween(later - (1L << 31), later));
        } finally {
            got.forEach(MediaFrame::release);
        }
    }

    @Test
    void anFlvProcessWhoseOutputWrapsGoesOnAcrossTheWrap() {
        TimeBase time = new TimeBase();
        time.media(0);
        long start = (1L << 31) - 50; // ffmpeg's FLV time wraps after two of the frames
        long source = start + time.base();
        long onFfmpeg = time.media(source);

        List<MediaFrame> got = readFfmpegAac(time, onFfmpeg, 5);
        try {
            assertThat(got.stream().filter(f -> f.isAudio() && !f.isConfig()).map(MediaFrame::dts).toList())
                    .containsExactly(source, source + 21, source + 42, source + 63, source + 84);
        } finally {
            got.forEach(MediaFrame::release);
        }
    }

    /**
     * An onMetaData and an AAC sequence header at 0 and {@code n} AAC frames 21 ms apart from {@code ms} on ffmpeg's line, as
     * ffmpeg's FLV muxer writes them (31 time stamp bits), read back.
     */
    private static List<MediaFrame> readFfmpegAac(TimeBase time, long ms, int n) {
        ByteBuf flv = Unpooled.buffer();
        new FlvHeader(true, false).write(flv);
        ByteBuf meta = Unpooled.buffer();
        Amf0Writer.writeAll(meta, "onMetaData", java.util.Map.of("audiocodecid", 10.0));
        FlvTag.write(flv, FlvTag.SCRIPT_DATA, 0, meta);
        meta.release();
        FlvTag.write(flv, FlvTag.AUDIO, 0, Unpooled.wrappedBuffer(new byte[] {(byte) 0xAF, 0, 0x12, 0x10})); // as ffmpeg: at 0
        for (int i = 0; i < n; i++) {
            FlvTag.write(flv, FlvTag.AUDIO, ms + 21L * i & 0x7FFFFFFF, Unpooled.wrappedBuffer(new byte[] {(byte) 0xAF, 1, 0x21, 0x10}));
        }
        List<MediaFrame> got = new ArrayList<>();
        PipeOutput out = PipeOutput.of(PipeFormat.FLV, time, got::add, LoggerFactory.getLogger(PipeOutputTest.class), "[test]");
        byte[] bytes = ByteBufUtil.getBytes(flv);
        flv.release();
        out.feed(bytes, bytes.length);
        out.close();
        return got;
    }

    /** {@code n} 20 ms Opus frames from {@code ms} on ffmpeg's line as ffmpeg's MPEG-TS carries them, read back. */
    private static List<MediaFrame> readFfmpegOpus(TimeBase time, long ms, int n) {
        TsMuxer mux = new TsMuxer(null, Codec.OPUS);
        ByteBuf ts = Unpooled.buffer();
        ByteBuf head = Unpooled.buffer(19);
        new OpusHead(2, 312, 48_000, 0, 0).write(head);
        mux.write(TsSample.config(Codec.OPUS, ms * 90, head), ts);
        for (int i = 0; i < n; i++) {
            long ticks = (ms + 20L * i) * 90 & (1L << 33) - 1; // what a 33-bit field holds
            byte[] packet = new byte[60];
            packet[0] = (byte) 0xFC; // CELT 20 ms, one frame
            mux.write(TsSample.media(Codec.OPUS, ticks, ticks, false, Unpooled.wrappedBuffer(packet)), ts);
        }
        List<MediaFrame> got = new ArrayList<>();
        PipeOutput out = PipeOutput.of(PipeFormat.MPEGTS, time, got::add, LoggerFactory.getLogger(PipeOutputTest.class),
                "[test]");
        byte[] bytes = ByteBufUtil.getBytes(ts);
        ts.release();
        head.release();
        out.feed(bytes, bytes.length);
        out.close();
        return got;
    }
}
