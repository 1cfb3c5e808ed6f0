package dev.vireo.rtmp;

import dev.vireo.core.MediaFrame;
import dev.vireo.core.Publication;
import dev.vireo.core.flv.FlvFrames;
import dev.vireo.media.Codec;
import dev.vireo.media.MediaFormatException;
import dev.vireo.media.TrackType;
import dev.vireo.media.UnsupportedCodecException;
import dev.vireo.media.amf.Amf0Reader;
import dev.vireo.media.amf.Amf0Writer;
import dev.vireo.media.amf.AmfException;
import dev.vireo.media.av1.Av1CodecConfigurationRecord;
import dev.vireo.media.av1.Av1Obus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A NetStream that publishes: audio (8), video (9) and data (18, 15) messages become
 * {@link MediaFrame}s for the hub. The message payload is an FLV tag body (legacy or Enhanced
 * RTMP), so the FLV code in core does the demuxing. Runs on the connection's event loop.
 */
final class PublishSession {

    private final Publication publication;
    private final SessionLog log;
    private final Set<TrackType> unsupportedLogged = EnumSet.noneOf(TrackType.class);
    private long frames;
    private long bytes;
    private boolean closed;
    private byte[] av1SequenceHeader;
    private boolean av1SequenceHeaderAddedLogged;

    PublishSession(Publication publication, SessionLog log) {
        this.publication = publication;
        this.log = log;
    }

    /** Handles one media or data message; the caller keeps ownership of {@code msg}. */
    void onMessage(RtmpMessage msg, ByteBufAllocator alloc) {
        if (closed) {
            return;
        }
        bytes += msg.length();
        MediaFrame frame;
        try {
            frame = switch (msg.typeId()) {
                case MessageType.AUDIO -> FlvFrames.fromAudioBody(msg.payload(), msg.timestamp());
                case MessageType.VIDEO -> FlvFrames.fromVideoBody(msg.payload(), msg.timestamp());
                case MessageType.DATA_AMF0, MessageType.DATA_AMF3 -> scriptData(msg, alloc);
                default -> null;
            };
        } catch (UnsupportedCodecException e) {
            // Well-formed but not a codec we carry: drop that track, keep the session (and log once).
            TrackType track = msg.typeId() == MessageType.AUDIO ? TrackType.AUDIO : TrackType.VIDEO;
            if (unsupportedLogged.add(track)) {
                log.warn("dropping {} track: {}", track.name().toLowerCase(), e.getMessage());
            }
            return;
        } catch (MediaFormatException e) {
            throw new RtmpProtocolException("malformed " + kind(msg.typeId()) + " message: " + e.getMessage(), e);
        }
        if (frame != null && frame.codec() == Codec.AV1) {
            frame = av1(frame, alloc);
        }
        if (frame != null) {
            frames++;
            publication.send(frame);
        }
    }

    /**
     * AV1: a keyframe must carry its sequence header for a viewer to start at it. Encoders put
     * one into every keyframe; a publisher that left it in av1C only gets av1C's copied in, so
     * that every egress can start at any keyframe (WebRTC cannot send it apart: libwebrtc starts
     * a frame at every RTP packet that does not continue an OBU). Bytes this cannot read pass
     * through unchanged; the egress that needs them reports them.
     */
    private MediaFrame av1(MediaFrame frame, ByteBufAllocator alloc) {
        try {
            if (frame.isConfig()) {
                ByteBuf obus = Av1CodecConfigurationRecord.parse(frame.payload().duplicate()).configObus();
                av1SequenceHeader = Av1Obus.sequenceHeaderObu(obus);
                return frame;
            }
            if (!frame.isKeyframe() || av1SequenceHeader == null) {
                return frame;
            }
            ByteBuf withHeader = Av1Obus.withSequenceHeader(alloc, frame.payload().duplicate(), av1SequenceHeader);
            if (withHeader == null) {
                return frame;
            }
            MediaFrame fixed = MediaFrame.media(Codec.AV1, frame.dts(), frame.cts(), true, withHeader);
            frame.release();
            if (!av1SequenceHeaderAddedLogged) {
                av1SequenceHeaderAddedLogged = true;
                log.info("AV1 keyframes come without a sequence header: adding the one of the SequenceStart (av1C)");
            }
            return fixed;
        } catch (MediaFormatException e) {
            return frame;
        }
    }

    /**
     * Script data: {@code FlvFrames} keeps {@code onMetaData} (unwrapping {@code @setDataFrame})
     * and skips the rest. AMF3 data (type 15) starts with a format byte and may switch values to
     * AMF3: it is re-encoded as AMF0, the only form FLV carries.
     */
    private MediaFrame scriptData(RtmpMessage msg, ByteBufAllocator alloc) {
        if (msg.typeId() == MessageType.DATA_AMF0) {
            return FlvFrames.fromScriptData(msg.payload(), msg.timestamp());
        }
        ByteBuf p = msg.payload().duplicate();
        if (p.isReadable() && p.getByte(p.readerIndex()) == 0) {
            p.skipBytes(1);
        }
        List<Object> values;
        try {
            values = Amf0Reader.readAll(p);
        } catch (AmfException e) {
            throw new RtmpProtocolException("malformed AMF3 data message: " + e.getMessage(), e);
        }
        ByteBuf amf0 = alloc.heapBuffer(msg.length() + 64);
        try {
            for (Object v : values) {
                Amf0Writer.write(amf0, v);
            }
            return FlvFrames.fromScriptData(amf0, msg.timestamp());
        } catch (IllegalArgumentException e) {
            // An AMF3-only value (e.g. a ByteArray) has no AMF0 form.
            throw new RtmpProtocolException("AMF3 data message with a value AMF0 cannot carry: " + e.getMessage(), e);
        } finally {
            amf0.release();
        }
    }

    private static String kind(int type) {
        return switch (type) {
            case MessageType.AUDIO -> "audio";
            case MessageType.VIDEO -> "video";
            default -> "data";
        };
    }

    long frames() {
        return frames;
    }

    long bytes() {
        return bytes;
    }

    /** The publisher left (unpublish or disconnect); viewers wait for the reconnect grace period. */
    void close() {
        if (!closed) {
            closed = true;
            publication.close();
        }
    }
}
