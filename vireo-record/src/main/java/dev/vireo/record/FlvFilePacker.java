package dev.vireo.record;

import dev.vireo.core.MediaFrame;
import dev.vireo.core.flv.FlvFrames;
import dev.vireo.media.Codec;
import dev.vireo.media.flv.FlvHeader;
import dev.vireo.media.flv.FlvTag;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.List;

/**
 * FLV files (FLV v10.1 §E.2–E.4; enhanced FLV for HEVC, AV1 and Opus, as the RTMP side writes
 * them): the header, the sequence headers at time 0, then per chunk the GOP's audio and video tags
 * in decoding order, time stamps counted from the file's first frame. Tag bodies come from core's
 * {@link FlvFrames}, the same bytes RTMP and HTTP-FLV send.
 */
final class FlvFilePacker implements FilePacker {

    private final Codec videoCodec;
    private final Codec audioCodec;
    private final long startDts;
    private final byte[] header;

    private FlvFilePacker(MediaFrame videoConfig, MediaFrame audioConfig, Codec audioCodec, long startDts) {
        this.videoCodec = videoConfig == null ? null : videoConfig.codec();
        this.audioCodec = audioCodec;
        this.startDts = startDts;
        ByteBuf out = Unpooled.buffer(256);
        new FlvHeader(audioCodec != null, videoConfig != null).write(out);
        if (videoConfig != null) {
            tag(out, FlvTag.VIDEO, 0, videoConfig);
        }
        if (audioConfig != null) {
            tag(out, FlvTag.AUDIO, 0, audioConfig);
        }
        header = ByteBufUtil.getBytes(out);
    }

    /** Null when there is nothing to record: no video configuration and no AAC (with its config) or Opus audio. */
    static FlvFilePacker of(MediaFrame videoConfig, MediaFrame audioConfig, Codec audioCodec, long startDts) {
        boolean audio = audioCodec == Codec.AAC && audioConfig != null || audioCodec == Codec.OPUS;
        if (videoConfig == null && !audio) {
            return null;
        }
        return new FlvFilePacker(videoConfig, audio ? audioConfig : null, audio ? audioCodec : null, startDts);
    }

    @Override
    public byte[] header() {
        return header.clone();
    }

    @Override
    public boolean carries(MediaFrame f) {
        return f.isVideo() ? videoCodec != null && f.codec() == videoCodec
                : f.isAudio() && audioCodec != null && f.codec() == audioCodec;
    }

    @Override
    public byte[] chunk(List<MediaFrame> video, long videoEndDts, List<MediaFrame> audio) {
        if (video.isEmpty() && audio.isEmpty()) {
            return null;
        }
        ByteBuf out = Unpooled.buffer(4096);
        int v = 0;
        int a = 0;
        // FLV v10.1 §E.4.1: tags in time stamp order; at equal times video first (a keyframe opens the chunk)
        while (v < video.size() || a < audio.size()) {
            boolean takeVideo = a >= audio.size() || v < video.size() && video.get(v).dts() <= audio.get(a).dts();
            MediaFrame f = takeVideo ? video.get(v++) : audio.get(a++);
            tag(out, takeVideo ? FlvTag.VIDEO : FlvTag.AUDIO, Math.max(0, f.dts() - startDts), f);
        }
        return ByteBufUtil.getBytes(out);
    }

    private static void tag(ByteBuf out, int type, long timestamp, MediaFrame f) {
        ByteBuf body = FlvFrames.body(f);
        try {
            FlvTag.write(out, type, timestamp, body);
        } finally {
            body.release();
        }
    }
}
