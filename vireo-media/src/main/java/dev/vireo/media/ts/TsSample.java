package dev.vireo.media.ts;

import dev.vireo.media.Codec;
import dev.vireo.media.BufferOwner;
import io.netty.buffer.ByteBuf;

/**
 * One elementary-stream unit out of {@link TsDemuxer} or into {@link TsMuxer}, in the payload
 * layout of {@link Codec}: a video access unit as 4-byte length-prefixed NAL units, one raw AAC
 * frame, one Opus packet; or, when {@code config} is set, the codec configuration (avcC, hvcC,
 * AudioSpecificConfig, OpusHead) that the following samples need.
 *
 * <p>Time stamps are in {@link #CLOCK} (90 kHz) ticks. Out of the demuxer they are unwrapped: they
 * keep growing past the 33-bit wrap of the transport stream (about 26.5 hours).
 *
 * <p>A sample owns its payload: release the sample (or its payload) when done.
 *
 * @param keyframe a video random access point (IDR / IRAP); always false for audio
 */
public record TsSample(Codec codec, long pts, long dts, boolean keyframe, boolean config, ByteBuf payload)
        implements BufferOwner<TsSample> {

    /** Ticks per second of MPEG-TS time stamps (ISO/IEC 13818-1 §2.4.3.7). */
    public static final int CLOCK = 90_000;

    /** A media sample. */
    public static TsSample media(Codec codec, long pts, long dts, boolean keyframe, ByteBuf payload) {
        return new TsSample(codec, pts, dts, keyframe, false, payload);
    }

    /** A codec configuration sample. */
    public static TsSample config(Codec codec, long pts, ByteBuf payload) {
        return new TsSample(codec, pts, pts, false, true, payload);
    }

    /** The payload buffer carries this TsSample's reference count ({@link BufferOwner}). */
    @Override
    public ByteBuf countedBuffer() {
        return payload;
    }

    @Override
    public String toString() {
        return codec + (config ? " config" : keyframe ? " key" : "") + " pts=" + pts + " dts=" + dts
                + " size=" + payload.readableBytes();
    }
}
