package dev.vireo.core;

import dev.vireo.media.Codec;
import dev.vireo.media.TrackType;
import io.netty.buffer.ByteBuf;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCounted;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One unit of media on its way through the hub: a video access unit, an audio frame, a codec
 * configuration (sequence header) or a script-data message.
 *
 * <p>Frames are reference counted and read-only once published. Work that is the same for every
 * viewer of a format (FLV tag bytes, RTMP chunks, ...) is done once per frame by a
 * {@link FrameEncoding} and cached on the frame, so every viewer of that format shares the same
 * bytes ({@link #encoded(FrameEncoding)}).
 *
 * <p>Time stamps are milliseconds on the publisher's time line: {@code dts} is the decode time,
 * {@code cts} the composition offset ({@code pts = dts + cts}), as in FLV/RTMP.
 */
public final class MediaFrame extends AbstractReferenceCounted {

    private final Codec codec;
    private final long dts;
    private final int cts;
    private final boolean keyframe;
    private final boolean config;
    private final ByteBuf payload;
    private final long ingestNanos;
    private final AtomicReferenceArray<ByteBuf> encoded =
            new AtomicReferenceArray<>(FrameEncoding.MAX_ENCODINGS);

    private MediaFrame(Codec codec, long dts, int cts, boolean keyframe, boolean config,
                       ByteBuf payload, long ingestNanos) {
        this.codec = codec;
        this.dts = dts;
        this.cts = cts;
        this.keyframe = keyframe;
        this.config = config;
        this.payload = payload;
        this.ingestNanos = ingestNanos;
    }

    /** A media frame; takes ownership of {@code payload}. */
    public static MediaFrame media(Codec codec, long dts, int cts, boolean keyframe, ByteBuf payload) {
        return new MediaFrame(codec, dts, cts, keyframe, false, payload, System.nanoTime());
    }

    /**
     * A media frame that entered the server at {@code ingestNanos} ({@link System#nanoTime()}), e.g.
     * when the first RTP packet of a reassembled frame arrived; takes ownership of {@code payload}.
     */
    public static MediaFrame media(Codec codec, long dts, int cts, boolean keyframe, ByteBuf payload,
                                   long ingestNanos) {
        return new MediaFrame(codec, dts, cts, keyframe, false, payload, ingestNanos);
    }

    /** A codec configuration (sequence header) frame; takes ownership of {@code payload}. */
    public static MediaFrame config(Codec codec, long dts, ByteBuf payload) {
        return new MediaFrame(codec, dts, 0, codec.track() == TrackType.VIDEO, true, payload, System.nanoTime());
    }

    /** A script-data frame (AMF0 bytes, e.g. onMetaData); takes ownership of {@code payload}. */
    public static MediaFrame data(long dts, ByteBuf payload) {
        return new MediaFrame(Codec.AMF_DATA, dts, 0, false, false, payload, System.nanoTime());
    }

    /** A copy of this frame's fields with another time stamp, sharing (retaining) the payload. */
    public MediaFrame withDts(long newDts) {
        return new MediaFrame(codec, newDts, cts, keyframe, config, payload.retainedDuplicate(), ingestNanos);
    }

    public Codec codec() {
        return codec;
    }

    public TrackType track() {
        return codec.track();
    }

    public boolean isVideo() {
        return codec.track() == TrackType.VIDEO;
    }

    public boolean isAudio() {
        return codec.track() == TrackType.AUDIO;
    }

    public boolean isData() {
        return codec.track() == TrackType.DATA;
    }

    public long dts() {
        return dts;
    }

    public int cts() {
        return cts;
    }

    public long pts() {
        return dts + cts;
    }

    /** A video random access point (IDR / IRAP / key OBU). Always false for audio and data. */
    public boolean isKeyframe() {
        return keyframe;
    }

    /** A codec configuration record (sequence header), not a media sample. */
    public boolean isConfig() {
        return config;
    }

    /** The payload, read-only by convention: use {@code duplicate()/slice()} to read it. */
    public ByteBuf payload() {
        return payload;
    }

    /** {@link System#nanoTime()} when the frame entered the server, for latency accounting. */
    public long ingestNanos() {
        return ingestNanos;
    }

    /**
     * The bytes of this frame in the given encoding, computed once and shared by every caller.
     * The returned buffer belongs to the frame: write a {@code retainedDuplicate()} of it.
     * Safe to call from any thread; when two threads race, one result wins and the other is
     * released.
     */
    public ByteBuf encoded(FrameEncoding encoding) {
        int i = encoding.index();
        ByteBuf cached = encoded.get(i);
        if (cached != null) {
            return cached;
        }
        ByteBuf fresh = encoding.encode(this);
        if (encoded.compareAndSet(i, null, fresh)) {
            return fresh;
        }
        fresh.release();
        return encoded.get(i);
    }

    @Override
    protected void deallocate() {
        payload.release();
        for (int i = 0; i < encoded.length(); i++) {
            ByteBuf b = encoded.getAndSet(i, null);
            if (b != null) {
                b.release();
            }
        }
    }

    @Override
    public MediaFrame retain() {
        super.retain();
        return this;
    }

    @Override
    public ReferenceCounted touch(Object hint) {
        payload.touch(hint);
        return this;
    }

    @Override
    public String toString() {
        return codec + (config ? " config" : keyframe ? " key" : "") + " dts=" + dts + " cts=" + cts
                + " size=" + payload.readableBytes();
    }
}
