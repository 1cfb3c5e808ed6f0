package dev.vireo.webrtc.stun;

import io.netty.buffer.ByteBuf;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * A parsed STUN message, RFC 8489 §5: a 20-byte header (type, length, magic cookie, 96-bit
 * transaction id) and attributes padded to 4 bytes (§14). Only the RFC 5389/8489 format with the
 * magic cookie is accepted (no RFC 3489 classic STUN).
 *
 * <p>The parsed message keeps a copy of its bytes so that MESSAGE-INTEGRITY and FINGERPRINT can
 * be verified afterwards ({@link #verifyIntegrity(byte[])}, {@link #verifyFingerprint()}).
 */
public final class StunMessage {

    public static final int HEADER_SIZE = 20;
    public static final int MAGIC_COOKIE = 0x2112A442;
    public static final int TRANSACTION_ID_SIZE = 12;
    /** The Binding method, RFC 8489 §18.2. */
    public static final int BINDING = 0x001;
    /** Largest message accepted: one Ethernet MTU; ICE checks are around 100 bytes (RFC 8489 §6.1). */
    public static final int MAX_SIZE = 1500;
    /** Most attributes accepted in one message. */
    public static final int MAX_ATTRIBUTES = 64;

    private final int method;
    private final StunClass messageClass;
    private final byte[] transactionId;
    private final List<StunAttribute> attributes;
    private final byte[] raw;
    private final int integrityOffset;       // offset of MESSAGE-INTEGRITY, or -1
    private final int integritySha256Offset; // offset of MESSAGE-INTEGRITY-SHA256, or -1
    private final int integritySha256Length;
    private final int fingerprintOffset;     // offset of FINGERPRINT, or -1

    private StunMessage(int method, StunClass messageClass, byte[] transactionId, List<StunAttribute> attributes,
                        byte[] raw, int integrityOffset, int integritySha256Offset, int integritySha256Length,
                        int fingerprintOffset) {
        this.method = method;
        this.messageClass = messageClass;
        this.transactionId = transactionId;
        this.attributes = attributes;
        this.raw = raw;
        this.integrityOffset = integrityOffset;
        this.integritySha256Offset = integritySha256Offset;
        this.integritySha256Length = integritySha256Length;
        this.fingerprintOffset = fingerprintOffset;
    }

    /**
     * Whether a datagram on a multiplexed ICE/DTLS/SRTP port is STUN: RFC 7983 §7, the first byte
     * is 0..3. Does not validate the message.
     */
    public static boolean isStun(ByteBuf datagram) {
        return datagram.isReadable() && datagram.getUnsignedByte(datagram.readerIndex()) <= 3;
    }

    /** The 14-bit message type for a method and class, RFC 8489 §5 (M11..M0 interleaved with C1 C0). */
    public static int messageType(int method, StunClass cls) {
        if (method < 0 || method > 0xFFF) {
            throw new IllegalArgumentException("STUN method " + method + " is not 12-bit");
        }
        int c = cls.bits();
        return (method & 0xF80) << 2 | (method & 0x070) << 1 | (method & 0x00F) | (c & 0b10) << 7 | (c & 0b01) << 4;
    }

    /**
     * Parses the readable bytes of {@code datagram} (which must hold exactly one message) without
     * moving its reader index.
     *
     * @throws StunException when the bytes are not a well-formed STUN message
     */
    public static StunMessage parse(ByteBuf datagram) {
        int size = datagram.readableBytes();
        if (size < HEADER_SIZE) {
            throw new StunException("STUN message of " + size + " bytes is shorter than the header");
        }
        if (size > MAX_SIZE) {
            throw new StunException("STUN message of " + size + " bytes exceeds " + MAX_SIZE);
        }
        byte[] raw = new byte[size];
        datagram.getBytes(datagram.readerIndex(), raw);
        return parse(raw);
    }

    private static StunMessage parse(byte[] raw) {
        int type = StunAttributeCodec.uint16(raw, 0);
        if ((type & 0xC000) != 0) {
            throw new StunException("the two most significant bits of a STUN message are not zero"); // §5
        }
        int length = StunAttributeCodec.uint16(raw, 2);
        if (length % 4 != 0) {
            throw new StunException("STUN message length " + length + " is not a multiple of 4"); // §5
        }
        if (length != raw.length - HEADER_SIZE) {
            throw new StunException("STUN message length " + length + " does not match the "
                    + (raw.length - HEADER_SIZE) + " bytes after the header");
        }
        if (StunAttributeCodec.int32(raw, 4) != MAGIC_COOKIE) {
            throw new StunException("no STUN magic cookie");
        }
        int method = (type & 0x3E00) >>> 2 | (type & 0x00E0) >>> 1 | (type & 0x000F);
        StunClass cls = StunClass.ofBits((type & 0x0100) >>> 7 | (type & 0x0010) >>> 4);
        byte[] txId = Arrays.copyOfRange(raw, 8, HEADER_SIZE);

        List<StunAttribute> attrs = new ArrayList<>();
        int integrity = -1;
        int integritySha256 = -1;
        int integritySha256Length = 0;
        int fingerprint = -1;
        int count = 0;
        int pos = HEADER_SIZE;
        while (pos < raw.length) {
            if (fingerprint >= 0) {
                // RFC 8489 §14.7: FINGERPRINT is the last attribute
                throw new StunException("attribute after FINGERPRINT");
            }
            if (raw.length - pos < 4) {
                throw new StunException("truncated STUN attribute header at offset " + pos);
            }
            if (++count > MAX_ATTRIBUTES) {
                throw new StunException("more than " + MAX_ATTRIBUTES + " STUN attributes");
            }
            int attrType = StunAttributeCodec.uint16(raw, pos);
            int attrLen = StunAttributeCodec.uint16(raw, pos + 2);
            int padded = (attrLen + 3) & ~3; // §14: values are padded to a multiple of 4 bytes
            if (padded > raw.length - pos - 4) {
                throw new StunException("STUN attribute 0x" + Integer.toHexString(attrType) + " of " + attrLen
                        + " bytes runs past the end of the message");
            }
            StunAttribute attr = StunAttributeCodec.decode(attrType, raw, pos + 4, attrLen);
            if (attrType == StunAttribute.FINGERPRINT) {
                fingerprint = pos;
                attrs.add(attr);
            } else if (integritySha256 >= 0) {
                // §14.6: only FINGERPRINT may follow MESSAGE-INTEGRITY-SHA256; others are ignored
            } else if (attrType == StunAttribute.MESSAGE_INTEGRITY_SHA256) {
                integritySha256 = pos;
                integritySha256Length = attrLen;
                attrs.add(attr);
            } else if (integrity >= 0) {
                // §14.5: only MESSAGE-INTEGRITY-SHA256 and FINGERPRINT may follow MESSAGE-INTEGRITY
            } else {
                if (attrType == StunAttribute.MESSAGE_INTEGRITY) {
                    integrity = pos;
                }
                attrs.add(attr);
            }
            pos += 4 + padded;
        }
        return new StunMessage(method, cls, txId, List.copyOf(attrs), raw, integrity, integritySha256,
                integritySha256Length, fingerprint);
    }

    /** The 12-bit method, e.g. {@link #BINDING}. */
    public int method() {
        return method;
    }

    public StunClass messageClass() {
        return messageClass;
    }

    /** The 14-bit message type field. */
    public int messageType() {
        return messageType(method, messageClass);
    }

    public boolean isBindingRequest() {
        return method == BINDING && messageClass == StunClass.REQUEST;
    }

    /** A copy of the 96-bit transaction id. */
    public byte[] transactionId() {
        return transactionId.clone();
    }

    /** The attributes in message order, without those an integrity attribute makes ignored (§14.5). */
    public List<StunAttribute> attributes() {
        return attributes;
    }

    /** The first attribute of the given kind (RFC 8489 §14: only the first of duplicates counts). */
    public <T extends StunAttribute> Optional<T> attribute(Class<T> kind) {
        for (StunAttribute a : attributes) {
            if (kind.isInstance(a)) {
                return Optional.of(kind.cast(a));
            }
        }
        return Optional.empty();
    }

    /** The USERNAME value, if present. */
    public Optional<String> username() {
        return attribute(StunAttribute.Username.class).map(StunAttribute.Username::value);
    }

    /**
     * Comprehension-required attribute types (0x0000..0x7FFF) this package does not understand;
     * a request with any gets a 420 response listing them (RFC 8489 §6.3.1.1).
     */
    public int[] unknownComprehensionRequired() {
        return attributes.stream()
                .filter(a -> a instanceof StunAttribute.Unknown && StunAttribute.isComprehensionRequired(a.type()))
                .mapToInt(StunAttribute::type).distinct().toArray();
    }

    /** Whether MESSAGE-INTEGRITY or MESSAGE-INTEGRITY-SHA256 is present. */
    public boolean hasIntegrity() {
        return integrityOffset >= 0 || integritySha256Offset >= 0;
    }

    /**
     * Verifies the message integrity with a short-term credential key (for ICE: the UTF-8 bytes of
     * the ice-pwd of the agent that receives the request, RFC 8445 §7.2.2). MESSAGE-INTEGRITY-SHA256
     * is checked when present (RFC 8489 §14.6), MESSAGE-INTEGRITY otherwise.
     *
     * @return false when there is no integrity attribute or it does not match
     */
    public boolean verifyIntegrity(byte[] key) {
        if (key.length == 0) {
            return false;
        }
        if (integritySha256Offset >= 0) {
            byte[] expected = StunIntegrity.hmac(true, key, raw, integritySha256Offset, integritySha256Length);
            byte[] got = Arrays.copyOfRange(raw, integritySha256Offset + 4, integritySha256Offset + 4 + integritySha256Length);
            return MessageDigest.isEqual(Arrays.copyOf(expected, integritySha256Length), got);
        }
        if (integrityOffset >= 0) {
            byte[] expected = StunIntegrity.hmac(false, key, raw, integrityOffset, 20);
            byte[] got = Arrays.copyOfRange(raw, integrityOffset + 4, integrityOffset + 24);
            return MessageDigest.isEqual(expected, got);
        }
        return false;
    }

    public boolean hasFingerprint() {
        return fingerprintOffset >= 0;
    }

    /** Whether FINGERPRINT is present and matches (RFC 8489 §14.7). */
    public boolean verifyFingerprint() {
        return fingerprintOffset >= 0
                && StunIntegrity.fingerprint(raw, fingerprintOffset) == StunAttributeCodec.int32(raw, fingerprintOffset + 4);
    }

    /** Size of the message in bytes. */
    public int size() {
        return raw.length;
    }

    /** A copy of the message bytes as parsed. */
    public byte[] toBytes() {
        return raw.clone();
    }

    @Override
    public String toString() {
        return "StunMessage[method=0x" + Integer.toHexString(method) + ", class=" + messageClass
                + ", tx=" + hex(transactionId) + ", attributes=" + attributes + "]";
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
