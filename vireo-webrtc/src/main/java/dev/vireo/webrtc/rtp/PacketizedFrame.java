package dev.vireo.webrtc.rtp;

import dev.vireo.media.BufferOwner;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Arrays;

/**
 * The RTP payloads of one media frame, computed once per stream and shared by every viewer
 * ("encode once, send many"): one buffer with all payloads back to back, their offsets and
 * lengths, and the marker bit of each packet. Per viewer only the RTP header is written in front
 * of {@link #writePayload(int, ByteBuf) a payload} before SRTP protection.
 *
 * <p>Reference counted through its buffer: {@link #retain()} for every holder (viewer queue,
 * retransmission history) and {@link #release()} when done. Immutable, so it may be read from any
 * thread.
 */
public final class PacketizedFrame implements BufferOwner<PacketizedFrame> {

    private final ByteBuf data;
    private final int[] offsets;
    private final int[] lengths;
    private final boolean[] markers;
    private final int count;
    private final long timestamp;
    private final boolean keyframe;

    private PacketizedFrame(ByteBuf data, int[] offsets, int[] lengths, boolean[] markers, int count, long timestamp,
                            boolean keyframe) {
        this.data = data;
        this.offsets = offsets;
        this.lengths = lengths;
        this.markers = markers;
        this.count = count;
        this.timestamp = timestamp;
        this.keyframe = keyframe;
    }

    /** A frame of a single payload: takes ownership of {@code payload} (all its readable bytes). */
    public static PacketizedFrame single(ByteBuf payload, long timestamp, boolean marker, boolean keyframe) {
        return new PacketizedFrame(payload, new int[] {payload.readerIndex()}, new int[] {payload.readableBytes()},
                new boolean[] {marker}, 1, timestamp, keyframe);
    }

    /** Number of RTP packets. */
    public int count() {
        return count;
    }

    /** Offset of payload {@code i} in {@link #data()}. */
    public int offset(int i) {
        check(i);
        return offsets[i];
    }

    /** Length of payload {@code i}. */
    public int length(int i) {
        check(i);
        return lengths[i];
    }

    /** The RTP marker bit of packet {@code i} (RFC 6184 §5.1: last packet of the access unit). */
    public boolean marker(int i) {
        check(i);
        return markers[i];
    }

    /** The media timestamp of every packet of this frame, in RTP clock units (before any per-viewer offset). */
    public long timestamp() {
        return timestamp;
    }

    /** Whether the frame is a random access point (H.264 IDR). */
    public boolean keyframe() {
        return keyframe;
    }

    /** The shared buffer; read it with absolute indices and never modify it. */
    public ByteBuf data() {
        return data;
    }

    /** Copies payload {@code i} to {@code out}'s writer index. */
    public void writePayload(int i, ByteBuf out) {
        check(i);
        out.writeBytes(data, offsets[i], lengths[i]);
    }

    /** Sum of all payload lengths. */
    public int totalPayloadBytes() {
        int sum = 0;
        for (int i = 0; i < count; i++) {
            sum += lengths[i];
        }
        return sum;
    }

    private void check(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("packet " + i + " of " + count);
        }
    }

    /** The data buffer carries this PacketizedFrame's reference count ({@link BufferOwner}). */
    @Override
    public ByteBuf countedBuffer() {
        return data;
    }

    @Override
    public String toString() {
        return "PacketizedFrame[packets=" + count + ", bytes=" + totalPayloadBytes() + ", ts=" + timestamp
                + (keyframe ? ", key" : "") + "]";
    }

    /** Accumulates payloads into one buffer; used by the packetizers. */
    static final class Builder {

        private final ByteBuf data;
        private int[] offsets = new int[8];
        private int[] lengths = new int[8];
        private boolean[] markers = new boolean[8];
        private int count;
        private int start = -1;

        Builder(ByteBufAllocator alloc, int expectedBytes) {
            this.data = alloc.buffer(expectedBytes);
        }

        /** The buffer to write the current payload into. */
        ByteBuf buffer() {
            return data;
        }

        void begin() {
            if (start >= 0) {
                throw new IllegalStateException("payload already begun");
            }
            start = data.writerIndex();
        }

        void end() {
            if (start < 0) {
                throw new IllegalStateException("no payload begun");
            }
            if (count == offsets.length) {
                offsets = Arrays.copyOf(offsets, count * 2);
                lengths = Arrays.copyOf(lengths, count * 2);
                markers = Arrays.copyOf(markers, count * 2);
            }
            offsets[count] = start;
            lengths[count] = data.writerIndex() - start;
            count++;
            start = -1;
        }

        int count() {
            return count;
        }

        PacketizedFrame build(long timestamp, boolean keyframe) {
            if (count > 0) {
                markers[count - 1] = true; // RFC 6184 §5.1: the marker is set on the last packet of the access unit
            }
            return new PacketizedFrame(data, offsets, lengths, markers, count, timestamp, keyframe);
        }

        void discard() {
            data.release();
        }
    }
}
