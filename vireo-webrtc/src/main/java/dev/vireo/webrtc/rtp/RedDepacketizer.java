package dev.vireo.webrtc.rtp;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits RFC 2198 redundant payloads into their blocks — what Chromium sends for Opus when
 * {@code red/48000/2} is negotiated (one redundant generation by default), and what the
 * {@code red/90000} envelope of ULPFEC video carries (a single primary block) — and, as a
 * receiver, recovers lost packets' audio from the redundancy of the next one.
 *
 * <p>RFC 2198 §3: 4-byte headers (F=1, payload type, 14-bit timestamp offset, 10-bit length) for
 * the redundant blocks, a 1-byte header (F=0, payload type) for the primary, then the data in the
 * same order; the primary's length is what remains. Bounded: at most {@link #MAX_BLOCKS} blocks.
 * The returned blocks are slices of the input (not retained); they are valid while it is. Not
 * thread-safe.
 */
public final class RedDepacketizer {

    /** Blocks accepted per payload (libwebrtc's NetEq accepts 32; Chromium sends at most a few). */
    public static final int MAX_BLOCKS = 32;

    /**
     * One block of a RED payload.
     *
     * @param payloadType the encapsulated payload type
     * @param timestamp   its RTP timestamp: the packet's minus the block's offset (32-bit)
     * @param data        its bytes, a slice of the payload
     * @param primary     whether it is the primary (last) block
     */
    public record Block(int payloadType, long timestamp, ByteBuf data, boolean primary) {
    }

    /** Timestamp of the newest block handed out by {@link #accept}, -1 before the first. */
    private long lastTimestamp = -1;

    /**
     * The blocks of the RED payload in {@code payload}'s readable bytes (not consumed), oldest
     * first, the primary last.
     *
     * @param timestamp the RTP timestamp of the packet (the primary's)
     * @throws RtpException when the headers run past the payload, a block's length does, or
     *                      there are more than {@link #MAX_BLOCKS} blocks
     */
    public static List<Block> parse(ByteBuf payload, long timestamp) {
        int start = payload.readerIndex();
        int end = payload.writerIndex();
        int p = start;
        // RFC 2198 §3: headers until the one with F=0
        List<int[]> headers = new ArrayList<>(3); // {pt, offset, length}
        while (true) {
            if (p >= end) {
                throw new RtpException("RED header runs past the " + (end - start) + "-byte payload");
            }
            int b = payload.getUnsignedByte(p);
            if ((b & 0x80) == 0) {
                headers.add(new int[] {b & 0x7F, 0, -1});
                p++;
                break;
            }
            if (p + 4 > end) {
                throw new RtpException("RED block header runs past the " + (end - start) + "-byte payload");
            }
            int rest = payload.getUnsignedMedium(p + 1);
            headers.add(new int[] {b & 0x7F, rest >>> 10, rest & 0x3FF});
            p += 4;
            if (headers.size() >= MAX_BLOCKS) {
                throw new RtpException("RED payload with more than " + MAX_BLOCKS + " blocks");
            }
        }
        List<Block> blocks = new ArrayList<>(headers.size());
        for (int i = 0; i < headers.size(); i++) {
            int[] h = headers.get(i);
            boolean primary = i == headers.size() - 1;
            int length = primary ? end - p : h[2];
            if (p + length > end) {
                throw new RtpException("RED block of " + length + " bytes runs past the payload");
            }
            blocks.add(new Block(h[0], timestamp - h[1] & 0xFFFF_FFFFL, payload.slice(p, length), primary));
            p += length;
        }
        return blocks;
    }

    /**
     * The blocks of this packet that are newer than every block handed out before, oldest first:
     * after a loss, the redundant copies of the lost packets come before this packet's primary;
     * without loss, only the primary (a duplicate or late packet gives nothing). Empty blocks
     * carry nothing and are skipped.
     *
     * @throws RtpException as {@link #parse}
     */
    public List<Block> accept(ByteBuf payload, long timestamp) {
        List<Block> blocks = parse(payload, timestamp);
        List<Block> fresh = new ArrayList<>(blocks.size());
        for (Block b : blocks) {
            if (b.data().isReadable() && (lastTimestamp < 0 || newer(b.timestamp(), lastTimestamp))) {
                fresh.add(b);
                lastTimestamp = b.timestamp();
            }
        }
        return fresh;
    }

    /** RFC 3550 §A.1-style serial comparison of 32-bit timestamps. */
    private static boolean newer(long a, long b) {
        return (int) (a - b) > 0;
    }
}
