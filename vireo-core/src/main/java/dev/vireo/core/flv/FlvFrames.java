package dev.vireo.core.flv;

import dev.vireo.core.MediaFrame;
import dev.vireo.media.Codec;
import dev.vireo.media.MediaFormatException;
import dev.vireo.media.UnsupportedCodecException;
import dev.vireo.media.amf.Amf0Reader;
import dev.vireo.media.flv.FlvAudioPacket;
import dev.vireo.media.flv.FlvBodyWriter;
import dev.vireo.media.flv.FlvPacketKind;
import dev.vireo.media.flv.FlvTag;
import dev.vireo.media.flv.FlvVideoPacket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.function.Consumer;

/**
 * FLV tag bodies (= RTMP audio/video/data message payloads) to {@link MediaFrame}s and back.
 *
 * <p>The {@code from*} methods do not take ownership of {@code body} and do not move its
 * indices; a returned frame holds a retained slice of it (no copy). They return {@code null} for
 * packets that carry no frame (end of sequence, command and metadata packets, the empty
 * "silence" audio message, script messages other than onMetaData), telling why to the optional
 * {@code skipped} consumer (meant for a debug log). Malformed bytes raise
 * {@link MediaFormatException}; a well-formed packet of a codec the hub does not carry raises its
 * subtype {@link UnsupportedCodecException}, so a caller may drop that track instead.
 */
public final class FlvFrames {

    private static final Consumer<String> IGNORE = reason -> {
    };

    private FlvFrames() {
    }

    public static MediaFrame fromVideoBody(ByteBuf body, long timestampMs) {
        return fromVideoBody(body, timestampMs, IGNORE);
    }

    public static MediaFrame fromVideoBody(ByteBuf body, long timestampMs, Consumer<String> skipped) {
        FlvVideoPacket p = FlvVideoPacket.parse(body);
        return switch (p.kind()) {
            case CONFIG -> config(p.codec(), timestampMs, p.payload(), skipped);
            case CODED -> {
                if (!p.payload().isReadable()) {
                    skipped.accept("empty " + p.codec() + " frame");
                    yield null;
                }
                yield MediaFrame.media(p.codec(), timestampMs, p.compositionTime(), p.isKeyframe(),
                        p.payload().retainedSlice());
            }
            case END_OF_SEQUENCE -> skip(skipped, p.codec() + " end of sequence");
            case METADATA -> skip(skipped, p.codec() + " video metadata packet");
            case COMMAND -> skip(skipped, "video command frame");
        };
    }

    public static MediaFrame fromAudioBody(ByteBuf body, long timestampMs) {
        return fromAudioBody(body, timestampMs, IGNORE);
    }

    public static MediaFrame fromAudioBody(ByteBuf body, long timestampMs, Consumer<String> skipped) {
        if (!body.isReadable()) {
            // enhanced RTMP v2: an audio message without even a header signals silence
            return skip(skipped, "empty audio message (silence)");
        }
        FlvAudioPacket p = FlvAudioPacket.parse(body);
        return switch (p.kind()) {
            case CONFIG -> config(p.codec(), timestampMs, p.payload(), skipped);
            case CODED -> {
                if (!p.payload().isReadable()) {
                    skipped.accept("empty " + p.codec() + " frame");
                    yield null;
                }
                yield MediaFrame.media(p.codec(), timestampMs, 0, false, p.payload().retainedSlice());
            }
            case END_OF_SEQUENCE -> skip(skipped, p.codec() + " end of sequence");
            case METADATA, COMMAND -> skip(skipped, p.codec() + " audio metadata packet");
        };
    }

    public static MediaFrame fromScriptData(ByteBuf body, long timestampMs) {
        return fromScriptData(body, timestampMs, IGNORE);
    }

    /**
     * An onMetaData frame from script data, with the "@setDataFrame" wrapper of RTMP publishing
     * removed (its payload starts at the "onMetaData" string, as in an FLV file); other script
     * messages are skipped. The whole message is validated as AMF0.
     */
    public static MediaFrame fromScriptData(ByteBuf body, long timestampMs, Consumer<String> skipped) {
        ByteBuf b = body.slice();
        Object name = Amf0Reader.read(b);
        if ("@setDataFrame".equals(name)) {
            int start = b.readerIndex();
            name = Amf0Reader.read(b);
            b.readerIndex(start);
        } else {
            b.readerIndex(0);
        }
        if (!(name instanceof String s)) {
            throw new MediaFormatException("script data does not start with a name but " + describe(name));
        }
        int start = b.readerIndex();
        Amf0Reader.readAll(b.duplicate()); // validate everything we would pass on
        if (!s.equals("onMetaData")) {
            return skip(skipped, "script message " + abbreviate(s) + " ignored");
        }
        return MediaFrame.data(timestampMs, b.retainedSlice(start, b.writerIndex() - start));
    }

    /** A new buffer holding the FLV tag body of {@code frame}; the caller owns it. */
    public static ByteBuf body(MediaFrame frame) {
        ByteBuf out = ByteBufAllocator.DEFAULT.buffer(bodySize(frame));
        try {
            writeBody(out, frame);
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        return out;
    }

    /**
     * The time stamp a frame's FLV tag (or RTMP message) carries: its dts, but always 0 for
     * onMetaData. Metadata describes the stream, not a moment in it, and players treat it so
     * only at time 0: ffmpeg's FLV demuxer (libavformat flvdec.c) takes an onMetaData tag with a
     * non-zero time stamp for a timed-text packet and lists an extra "text" subtitle stream. Our
     * metadata is re-timed whenever a stream is not on the publisher's time line from 0 (the
     * transcoder's outputs, a reconnected publisher's rebased stream, a viewer joining late).
     */
    public static long tagTimestamp(MediaFrame frame) {
        return frame.isData() ? 0 : frame.dts();
    }

    /** The FLV tag type of {@code frame}: audio, video or script data. */
    static int tagType(MediaFrame frame) {
        return switch (frame.track()) {
            case VIDEO -> FlvTag.VIDEO;
            case AUDIO -> FlvTag.AUDIO;
            case DATA -> FlvTag.SCRIPT_DATA;
        };
    }

    static int bodySize(MediaFrame frame) {
        int n = frame.payload().readableBytes();
        return switch (frame.track()) {
            case VIDEO -> FlvBodyWriter.videoHeaderSize(frame.codec(), kind(frame), frame.cts()) + n;
            case AUDIO -> FlvBodyWriter.audioHeaderSize(frame.codec()) + n;
            case DATA -> n;
        };
    }

    static void writeBody(ByteBuf out, MediaFrame frame) {
        ByteBuf payload = frame.payload();
        switch (frame.track()) {
            case VIDEO -> FlvBodyWriter.writeVideoHeader(out, frame.codec(), kind(frame), frame.isKeyframe(), frame.cts());
            case AUDIO -> FlvBodyWriter.writeAudioHeader(out, frame.codec(), kind(frame), payload);
            case DATA -> {
            }
        }
        out.writeBytes(payload, payload.readerIndex(), payload.readableBytes());
    }

    private static FlvPacketKind kind(MediaFrame frame) {
        return frame.isConfig() ? FlvPacketKind.CONFIG : FlvPacketKind.CODED;
    }

    private static MediaFrame config(Codec codec, long timestampMs, ByteBuf payload, Consumer<String> skipped) {
        if (!payload.isReadable()) {
            return skip(skipped, "empty " + codec + " sequence header");
        }
        return MediaFrame.config(codec, timestampMs, payload.retainedSlice());
    }

    private static MediaFrame skip(Consumer<String> skipped, String reason) {
        skipped.accept(reason);
        return null;
    }

    private static String describe(Object value) {
        return value == null ? "null" : value.getClass().getSimpleName();
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? '"' + s + '"' : '"' + s.substring(0, 64) + "...\"";
    }
}
