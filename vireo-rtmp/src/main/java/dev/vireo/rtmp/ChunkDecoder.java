package dev.vireo.rtmp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reassembles RTMP messages from the chunk stream (RTMP spec §5.3). Keeps per chunk stream the
 * header fields that later chunk formats inherit, and applies Set Chunk Size and Abort itself
 * because they change how the very next chunk is parsed (RTMP spec §5.4.1, §5.4.2).
 *
 * <p>Everything the peer controls is bounded: the chunk size it may announce, the length of one
 * message, the number of distinct chunk streams, and the bytes buffered in partially received
 * messages. Buffers grow with the bytes actually received, never with a length the peer merely
 * claims. Any violation throws {@link RtmpProtocolException}. No sockets, no threads.
 */
final class ChunkDecoder {

    /** Limits on what a peer may make the decoder hold. */
    record Limits(int maxChunkSize, int maxMessageLength, int maxChunkStreams) {
        Limits {
            if (maxChunkSize < ChunkHeader.DEFAULT_CHUNK_SIZE || maxMessageLength < 1 || maxChunkStreams < 1) {
                throw new IllegalArgumentException("bad chunk limits");
            }
        }
    }

    /** Inherited header fields of one chunk stream (RTMP spec §5.3.1.2). */
    private static final class ChunkStream {
        final int csid;
        long timestamp;
        /** Timestamp field of the last type 0/1/2 header: the delta a type-3 new message reuses. */
        long timestampDelta;
        int length;
        int typeId;
        int messageStreamId;
        boolean extended;
        /** The message being reassembled, or null between messages. */
        ByteBuf partial;

        ChunkStream(int csid) {
            this.csid = csid;
        }
    }

    private final ByteBufAllocator alloc;
    private final Limits limits;
    /** Chunk streams by id; ids 2..63 are the common case and index directly. */
    private final ChunkStream[] small = new ChunkStream[64];
    private final Map<Integer, ChunkStream> large = new HashMap<>();
    private int streamCount;
    private long bufferedBytes;
    private int chunkSize = ChunkHeader.DEFAULT_CHUNK_SIZE;

    ChunkDecoder(ByteBufAllocator alloc, Limits limits) {
        this.alloc = alloc;
        this.limits = limits;
    }

    /** The peer's current chunk size. */
    int chunkSize() {
        return chunkSize;
    }

    /**
     * Decodes every complete chunk in {@code in} and adds every completed message to {@code out}
     * (the caller owns them). A trailing incomplete chunk is left unread for the next call.
     */
    void decode(ByteBuf in, List<? super RtmpMessage> out) {
        // Each iteration consumes one whole chunk or returns: the loop always terminates.
        while (in.isReadable()) {
            if (!decodeChunk(in, out)) {
                return;
            }
        }
    }

    /** Releases partially received messages; call when the connection ends. */
    void release() {
        for (ChunkStream s : small) {
            dropPartial(s);
        }
        for (ChunkStream s : large.values()) {
            dropPartial(s);
        }
    }

    private boolean decodeChunk(ByteBuf in, List<? super RtmpMessage> out) {
        int start = in.readerIndex();
        int avail = in.readableBytes();
        // RTMP spec §5.3.1.1 basic header.
        int b0 = in.getUnsignedByte(start);
        int fmt = b0 >>> 6;
        int csid = b0 & 0x3F;
        int pos = start + 1;
        if (csid == 0) {
            if (avail < 2) {
                return false;
            }
            csid = 64 + in.getUnsignedByte(pos);
            pos += 1;
        } else if (csid == 1) {
            if (avail < 3) {
                return false;
            }
            csid = 64 + in.getUnsignedByte(pos) + (in.getUnsignedByte(pos + 1) << 8);
            pos += 2;
        }
        int headerLen = ChunkHeader.messageHeaderLength(fmt);
        if (start + avail < pos + headerLen) {
            return false;
        }
        ChunkStream cs = stream(csid);
        if (fmt != ChunkHeader.FMT_FULL && cs == null) {
            throw new RtmpProtocolException("chunk stream " + csid + " starts with a type-" + fmt
                    + " chunk instead of type 0");
        }
        if (cs != null && cs.partial != null && fmt != ChunkHeader.FMT_CONTINUATION) {
            throw new RtmpProtocolException("type-" + fmt + " chunk on chunk stream " + csid
                    + " while a message of " + cs.length + " bytes is incomplete");
        }
        long tsField = 0;
        int length = cs == null ? 0 : cs.length;
        int typeId = cs == null ? 0 : cs.typeId;
        int msid = cs == null ? 0 : cs.messageStreamId;
        boolean extended;
        if (fmt == ChunkHeader.FMT_CONTINUATION) {
            // RTMP spec §5.3.1.3: type 3 carries the extended timestamp when the most recent type
            // 0/1/2 header of this chunk stream did.
            extended = cs.extended;
        } else {
            tsField = in.getUnsignedMedium(pos);
            if (fmt <= ChunkHeader.FMT_SAME_STREAM) {
                length = in.getUnsignedMedium(pos + 3);
                typeId = in.getUnsignedByte(pos + 6);
            }
            if (fmt == ChunkHeader.FMT_FULL) {
                msid = in.getIntLE(pos + 7);
            }
            extended = tsField == ChunkHeader.EXTENDED_TIMESTAMP;
        }
        pos += headerLen;
        long extendedValue = 0;
        if (extended) {
            if (start + avail < pos + 4) {
                return false;
            }
            extendedValue = in.getUnsignedInt(pos);
            pos += 4;
            if (fmt != ChunkHeader.FMT_CONTINUATION) {
                tsField = extendedValue;
            }
        }
        boolean newMessage = cs == null || cs.partial == null;
        if (newMessage && length > limits.maxMessageLength()) {
            throw new RtmpProtocolException("message of " + length + " bytes on chunk stream " + csid
                    + " exceeds the limit of " + limits.maxMessageLength());
        }
        int received = newMessage ? 0 : cs.partial.writerIndex();
        int n = Math.min(chunkSize, length - received);
        if (start + avail < pos + n) {
            return false;
        }
        // The whole chunk is here: commit the header state.
        if (cs == null) {
            if (streamCount >= limits.maxChunkStreams()) {
                throw new RtmpProtocolException("more than " + limits.maxChunkStreams()
                        + " chunk streams on one connection");
            }
            cs = new ChunkStream(csid);
            putStream(cs);
        }
        if (fmt != ChunkHeader.FMT_CONTINUATION) {
            cs.timestampDelta = tsField;
            cs.extended = extended;
            cs.length = length;
            cs.typeId = typeId;
            cs.messageStreamId = msid;
        }
        if (newMessage) {
            // RTMP spec §5.3.1.2: type 0 carries the absolute timestamp, types 1/2 a delta, and a
            // type-3 chunk that starts a message reuses the previous delta.
            cs.timestamp = fmt == ChunkHeader.FMT_FULL ? tsField : (cs.timestamp + cs.timestampDelta) & 0xFFFF_FFFFL;
        }
        in.readerIndex(pos);
        if (newMessage && n == length) {
            // Whole message in one chunk. Copied rather than sliced: a frame may live for a whole
            // GOP in the hub, and a slice would pin the decoder's (larger) input buffer meanwhile.
            ByteBuf payload = alloc.buffer(n, n);
            in.readBytes(payload, n);
            complete(cs, payload, out);
            return true;
        }
        if (newMessage) {
            // Grows with the bytes actually received, up to the declared length.
            cs.partial = alloc.buffer(Math.min(length, 64 * 1024), length);
        }
        if (bufferedBytes + n > 2L * limits.maxMessageLength()) {
            throw new RtmpProtocolException("more than " + 2L * limits.maxMessageLength()
                    + " bytes buffered in incomplete messages");
        }
        cs.partial.writeBytes(in, n);
        bufferedBytes += n;
        if (cs.partial.writerIndex() == length) {
            ByteBuf payload = cs.partial;
            cs.partial = null;
            bufferedBytes -= length;
            complete(cs, payload, out);
        }
        return true;
    }

    private void complete(ChunkStream cs, ByteBuf payload, List<? super RtmpMessage> out) {
        if (cs.typeId == MessageType.SET_CHUNK_SIZE || cs.typeId == MessageType.ABORT) {
            try {
                if (cs.typeId == MessageType.SET_CHUNK_SIZE) {
                    applySetChunkSize(payload);
                } else {
                    applyAbort(payload);
                }
            } finally {
                payload.release();
            }
            return;
        }
        out.add(new RtmpMessage(cs.csid, cs.typeId, cs.timestamp, cs.messageStreamId, payload));
    }

    // RTMP spec §5.4.1: 31-bit chunk size, the top bit must be zero.
    private void applySetChunkSize(ByteBuf payload) {
        if (payload.readableBytes() < 4) {
            throw new RtmpProtocolException("Set Chunk Size with " + payload.readableBytes() + " bytes");
        }
        int size = payload.getInt(payload.readerIndex());
        if (size < 0) {
            throw new RtmpProtocolException("Set Chunk Size with the top bit set (0x"
                    + Integer.toHexString(size) + ")");
        }
        if (size < 1 || size > limits.maxChunkSize()) {
            throw new RtmpProtocolException("Set Chunk Size " + size + " outside 1.." + limits.maxChunkSize());
        }
        chunkSize = size;
    }

    // RTMP spec §5.4.2: discard the partly received message on the given chunk stream.
    private void applyAbort(ByteBuf payload) {
        if (payload.readableBytes() < 4) {
            throw new RtmpProtocolException("Abort Message with " + payload.readableBytes() + " bytes");
        }
        long target = payload.getUnsignedInt(payload.readerIndex());
        if (target <= ChunkHeader.MAX_CSID) {
            ChunkStream cs = stream((int) target);
            if (cs != null && cs.partial != null) {
                bufferedBytes -= cs.partial.writerIndex();
                dropPartial(cs);
            }
        }
    }

    private static void dropPartial(ChunkStream cs) {
        if (cs != null && cs.partial != null) {
            cs.partial.release();
            cs.partial = null;
        }
    }

    private ChunkStream stream(int csid) {
        return csid < 64 ? small[csid] : large.get(csid);
    }

    private void putStream(ChunkStream cs) {
        if (cs.csid < 64) {
            small[cs.csid] = cs;
        } else {
            large.put(cs.csid, cs);
        }
        streamCount++;
    }
}
