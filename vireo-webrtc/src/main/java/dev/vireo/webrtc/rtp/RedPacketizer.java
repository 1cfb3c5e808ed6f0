package dev.vireo.webrtc.rtp;

import io.netty.buffer.ByteBuf;

/**
 * Redundant audio payloads, RFC 2198, as Chromium negotiates them for Opus ({@code a=rtpmap:63
 * red/48000/2}, {@code a=fmtp:63 111/111}): each RED payload carries the previous one or two Opus
 * packets again before the current one, so a lost packet's audio is recovered from the next
 * packet that arrives.
 *
 * <p>RFC 2198 §3: one 4-byte header per redundant block (F=1, block payload type, 14-bit
 * timestamp offset back from the packet's timestamp, 10-bit block length), then a 1-byte header
 * for the primary block (F=0, payload type), then the blocks' data in the same order, oldest
 * first, the primary last. The RTP header (payload type = the RED type, timestamp = the primary's)
 * is the caller's.
 *
 * <p>A WHEP viewer that negotiated RED keeps one packetizer for its audio: what it repeats is
 * what that viewer was sent (it may have joined late or skipped frames), and the cost is one copy
 * of a previous Opus packet (~100-300 bytes) per packet, beside the SRTP of the packet. A redundant block is left out when it does not fit the
 * format (offset over {@link #MAX_TIMESTAMP_OFFSET} — a gap in the stream — or length over
 * {@link #MAX_BLOCK_LENGTH}) or the payload size limit. The history is copied (Opus packets are
 * small) into {@code generations} arrays of {@link #MAX_BLOCK_LENGTH} bytes allocated once, so a
 * packet allocates nothing. Not thread-safe.
 */
public final class RedPacketizer {

    /** RFC 2198 §3: the timestamp offset field is 14 bits. */
    public static final int MAX_TIMESTAMP_OFFSET = 0x3FFF;
    /** RFC 2198 §3: the block length field is 10 bits. */
    public static final int MAX_BLOCK_LENGTH = 0x3FF;
    /** Redundant generations kept at most (Chromium sends one by default, up to two by field trial). */
    public static final int MAX_GENERATIONS = 2;

    private final int blockPayloadType;
    private final int generations;
    private final int maxPayloadSize;
    /** Previous primaries, oldest first; {@code count} of them are valid (arrays reused, {@code historyLengths} long). */
    private final byte[][] history;
    private final int[] historyLengths;
    private final long[] historyTimestamps;
    private int count;

    /**
     * @param blockPayloadType the payload type of the encapsulated codec (Opus, e.g. 111)
     * @param generations      redundant copies per packet, 0 to {@link #MAX_GENERATIONS}
     * @param maxPayloadSize   bound on the whole RED payload in bytes
     */
    public RedPacketizer(int blockPayloadType, int generations, int maxPayloadSize) {
        if (blockPayloadType < 0 || blockPayloadType > 127) {
            throw new IllegalArgumentException("payload type " + blockPayloadType);
        }
        if (generations < 0 || generations > MAX_GENERATIONS) {
            throw new IllegalArgumentException(generations + " redundant generations, at most " + MAX_GENERATIONS);
        }
        this.blockPayloadType = blockPayloadType;
        this.generations = generations;
        this.maxPayloadSize = maxPayloadSize;
        this.history = new byte[generations][MAX_BLOCK_LENGTH];
        this.historyLengths = new int[generations];
        this.historyTimestamps = new long[generations];
    }

    /**
     * Writes the RED payload for {@code primary} (readable bytes, not consumed) at RTP timestamp
     * {@code timestamp}, then remembers it as the next packets' redundancy.
     *
     * @return the number of redundant blocks written
     * @throws RtpException when the primary itself is empty or does not fit {@code maxPayloadSize}
     */
    public int write(ByteBuf out, ByteBuf primary, long timestamp) {
        int primaryLength = primary.readableBytes();
        if (primaryLength == 0) {
            throw new RtpException("empty primary block");
        }
        if (primaryLength + 1 > maxPayloadSize) {
            throw new RtpException("primary block of " + primaryLength + " bytes exceeds the RED payload limit " + maxPayloadSize);
        }
        // Choose the redundant blocks, newest first, while they fit; then write them oldest first.
        int size = primaryLength + 1;
        int first = count; // index of the oldest block included
        for (int i = count - 1; i >= 0; i--) {
            long offset = timestamp - historyTimestamps[i] & 0xFFFF_FFFFL;
            int length = historyLengths[i];
            if (offset == 0 || offset > MAX_TIMESTAMP_OFFSET || length > MAX_BLOCK_LENGTH
                    || size + 4 + length > maxPayloadSize) {
                break; // older blocks would be further still
            }
            size += 4 + length;
            first = i;
        }
        for (int i = first; i < count; i++) {
            int offset = (int) (timestamp - historyTimestamps[i] & 0xFFFF_FFFFL);
            // RFC 2198 §3: F(1) | block PT(7) | timestamp offset(14) | block length(10)
            out.writeByte(0x80 | blockPayloadType);
            out.writeMedium(offset << 10 | historyLengths[i]);
        }
        out.writeByte(blockPayloadType); // F=0: the last header, the primary's
        for (int i = first; i < count; i++) {
            out.writeBytes(history[i], 0, historyLengths[i]);
        }
        out.writeBytes(primary, primary.readerIndex(), primaryLength);
        remember(primary, timestamp);
        return count - first;
    }

    /** Forgets the history (a new talkspurt after a stream restart): the next packet has no redundancy. */
    public void reset() {
        count = 0;
    }

    private void remember(ByteBuf primary, long timestamp) {
        if (generations == 0) {
            return;
        }
        if (count == generations) { // rotate: the oldest array becomes the newest's
            byte[] oldest = history[0];
            System.arraycopy(history, 1, history, 0, count - 1);
            System.arraycopy(historyLengths, 1, historyLengths, 0, count - 1);
            System.arraycopy(historyTimestamps, 1, historyTimestamps, 0, count - 1);
            history[count - 1] = oldest;
            count--;
        }
        int length = primary.readableBytes();
        if (length <= MAX_BLOCK_LENGTH) { // longer ones are never repeated (the length check in write)
            primary.getBytes(primary.readerIndex(), history[count], 0, length);
        }
        historyLengths[count] = length;
        historyTimestamps[count] = timestamp & 0xFFFF_FFFFL;
        count++;
    }
}
