package dev.vireo.webrtc.rtp;

import dev.vireo.media.nal.NalUnits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayDeque;

/**
 * Reassembles H.264 access units from RTP packets in packetization-mode 0 or 1 (RFC 6184 §6.2,
 * §6.3): single NAL unit packets, STAP-A and FU-A. Output access units use the {@code MediaFrame}
 * layout (4-byte length-prefixed NAL units). An access unit ends at the marker bit or when the
 * timestamp changes.
 *
 * <p>Loss handling: a gap in sequence numbers or a broken fragment damages the access unit being
 * built; damaged access units are dropped, and so is every following one until a keyframe (IDR),
 * because they cannot be decoded. {@link #keyframeNeeded()} tells the caller to ask for one (PLI,
 * RFC 4585 §6.3.1). The depacketizer also waits for a first keyframe. Packets must arrive in
 * order (put a jitter buffer in front if the network reorders).
 *
 * <p>Not thread-safe. Call {@link #close()} to release what it holds.
 */
public final class H264Depacketizer implements AutoCloseable {

    /** Default bound on the size of one access unit. */
    public static final int DEFAULT_MAX_ACCESS_UNIT = 8 << 20;
    /** Bound on queued complete access units not yet polled. */
    public static final int MAX_QUEUED = 64;

    private static final int STAP_A = 24;
    private static final int STAP_B = 25;
    private static final int MTAP16 = 26;
    private static final int MTAP24 = 27;
    private static final int FU_A = 28;
    private static final int FU_B = 29;

    /** A reassembled access unit; the caller owns {@code data} and must release it. */
    public record AccessUnit(ByteBuf data, long timestamp, boolean keyframe) {
    }

    private final ByteBufAllocator alloc;
    private final int maxAccessUnit;
    private final ArrayDeque<AccessUnit> ready = new ArrayDeque<>();
    private ByteBuf current;
    private long currentTimestamp = -1;
    private boolean currentKey;
    private boolean damaged;
    private int fuLengthAt = -1; // writer index of the length prefix of the FU-A NAL being rebuilt
    private int expectedSeq = -1;
    private boolean waitingForKeyframe = true;

    public H264Depacketizer(ByteBufAllocator alloc, int maxAccessUnitSize) {
        this.alloc = alloc;
        this.maxAccessUnit = maxAccessUnitSize;
    }

    public H264Depacketizer(ByteBufAllocator alloc) {
        this(alloc, DEFAULT_MAX_ACCESS_UNIT);
    }

    /**
     * Feeds one RTP packet (header and payload, already unprotected). Completed access units are
     * queued for {@link #poll()}. Does not take ownership of {@code packet}.
     *
     * @throws RtpException when the packet is malformed, uses an interleaved-mode packet type, or
     *                      the access unit grows beyond the limit
     */
    public void push(ByteBuf packet) {
        RtpHeader h = RtpHeader.parse(packet);
        int seq = h.sequenceNumber();
        // anything but the next sequence number is a loss (or reordering, which this class does not undo)
        boolean gap = expectedSeq >= 0 && seq != expectedSeq;
        expectedSeq = (seq + 1) & 0xFFFF;
        if (current != null && h.timestamp() != currentTimestamp) {
            // the previous access unit ended without a marker, or its last packet was lost
            damaged |= gap;
            finish();
        }
        if (current == null) {
            current = alloc.buffer(Math.min(maxAccessUnit, 2048));
            currentTimestamp = h.timestamp();
            currentKey = false;
            fuLengthAt = -1;
        }
        damaged |= gap;
        ByteBuf payload = h.payload(packet);
        if (payload.isReadable()) {
            depacketize(payload);
        }
        if (h.marker()) {
            finish();
        }
    }

    /** The next complete access unit, or null. */
    public AccessUnit poll() {
        return ready.poll();
    }

    /** Whether a loss left the stream undecodable until the next keyframe (send a PLI). */
    public boolean keyframeNeeded() {
        return waitingForKeyframe;
    }

    private void depacketize(ByteBuf p) {
        int start = p.readerIndex();
        int header = p.getUnsignedByte(start);
        int type = header & 0x1F;
        if (type >= 1 && type <= 23) {
            endFragment(true);
            appendNal(p, start, p.readableBytes()); // §5.6 single NAL unit packet
        } else if (type == STAP_A) {
            endFragment(true);
            int pos = start + 1;
            int end = p.writerIndex();
            while (pos < end) { // §5.7.1: 16-bit size, NAL unit
                if (end - pos < 2) {
                    throw new RtpException("truncated STAP-A NAL unit size");
                }
                int size = p.getUnsignedShort(pos);
                pos += 2;
                if (size == 0 || size > end - pos) {
                    throw new RtpException("STAP-A NAL unit of " + size + " bytes with " + (end - pos) + " left");
                }
                appendNal(p, pos, size);
                pos += size;
            }
        } else if (type == FU_A) {
            fragmentationUnit(p, start, header);
        } else if (type == STAP_B || type == MTAP16 || type == MTAP24 || type == FU_B) {
            throw new RtpException("H.264 RTP packet type " + type + " belongs to the interleaved mode");
        }
        // types 0, 30, 31 are undefined: RFC 6184 §5.4 says to ignore them
    }

    /** RFC 6184 §5.8: FU indicator, FU header (S, E, R, type), fragment. */
    private void fragmentationUnit(ByteBuf p, int start, int indicator) {
        if (p.readableBytes() < 3) {
            throw new RtpException("FU-A of " + p.readableBytes() + " bytes is too short");
        }
        int fu = p.getUnsignedByte(start + 1);
        boolean first = (fu & 0x80) != 0;
        boolean last = (fu & 0x40) != 0;
        if (first && last) {
            throw new RtpException("FU-A with both start and end bits");
        }
        int dataLen = p.readableBytes() - 2;
        if (first) {
            endFragment(true);
            int nalHeader = indicator & 0xE0 | fu & 0x1F;
            ensureRoom(4 + 1 + dataLen);
            fuLengthAt = current.writerIndex();
            current.writeInt(0);
            current.writeByte(nalHeader);
            noteType(nalHeader & 0x1F);
        } else if (fuLengthAt < 0) {
            damage(); // the start fragment was lost
            return;
        } else {
            ensureRoom(dataLen);
        }
        current.writeBytes(p, start + 2, dataLen);
        if (last) {
            endFragment(false);
        }
    }

    /** Closes the FU-A NAL unit in progress; when {@code incomplete}, it lost its end and is removed. */
    private void endFragment(boolean incomplete) {
        if (fuLengthAt < 0) {
            return;
        }
        if (incomplete) {
            current.writerIndex(fuLengthAt);
            damage();
        } else {
            current.setInt(fuLengthAt, current.writerIndex() - fuLengthAt - 4);
        }
        fuLengthAt = -1;
    }

    private void appendNal(ByteBuf src, int index, int length) {
        ensureRoom(4 + length);
        current.writeInt(length);
        current.writeBytes(src, index, length);
        noteType(src.getUnsignedByte(index) & 0x1F);
    }

    private void noteType(int type) {
        if (type == NalUnits.H264_IDR) {
            currentKey = true;
        }
    }

    private void ensureRoom(int n) {
        if (current.readableBytes() + n > maxAccessUnit) {
            throw new RtpException("H.264 access unit exceeds " + maxAccessUnit + " bytes");
        }
    }

    private void damage() {
        damaged = true;
    }

    private void finish() {
        if (current == null) {
            return;
        }
        endFragment(true);
        ByteBuf au = current;
        current = null;
        boolean ok = !damaged && au.isReadable() && (currentKey || !waitingForKeyframe);
        if (damaged) {
            waitingForKeyframe = true;
        }
        damaged = false;
        if (!ok || ready.size() >= MAX_QUEUED) {
            au.release();
            return;
        }
        if (currentKey) {
            waitingForKeyframe = false;
        }
        ready.add(new AccessUnit(au, currentTimestamp, currentKey));
    }

    /** Drops everything held (partial and queued access units). */
    public void reset() {
        if (current != null) {
            current.release();
            current = null;
        }
        AccessUnit au;
        while ((au = ready.poll()) != null) {
            au.data().release();
        }
        fuLengthAt = -1;
        damaged = false;
        expectedSeq = -1;
        waitingForKeyframe = true;
    }

    @Override
    public void close() {
        reset();
    }
}
