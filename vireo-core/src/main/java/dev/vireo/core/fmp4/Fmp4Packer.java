package dev.vireo.core.fmp4;

import dev.vireo.core.MediaFrame;
import dev.vireo.media.Codec;
import dev.vireo.media.CodecConfigs;
import dev.vireo.media.TrackInfo;
import dev.vireo.media.mp4.InitSegment;
import dev.vireo.media.mp4.MediaFragment;
import dev.vireo.media.mp4.Mp4Sample;
import dev.vireo.media.mp4.Mp4Track;
import dev.vireo.media.opus.OpusHead;
import dev.vireo.media.ts.OpusToc;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;

/**
 * A stream's frames as fragmented MP4 (CMAF): the initialization segment for its codecs and movie
 * fragments of frame lists (one per LL-HLS part, one per recorded GOP), with {@code vireo-media}'s
 * writer. Pure: no I/O. Video runs on a 90 kHz
 * timescale (the frames' ms time stamps × 90); audio on its sample rate, each AAC frame 1024
 * samples and each Opus packet what its TOC says, so the audio time line has no rounding gaps.
 * One per run of fragments with one configuration (a new one after a discontinuity). Not
 * thread-safe.
 */
public final class Fmp4Packer {

    static final int VIDEO_TRACK = 1;
    static final int AUDIO_TRACK = 2;
    private static final int AAC_FRAME = 1024;

    private final Mp4Track video;
    private final Mp4Track audio;
    private final byte[] init;
    private int sequence;
    private long nextAudioTicks = Long.MIN_VALUE;

    private Fmp4Packer(Mp4Track video, Mp4Track audio) {
        this.video = video;
        this.audio = audio;
        List<Mp4Track> tracks = new ArrayList<>(2);
        if (video != null) {
            tracks.add(video);
        }
        if (audio != null) {
            tracks.add(audio);
        }
        ByteBuf out = Unpooled.buffer(1024);
        try {
            InitSegment.write(tracks, out);
            this.init = ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }

    /**
     * A packer for the stream's configuration, or null when none of its tracks can be carried.
     * An Opus stream without OpusHead gets the WebRTC one (stereo, 48 kHz).
     */
    public static Fmp4Packer of(MediaFrame videoConfig, MediaFrame audioConfig, Codec audioCodec) {
        Mp4Track v = null;
        if (videoConfig != null) {
            TrackInfo info = CodecConfigs.describe(videoConfig.codec(), videoConfig.payload().duplicate()).orElse(null);
            if (info != null) {
                v = new Mp4Track(VIDEO_TRACK, videoConfig.codec(), 90_000, bytes(videoConfig), info.width(),
                        info.height(), 0, 0);
            }
        }
        Mp4Track a = null;
        if (audioCodec == Codec.AAC && audioConfig != null) {
            TrackInfo info = CodecConfigs.describe(Codec.AAC, audioConfig.payload().duplicate()).orElse(null);
            if (info != null) {
                // the timescale is the core rate: 1024 ticks per frame also with SBR
                int rate = dev.vireo.media.aac.AudioSpecificConfig.parse(audioConfig.payload().duplicate()).sampleRate();
                a = new Mp4Track(AUDIO_TRACK, Codec.AAC, rate, bytes(audioConfig), 0, 0, info.channels(), rate);
            }
        } else if (audioCodec == Codec.OPUS) {
            byte[] head;
            if (audioConfig != null) {
                head = bytes(audioConfig);
            } else {
                ByteBuf b = Unpooled.buffer(19);
                try {
                    new OpusHead(2, 312, 48_000, 0, 0).write(b);
                    head = ByteBufUtil.getBytes(b);
                } finally {
                    b.release();
                }
            }
            int channels = OpusHead.parse(Unpooled.wrappedBuffer(head)).channels();
            a = new Mp4Track(AUDIO_TRACK, Codec.OPUS, 48_000, head, 0, 0, channels, 48_000);
        }
        return v == null && a == null ? null : new Fmp4Packer(v, a);
    }

    private static byte[] bytes(MediaFrame f) {
        return ByteBufUtil.getBytes(f.payload(), f.payload().readerIndex(), f.payload().readableBytes());
    }

    public byte[] init() {
        return init;
    }

    public boolean carries(MediaFrame f) {
        return f.isVideo() ? video != null && f.codec() == video.codec() : audio != null && f.codec() == audio.codec();
    }

    /**
     * One fragment: the video frames (each lasting until the next one, the last until
     * {@code videoEndDts}, at most 2^31 - 1 ticks) and the audio frames, or null when there is
     * nothing it carries.
     */
    public byte[] fragment(List<MediaFrame> videoFrames, long videoEndDts, List<MediaFrame> audioFrames) {
        List<MediaFragment.TrackRun> runs = new ArrayList<>(2);
        if (video != null && !videoFrames.isEmpty()) {
            List<Mp4Sample> samples = new ArrayList<>(videoFrames.size());
            for (int i = 0; i < videoFrames.size(); i++) {
                MediaFrame f = videoFrames.get(i);
                long next = i + 1 < videoFrames.size() ? videoFrames.get(i + 1).dts() : videoEndDts;
                // a publisher's time stamp jump (over 6.6 h: 2^31 ticks) must not wrap to a negative
                // duration (found by Fmp4PackerJazzerTest): the sample lasts as long as one can
                long ticks = Math.min(Math.max(0, next - f.dts()) * 90, Integer.MAX_VALUE);
                // an MPEG-TS source's PTS - DTS may reach 2^33 ticks: the int offset saturates instead of wrapping
                long offset = Math.clamp((long) f.cts() * 90, Integer.MIN_VALUE, Integer.MAX_VALUE);
                samples.add(new Mp4Sample((int) ticks, (int) offset, f.isKeyframe(), f.payload()));
            }
            runs.add(new MediaFragment.TrackRun(VIDEO_TRACK, videoFrames.getFirst().dts() * 90, samples));
        }
        if (audio != null && !audioFrames.isEmpty()) {
            List<Mp4Sample> samples = new ArrayList<>(audioFrames.size());
            long base = audioTicks(audioFrames.getFirst());
            long ticks = base;
            for (MediaFrame f : audioFrames) {
                int duration = audioDuration(f);
                samples.add(new Mp4Sample(duration, 0, true, f.payload()));
                ticks += duration;
            }
            nextAudioTicks = ticks;
            runs.add(new MediaFragment.TrackRun(AUDIO_TRACK, base, samples));
        }
        if (runs.isEmpty()) {
            return null;
        }
        ByteBuf out = Unpooled.buffer(4096);
        try {
            MediaFragment.write(++sequence, runs, out);
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }

    /**
     * Where an audio run starts: right after the previous one when the frame's own time is within
     * two frames of it (ms time stamps only approximate sample counts), else at the frame's time (a gap).
     */
    private long audioTicks(MediaFrame first) {
        long own = first.dts() * audio.timescale() / 1000;
        if (nextAudioTicks != Long.MIN_VALUE && Math.abs(own - nextAudioTicks) <= 2L * audioDuration(first)) {
            return nextAudioTicks;
        }
        return own;
    }

    private int audioDuration(MediaFrame f) {
        if (audio.codec() == Codec.OPUS) {
            int n = OpusToc.samples(f.payload(), f.payload().readerIndex(), f.payload().readableBytes());
            return n > 0 ? n : 960;
        }
        return AAC_FRAME;
    }
}
