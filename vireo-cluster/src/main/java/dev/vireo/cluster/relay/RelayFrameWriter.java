package dev.vireo.cluster.relay;

import dev.vireo.core.MediaFrame;
import dev.vireo.core.StreamKey;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * Writes relay frames (layout: {@link RelayFrameReader}). Pure: no sockets, no threads. A MEDIA
 * frame is written as its header ({@link #mediaHeader}) followed by the hub frame's payload
 * bytes, so the payload is never copied.
 */
public final class RelayFrameWriter {

    private RelayFrameWriter() {
    }

    public static ByteBuf hello(ByteBufAllocator alloc, byte[] nonce, String nodeId) {
        byte[] id = utf8(nodeId, 255, "node id");
        ByteBuf b = start(alloc, RelayFrameReader.TYPE_HELLO, 4 + 1 + nonce.length + 1 + id.length);
        b.writeBytes(RelayFrameReader.MAGIC).writeByte(RelayMessage.VERSION).writeBytes(check(nonce, RelayMessage.NONCE_BYTES));
        b.writeByte(id.length).writeBytes(id);
        return b;
    }

    public static ByteBuf challenge(ByteBufAllocator alloc, byte[] nonce, byte[] proof) {
        return start(alloc, RelayFrameReader.TYPE_CHALLENGE, RelayMessage.NONCE_BYTES + RelayMessage.PROOF_BYTES)
                .writeBytes(check(nonce, RelayMessage.NONCE_BYTES)).writeBytes(check(proof, RelayMessage.PROOF_BYTES));
    }

    public static ByteBuf auth(ByteBufAllocator alloc, byte[] proof) {
        return start(alloc, RelayFrameReader.TYPE_AUTH, RelayMessage.PROOF_BYTES)
                .writeBytes(check(proof, RelayMessage.PROOF_BYTES));
    }

    public static ByteBuf pull(ByteBufAllocator alloc, StreamKey key) {
        byte[] v = utf8(key.vhost(), 255, "vhost");
        byte[] a = utf8(key.app(), 255, "app");
        byte[] s = utf8(key.stream(), 255, "stream");
        ByteBuf b = start(alloc, RelayFrameReader.TYPE_PULL, 3 + v.length + a.length + s.length);
        b.writeByte(v.length).writeBytes(v).writeByte(a.length).writeBytes(a).writeByte(s.length).writeBytes(s);
        return b;
    }

    public static ByteBuf end(ByteBufAllocator alloc, String reason) {
        byte[] r = utf8(truncate(reason), 1024, "reason");
        return start(alloc, RelayFrameReader.TYPE_END, 2 + r.length).writeShort(r.length).writeBytes(r);
    }

    public static ByteBuf error(ByteBufAllocator alloc, int code, String reason) {
        byte[] r = utf8(truncate(reason), 1024, "reason");
        return start(alloc, RelayFrameReader.TYPE_ERROR, 1 + 2 + r.length).writeByte(code).writeShort(r.length)
                .writeBytes(r);
    }

    /**
     * The length prefix, type and media header of {@code frame}: its payload follows on the wire.
     */
    public static ByteBuf mediaHeader(ByteBufAllocator alloc, MediaFrame frame) {
        int flags = (frame.isKeyframe() ? RelayFrameReader.FLAG_KEYFRAME : 0)
                | (frame.isConfig() ? RelayFrameReader.FLAG_CONFIG : 0);
        ByteBuf b = start(alloc, RelayFrameReader.TYPE_MEDIA,
                RelayFrameReader.MEDIA_HEADER_BYTES + frame.payload().readableBytes());
        // the prefix counts the payload that follows; the buffer holds only the header
        b.writeByte(WireCodec.id(frame.codec())).writeByte(flags).writeLong(frame.dts()).writeInt(frame.cts());
        return b;
    }

    /** A whole MEDIA frame in one buffer (tests, benchmarks): header then a copy of the payload. */
    public static ByteBuf media(ByteBufAllocator alloc, MediaFrame frame) {
        ByteBuf h = mediaHeader(alloc, frame);
        try {
            ByteBuf b = alloc.buffer(h.readableBytes() + frame.payload().readableBytes());
            return b.writeBytes(h).writeBytes(frame.payload(), frame.payload().readerIndex(),
                    frame.payload().readableBytes());
        } finally {
            h.release();
        }
    }

    private static ByteBuf start(ByteBufAllocator alloc, int type, int bodyBytes) {
        int headerAndType = RelayFrameReader.HEADER_BYTES + 1;
        ByteBuf b = alloc.buffer(headerAndType + Math.min(bodyBytes, 64));
        b.writeInt(1 + bodyBytes).writeByte(type);
        return b;
    }

    private static byte[] check(byte[] b, int n) {
        if (b.length != n) {
            throw new IllegalArgumentException("expected " + n + " bytes, got " + b.length);
        }
        return b;
    }

    private static byte[] utf8(String s, int max, String what) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > max) {
            throw new IllegalArgumentException(what + " is longer than " + max + " bytes");
        }
        return b;
    }

    /**
     * Reasons are informative: cut so that an END or ERROR fits the handshake limit
     * ({@link RelayLimits#HANDSHAKE}, 1 KiB), which a peer still applies when refused early.
     */
    private static String truncate(String reason) {
        String r = reason == null ? "" : reason;
        while (r.getBytes(StandardCharsets.UTF_8).length > 900) {
            r = r.substring(0, r.length() / 2);
        }
        return r;
    }
}
