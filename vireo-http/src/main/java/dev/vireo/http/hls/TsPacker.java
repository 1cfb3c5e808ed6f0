package dev.vireo.http.hls;

import dev.vireo.core.MediaFrame;
import dev.vireo.media.Codec;
import dev.vireo.media.ts.TsMuxer;
import dev.vireo.media.ts.TsSample;
import io.netty.buffer.ByteBuf;

/**
 * The MPEG-TS side of a segmenter: {@code vireo-media}'s {@link TsMuxer} fed with the stream's
 * frames (ms time stamps to 90 kHz). One per run of segments between discontinuities; every segment
 * starts with PAT/PMT ({@link #startSegment}).
 */
final class TsPacker {

    private final TsMuxer muxer;

    private TsPacker(TsMuxer muxer) {
        this.muxer = muxer;
    }

    /** A packer for these codecs, or null when MPEG-TS cannot carry the video (AV1). */
    static TsPacker of(MediaFrame videoConfig, MediaFrame audioConfig, Codec audioCodec) {
        Codec video = videoConfig == null ? null : videoConfig.codec();
        if (video != null && video != Codec.H264 && video != Codec.H265) {
            return null;
        }
        Codec audio = audioCodec == Codec.AAC || audioCodec == Codec.OPUS ? audioCodec : null;
        if (video == null && audio == null) {
            return null;
        }
        TsPacker p = new TsPacker(new TsMuxer(video, audio));
        ByteBuf sink = io.netty.buffer.Unpooled.buffer(0);
        for (MediaFrame c : new MediaFrame[] {videoConfig, audioConfig}) {
            if (c != null && p.muxer.carries(c.codec())) {
                p.muxer.write(TsSample.config(c.codec(), c.dts() * 90, c.payload().duplicate()), sink);
            }
        }
        return p;
    }

    /**
     * A segment starts: its first packets are PAT and PMT (RFC 8216 §3.2: "Each Transport Stream
     * segment MUST contain a PAT and a PMT [...] at the start"). A keyframe brings them anyway; an
     * audio-only segment would otherwise start wherever the muxer's 500 ms repetition left it.
     */
    void startSegment() {
        muxer.repeatPsi();
    }

    /** Writes a media frame's transport packets to {@code out}. */
    void write(MediaFrame f, ByteBuf out) {
        if (!muxer.carries(f.codec())) {
            return;
        }
        muxer.write(TsSample.media(f.codec(), f.pts() * 90, f.dts() * 90, f.isKeyframe(), f.payload().duplicate()), out);
    }
}
