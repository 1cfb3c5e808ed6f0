package dev.vireo.webrtc.stun;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds a STUN message (RFC 8489 §5, §14): header, attributes padded to 4 bytes, then optionally
 * MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT, in that order (§14.5–§14.7), each
 * computed over the bytes before it with the length field adjusted to end after it.
 */
public final class StunMessageBuilder {

    private final int type;
    private final byte[] transactionId;
    private final List<StunAttribute> attributes = new ArrayList<>();
    private byte[] integrityKey;
    private byte[] integritySha256Key;
    private boolean fingerprint;
    private byte paddingByte;

    /**
     * @param method        12-bit method, e.g. {@link StunMessage#BINDING}
     * @param transactionId 12 bytes, random for requests (RFC 8489 §6), the request's for responses
     */
    public StunMessageBuilder(int method, StunClass messageClass, byte[] transactionId) {
        this.type = StunMessage.messageType(method, messageClass);
        if (transactionId.length != StunMessage.TRANSACTION_ID_SIZE) {
            throw new IllegalArgumentException("transaction id of " + transactionId.length + " bytes, expected 12");
        }
        this.transactionId = transactionId.clone();
    }

    /**
     * Adds an attribute. MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT are computed by the builder:
     * ask for them with {@link #integrity}, {@link #integritySha256} and {@link #fingerprint()}.
     */
    public StunMessageBuilder add(StunAttribute attribute) {
        Objects.requireNonNull(attribute, "attribute");
        if (attribute instanceof StunAttribute.MessageIntegrity || attribute instanceof StunAttribute.MessageIntegritySha256
                || attribute instanceof StunAttribute.Fingerprint) {
            throw new IllegalArgumentException(attribute.getClass().getSimpleName() + " is computed by the builder");
        }
        if (attributes.size() >= StunMessage.MAX_ATTRIBUTES - 3) {
            throw new IllegalStateException("too many STUN attributes");
        }
        attributes.add(attribute);
        return this;
    }

    /** Appends MESSAGE-INTEGRITY (HMAC-SHA1, §14.5) with this short-term key (the ice-pwd as UTF-8). */
    public StunMessageBuilder integrity(byte[] key) {
        if (key.length == 0) {
            throw new IllegalArgumentException("empty STUN integrity key");
        }
        this.integrityKey = key.clone();
        return this;
    }

    /** Appends MESSAGE-INTEGRITY-SHA256 (full 32-byte HMAC-SHA256, §14.6) with this key. */
    public StunMessageBuilder integritySha256(byte[] key) {
        if (key.length == 0) {
            throw new IllegalArgumentException("empty STUN integrity key");
        }
        this.integritySha256Key = key.clone();
        return this;
    }

    /** Appends FINGERPRINT (§14.7) as the last attribute. */
    public StunMessageBuilder fingerprint() {
        this.fingerprint = true;
        return this;
    }

    /** The value of padding bytes; RFC 8489 §14 lets senders use any value. The RFC 5769 vectors use spaces. */
    StunMessageBuilder paddingByte(int value) {
        this.paddingByte = (byte) value;
        return this;
    }

    /** The message as a new buffer from {@code alloc}. */
    public ByteBuf build(ByteBufAllocator alloc) {
        byte[] bytes = toBytes();
        return alloc.buffer(bytes.length).writeBytes(bytes);
    }

    /** Writes the message at the writer index of {@code out}. */
    public void write(ByteBuf out) {
        out.writeBytes(toBytes());
    }

    /** The message bytes. */
    public byte[] toBytes() {
        ByteBuf b = Unpooled.buffer(256);
        try {
            b.writeShort(type).writeShort(0).writeInt(StunMessage.MAGIC_COOKIE).writeBytes(transactionId);
            for (StunAttribute a : attributes) {
                writeAttribute(b, a);
            }
            if (integrityKey != null) {
                int at = b.writerIndex();
                byte[] mac = StunIntegrity.hmac(false, integrityKey, contents(b), at, 20);
                writeAttribute(b, new StunAttribute.MessageIntegrity(mac));
            }
            if (integritySha256Key != null) {
                int at = b.writerIndex();
                byte[] mac = StunIntegrity.hmac(true, integritySha256Key, contents(b), at, 32);
                writeAttribute(b, new StunAttribute.MessageIntegritySha256(mac));
            }
            if (fingerprint) {
                int at = b.writerIndex();
                writeAttribute(b, new StunAttribute.Fingerprint(StunIntegrity.fingerprint(contents(b), at)));
            }
            int size = b.writerIndex();
            if (size > StunMessage.MAX_SIZE) {
                throw new StunException("STUN message of " + size + " bytes exceeds " + StunMessage.MAX_SIZE);
            }
            b.setShort(2, size - StunMessage.HEADER_SIZE);
            return contents(b);
        } finally {
            b.release();
        }
    }

    private void writeAttribute(ByteBuf b, StunAttribute a) {
        int start = b.writerIndex();
        b.writeShort(a.type()).writeShort(0);
        StunAttributeCodec.encode(a, transactionId, b);
        int len = b.writerIndex() - start - 4;
        if (len > 0xFFFF) {
            throw new StunException("STUN attribute 0x" + Integer.toHexString(a.type()) + " too long");
        }
        b.setShort(start + 2, len);
        while ((b.writerIndex() & 3) != 0) {
            b.writeByte(paddingByte);
        }
    }

    private static byte[] contents(ByteBuf b) {
        byte[] out = new byte[b.writerIndex()];
        b.getBytes(0, out);
        return out;
    }
}
