package dev.vireo.cluster.relay;

import dev.vireo.core.StreamKey;
import dev.vireo.media.Codec;
import io.netty.buffer.ByteBuf;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads relay frames from bytes. Pure: no sockets, no threads. Every integer is big-endian.
 *
 * <pre>
 * frame     = length:u32  type:u8  body          length = 1 + body bytes, 1..maxFrameBytes
 *
 * type 0x01 HELLO     = magic "VRLY"  version:u8  nonce[32]  idLen:u8 nodeId[idLen]
 * type 0x02 CHALLENGE = nonce[32]  proof[32]
 * type 0x03 AUTH      = proof[32]
 * type 0x04 PULL      = len:u8 vhost  len:u8 app  len:u8 stream          (UTF-8, each 1..maxName)
 * type 0x10 MEDIA     = codec:u8  flags:u8  dts:i64  cts:i32  payload[rest]
 *                       flags bit 0 keyframe, bit 1 sequence header (config), others 0
 *                       codec: {@link WireCodec}; payload as the hub carries it (AVCC NAL units
 *                       with their SEI, raw AAC, AMF0 script data, decoder configuration records)
 * type 0x20 END       = len:u16 reason                                   (UTF-8, 0..maxReason)
 * type 0x21 ERROR     = code:u8  len:u16 reason
 * </pre>
 *
 * A frame whose length prefix exceeds the limit is refused before its body is waited for, so
 * an unauthenticated peer cannot make a node buffer more than {@link RelayLimits#HANDSHAKE}.
 */
public final class RelayFrameReader {

    static final int HEADER_BYTES = 4;
    static final int TYPE_HELLO = 0x01;
    static final int TYPE_CHALLENGE = 0x02;
    static final int TYPE_AUTH = 0x03;
    static final int TYPE_PULL = 0x04;
    static final int TYPE_MEDIA = 0x10;
    static final int TYPE_END = 0x20;
    static final int TYPE_ERROR = 0x21;
    static final byte[] MAGIC = {'V', 'R', 'L', 'Y'};
    static final int FLAG_KEYFRAME = 1;
    static final int FLAG_CONFIG = 2;
    static final int MEDIA_HEADER_BYTES = 1 + 1 + 8 + 4;

    private RelayFrameReader() {
    }

    /**
     * Reads one frame from {@code in}: the message, or null (nothing consumed) when the frame is
     * not complete yet. A MEDIA payload is a retained slice of {@code in}, owned by the message.
     *
     * @throws RelayProtocolException when the bytes break the layout or a limit (the reason says
     *     which); the connection must close
     */
    public static RelayMessage read(ByteBuf in, RelayLimits limits) {
        if (in.readableBytes() < HEADER_BYTES) {
            return null;
        }
        long length = in.getUnsignedInt(in.readerIndex());
        if (length < 1) {
            throw new RelayProtocolException("empty relay frame (length 0)");
        }
        if (length > limits.maxFrameBytes()) {
            throw new RelayProtocolException("relay frame of " + length + " bytes exceeds the limit of "
                    + limits.maxFrameBytes());
        }
        if (in.readableBytes() < HEADER_BYTES + length) {
            return null;
        }
        in.skipBytes(HEADER_BYTES);
        ByteBuf body = in.readSlice((int) length);
        int type = body.readUnsignedByte();
        RelayMessage m = switch (type) {
            case TYPE_HELLO -> hello(body, limits);
            case TYPE_CHALLENGE -> new RelayMessage.Challenge(bytes(body, RelayMessage.NONCE_BYTES, "nonce"),
                    bytes(body, RelayMessage.PROOF_BYTES, "proof"));
            case TYPE_AUTH -> new RelayMessage.Auth(bytes(body, RelayMessage.PROOF_BYTES, "proof"));
            case TYPE_PULL -> pull(body, limits);
            case TYPE_MEDIA -> media(body);
            case TYPE_END -> new RelayMessage.End(text(body, need(body, 2, "reason length").readUnsignedShort(),
                    limits.maxReasonBytes(), "reason"));
            case TYPE_ERROR -> {
                int code = need(body, 1, "error code").readUnsignedByte();
                yield new RelayMessage.Error(code, text(body, need(body, 2, "reason length").readUnsignedShort(),
                        limits.maxReasonBytes(), "reason"));
            }
            default -> throw new RelayProtocolException("unknown relay frame type 0x" + Integer.toHexString(type));
        };
        if (body.isReadable()) {
            m.release();
            throw new RelayProtocolException(body.readableBytes() + " trailing bytes after a relay frame of type 0x"
                    + Integer.toHexString(type));
        }
        return m;
    }

    private static RelayMessage.Hello hello(ByteBuf body, RelayLimits limits) {
        byte[] magic = bytes(body, MAGIC.length, "magic");
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new RelayProtocolException("not a Vireo relay peer (bad magic)");
        }
        int version = need(body, 1, "version").readUnsignedByte();
        byte[] nonce = bytes(body, RelayMessage.NONCE_BYTES, "nonce");
        String nodeId = text(body, need(body, 1, "node id length").readUnsignedByte(), limits.maxNameBytes(), "node id");
        return new RelayMessage.Hello(version, nonce, nodeId);
    }

    private static RelayMessage.Pull pull(ByteBuf body, RelayLimits limits) {
        String vhost = name(body, limits, "vhost");
        String app = name(body, limits, "app");
        String stream = name(body, limits, "stream");
        return new RelayMessage.Pull(new StreamKey(vhost, app, stream));
    }

    private static String name(ByteBuf body, RelayLimits limits, String what) {
        int len = need(body, 1, what + " length").readUnsignedByte();
        if (len == 0) {
            throw new RelayProtocolException("empty " + what + " in a pull request");
        }
        return text(body, len, limits.maxNameBytes(), what);
    }

    private static RelayMessage.Media media(ByteBuf body) {
        need(body, MEDIA_HEADER_BYTES, "media header");
        Codec codec = WireCodec.codec(body.readUnsignedByte());
        int flags = body.readUnsignedByte();
        if ((flags & ~(FLAG_KEYFRAME | FLAG_CONFIG)) != 0) {
            throw new RelayProtocolException("unknown media flags 0x" + Integer.toHexString(flags));
        }
        long dts = body.readLong();
        if (dts < 0) {
            throw new RelayProtocolException("negative dts " + dts + " in a media frame");
        }
        int cts = body.readInt();
        ByteBuf payload = body.readRetainedSlice(body.readableBytes());
        return new RelayMessage.Media(codec, (flags & FLAG_KEYFRAME) != 0, (flags & FLAG_CONFIG) != 0, dts, cts,
                payload);
    }

    private static ByteBuf need(ByteBuf body, int n, String what) {
        if (body.readableBytes() < n) {
            throw new RelayProtocolException("relay frame too short for its " + what);
        }
        return body;
    }

    private static byte[] bytes(ByteBuf body, int n, String what) {
        byte[] b = new byte[n];
        need(body, n, what).readBytes(b);
        return b;
    }

    private static String text(ByteBuf body, int len, int max, String what) {
        if (len > max) {
            throw new RelayProtocolException(what + " of " + len + " bytes exceeds the limit of " + max);
        }
        need(body, len, what);
        try {
            String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(body.nioBuffer(body.readerIndex(), len)).toString();
            body.skipBytes(len);
            return s;
        } catch (CharacterCodingException e) {
            throw new RelayProtocolException(what + " is not UTF-8");
        }
    }
}
