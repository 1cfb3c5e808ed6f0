package dev.vireo.bench.source;

import dev.vireo.media.Codec;
import dev.vireo.media.avc.AvcDecoderConfigurationRecord;
import dev.vireo.media.flv.FlvBodyWriter;
import dev.vireo.media.flv.FlvPacketKind;
import dev.vireo.media.flv.FlvReader;
import dev.vireo.media.flv.FlvTag;
import dev.vireo.media.flv.FlvVideoPacket;
import dev.vireo.media.opus.OggOpusFile;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A clip loaded into memory, ready to publish in a loop: the tags sent once at the start
 * (metadata, sequence headers) and the media tags that repeat.
 *
 * @param headers       script data and codec configuration tags, in file order
 * @param media         audio and coded video tags, in file order (AVC end of sequence dropped)
 * @param timeline      how loops follow each other
 * @param nalLengthSize AVC NAL length prefix size (from the AVCDecoderConfigurationRecord)
 * @param videoFramesPerLoop coded video tags per loop
 * @param bytesPerLoop  tag body bytes per loop (what an RTMP viewer receives as payload)
 */
public record SourceClip(List<Tag> headers, List<Tag> media, LoopTimeline timeline, int nalLengthSize,
                  int videoFramesPerLoop, long bytesPerLoop) {

    /** One tag: FLV type (8 audio, 9 video, 18 script), source timestamp, body. */
    public record Tag(int type, long timestamp, byte[] body, boolean codedVideo) {
    }

    /** Payload bitrate of the clip in kbps (audio + video + tag headers excluded). */
    public double kbps() {
        return bytesPerLoop * 8.0 / timeline.loopMs();
    }

    public double fps() {
        return videoFramesPerLoop * 1000.0 / timeline.loopMs();
    }

    /**
     * The same clip with its audio replaced by Opus in enhanced RTMP tags (E-RTMP v2 ExAudioTagHeader,
     * FourCC "Opus"): the OpusHead as SequenceStart, then one 20 ms packet per tag from
     * {@code opus.packets()} (repeated when shorter) across the clip's span. WebRTC carries
     * Opus only, so a WHEP benchmark publishes this rather than AAC (which would make the server
     * transcode).
     */
    SourceClip withOpusAudio(OggOpusFile opus) {
        List<Tag> newHeaders = new ArrayList<>();
        for (Tag t : headers) {
            if (t.type() != FlvTag.AUDIO) {
                newHeaders.add(t);
            }
        }
        newHeaders.add(new Tag(FlvTag.AUDIO, 0, opusBody(FlvPacketKind.CONFIG, opus.head()), false));
        List<Tag> newMedia = new ArrayList<>();
        long bytes = 0;
        for (Tag t : media) {
            if (t.type() != FlvTag.AUDIO) {
                newMedia.add(t);
                bytes += t.body().length;
            }
        }
        long first = timeline.firstMs();
        long end = first + timeline.loopMs();
        int i = 0;
        for (long ts = first; ts < end; ts += OPUS_PACKET_MS, i++) {
            byte[] body = opusBody(FlvPacketKind.CODED, opus.packets().get(i % opus.packets().size()));
            newMedia.add(new Tag(FlvTag.AUDIO, ts, body, false));
            bytes += body.length;
        }
        // stable: at equal timestamps video stays ahead of audio, as ffmpeg writes it
        newMedia.sort(java.util.Comparator.comparingLong(Tag::timestamp));
        return new SourceClip(List.copyOf(newHeaders), List.copyOf(newMedia), timeline, nalLengthSize,
                videoFramesPerLoop, bytes);
    }

    static final int OPUS_PACKET_MS = 20;

    /**
     * The H.264 profile-level-id of the clip (RFC 6184 §8.1: profile_idc, the constraint flags
     * byte and level_idc, as six hex digits), from its AVCDecoderConfigurationRecord.
     */
    public String h264ProfileLevelId() {
        for (Tag t : headers) {
            if (t.type() == FlvTag.VIDEO) {
                FlvVideoPacket p = FlvVideoPacket.parse(Unpooled.wrappedBuffer(t.body()));
                if (p.codec() == Codec.H264 && p.kind() == FlvPacketKind.CONFIG) {
                    AvcDecoderConfigurationRecord r = AvcDecoderConfigurationRecord.parse(p.payload());
                    return String.format(java.util.Locale.ROOT, "%02x%02x%02x", r.profileIndication(),
                            r.profileCompatibility(), r.levelIndication());
                }
            }
        }
        throw new IllegalArgumentException("the clip has no H.264 decoder configuration");
    }

    private static byte[] opusBody(FlvPacketKind kind, byte[] payload) {
        ByteBuf b = FlvBodyWriter.audio(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, Codec.OPUS, kind, Unpooled.wrappedBuffer(payload));
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    public static SourceClip load(Path file) throws IOException {
        ByteBuf bytes = Unpooled.wrappedBuffer(Files.readAllBytes(file));
        List<FlvTag> tags = FlvReader.readAll(bytes);
        try {
            return of(tags);
        } finally {
            tags.forEach(FlvTag::release);
        }
    }

    static SourceClip of(List<FlvTag> tags) {
        List<Tag> headers = new ArrayList<>();
        List<Tag> media = new ArrayList<>();
        int nalLengthSize = 4;
        long firstVideo = -1;
        long lastVideo = -1;
        int videoFrames = 0;
        long bytes = 0;
        for (FlvTag t : tags) {
            byte[] body = ByteBufUtil.getBytes(t.body());
            boolean header;
            boolean coded = false;
            if (t.type() == FlvTag.SCRIPT_DATA) {
                header = true;
            } else if (t.type() == FlvTag.VIDEO) {
                FlvVideoPacket p = FlvVideoPacket.parse(t.body());
                header = p.kind() == FlvPacketKind.CONFIG;
                if (header && p.codec() == Codec.H264) {
                    nalLengthSize = AvcDecoderConfigurationRecord.parse(p.payload()).lengthSize();
                }
                coded = p.kind() == FlvPacketKind.CODED;
                if (!header && !coded) {
                    continue; // the end-of-sequence ffmpeg writes last: not something to loop
                }
                if (coded) {
                    if (firstVideo < 0) {
                        firstVideo = t.timestamp();
                    }
                    lastVideo = t.timestamp();
                    videoFrames++;
                }
            } else {
                // AAC: AACPacketType 0 is the AudioSpecificConfig
                header = body.length >= 2 && (body[0] & 0xF0) == 0xA0 && body[1] == 0;
            }
            Tag tag = new Tag(t.type(), t.timestamp(), body, coded);
            if (header) {
                headers.add(tag);
            } else {
                media.add(tag);
                bytes += body.length;
            }
        }
        if (media.isEmpty() || videoFrames < 2) {
            throw new IllegalArgumentException("clip has no video to loop (" + videoFrames + " coded video tags)");
        }
        long first = media.stream().mapToLong(Tag::timestamp).min().orElseThrow();
        long last = media.stream().mapToLong(Tag::timestamp).max().orElseThrow();
        long interval = Math.round((lastVideo - firstVideo) / (double) (videoFrames - 1));
        return new SourceClip(List.copyOf(headers), List.copyOf(media), LoopTimeline.of(first, last, interval),
                nalLengthSize, videoFrames, bytes);
    }
}
