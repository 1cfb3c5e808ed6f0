package dev.vireo.webrtc.stun;

import io.netty.buffer.ByteBuf;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Encodes and decodes attribute values (RFC 8489 §14, RFC 8445 §16.1). */
final class StunAttributeCodec {

    /** RFC 8489 §14.3: USERNAME is less than 509 bytes. */
    static final int MAX_USERNAME_BYTES = 508;
    /** RFC 8489 §14.8 / §14.14: reason phrase and SOFTWARE are under 128 characters (≤ 763 bytes). */
    static final int MAX_TEXT_BYTES = 763;

    private static final int FAMILY_IPV4 = 0x01;
    private static final int FAMILY_IPV6 = 0x02;

    private StunAttributeCodec() {
    }

    /** Decodes one attribute value of {@code length} bytes at {@code offset} of {@code msg}. */
    static StunAttribute decode(int type, byte[] msg, int offset, int length) {
        return switch (type) {
            case StunAttribute.USERNAME -> new StunAttribute.Username(utf8(msg, offset, length, MAX_USERNAME_BYTES, "USERNAME"));
            case StunAttribute.SOFTWARE -> new StunAttribute.Software(utf8(msg, offset, length, MAX_TEXT_BYTES, "SOFTWARE"));
            case StunAttribute.MESSAGE_INTEGRITY -> {
                exact(length, 20, "MESSAGE-INTEGRITY");
                yield new StunAttribute.MessageIntegrity(copy(msg, offset, length));
            }
            case StunAttribute.MESSAGE_INTEGRITY_SHA256 -> {
                // RFC 8489 §14.6: at least 16 bytes, at most 32, a multiple of 4
                if (length < 16 || length > 32 || length % 4 != 0) {
                    throw new StunException("MESSAGE-INTEGRITY-SHA256 of " + length + " bytes");
                }
                yield new StunAttribute.MessageIntegritySha256(copy(msg, offset, length));
            }
            case StunAttribute.FINGERPRINT -> {
                exact(length, 4, "FINGERPRINT");
                yield new StunAttribute.Fingerprint(int32(msg, offset));
            }
            case StunAttribute.XOR_MAPPED_ADDRESS -> new StunAttribute.XorMappedAddress(xorAddress(msg, offset, length));
            case StunAttribute.ERROR_CODE -> errorCode(msg, offset, length);
            case StunAttribute.UNKNOWN_ATTRIBUTES -> {
                if (length % 2 != 0) {
                    throw new StunException("UNKNOWN-ATTRIBUTES of odd length " + length);
                }
                int[] types = new int[length / 2];
                for (int i = 0; i < types.length; i++) {
                    types[i] = uint16(msg, offset + 2 * i);
                }
                yield new StunAttribute.UnknownAttributes(types);
            }
            case StunAttribute.PRIORITY -> {
                exact(length, 4, "PRIORITY");
                yield new StunAttribute.Priority(int32(msg, offset) & 0xFFFF_FFFFL);
            }
            case StunAttribute.USE_CANDIDATE -> {
                exact(length, 0, "USE-CANDIDATE");
                yield new StunAttribute.UseCandidate();
            }
            case StunAttribute.ICE_CONTROLLING -> {
                exact(length, 8, "ICE-CONTROLLING");
                yield new StunAttribute.IceControlling(int64(msg, offset));
            }
            case StunAttribute.ICE_CONTROLLED -> {
                exact(length, 8, "ICE-CONTROLLED");
                yield new StunAttribute.IceControlled(int64(msg, offset));
            }
            default -> new StunAttribute.Unknown(type, copy(msg, offset, length));
        };
    }

    /** Writes the value (without the type/length header and without padding) of {@code a}. */
    static void encode(StunAttribute a, byte[] transactionId, ByteBuf out) {
        switch (a) {
            case StunAttribute.Username u -> out.writeBytes(text(u.value(), MAX_USERNAME_BYTES, "USERNAME"));
            case StunAttribute.Software s -> out.writeBytes(text(s.value(), MAX_TEXT_BYTES, "SOFTWARE"));
            case StunAttribute.MessageIntegrity m -> out.writeBytes(m.hmac());
            case StunAttribute.MessageIntegritySha256 m -> out.writeBytes(m.hmac());
            case StunAttribute.Fingerprint f -> out.writeInt(f.crc());
            case StunAttribute.XorMappedAddress x -> writeXorAddress(x.address(), transactionId, out);
            case StunAttribute.ErrorCode e -> {
                // RFC 8489 §14.8: 21 reserved bits, class (hundreds) in 3 bits, number (0..99) in 8 bits
                out.writeShort(0);
                out.writeByte(e.code() / 100);
                out.writeByte(e.code() % 100);
                out.writeBytes(text(e.reason(), MAX_TEXT_BYTES, "ERROR-CODE reason"));
            }
            case StunAttribute.UnknownAttributes u -> {
                for (int t : u.types()) {
                    out.writeShort(t);
                }
            }
            case StunAttribute.Priority p -> out.writeInt((int) p.value());
            case StunAttribute.UseCandidate ignored -> {
            }
            case StunAttribute.IceControlling c -> out.writeLong(c.tieBreaker());
            case StunAttribute.IceControlled c -> out.writeLong(c.tieBreaker());
            case StunAttribute.Unknown u -> out.writeBytes(u.value());
        }
    }

    // RFC 8489 §14.2: X-Port = port XOR (cookie >> 16); X-Address = address XOR cookie (IPv4) or
    // XOR (cookie || transaction id) (IPv6).
    private static InetSocketAddress xorAddress(byte[] msg, int offset, int length) {
        if (length < 4) {
            throw new StunException("XOR-MAPPED-ADDRESS of " + length + " bytes");
        }
        int family = msg[offset + 1] & 0xFF;
        int port = uint16(msg, offset + 2) ^ (StunMessage.MAGIC_COOKIE >>> 16);
        int addrLen = switch (family) {
            case FAMILY_IPV4 -> 4;
            case FAMILY_IPV6 -> 16;
            default -> throw new StunException("XOR-MAPPED-ADDRESS with unknown address family " + family);
        };
        exact(length, 4 + addrLen, "XOR-MAPPED-ADDRESS");
        byte[] addr = new byte[addrLen];
        for (int i = 0; i < addrLen; i++) {
            // the magic cookie and the transaction id follow each other at bytes 4..19 of the header
            addr[i] = (byte) (msg[offset + 4 + i] ^ msg[4 + i]);
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(addr), port);
        } catch (UnknownHostException e) {
            throw new StunException("XOR-MAPPED-ADDRESS address of " + addrLen + " bytes");
        }
    }

    private static void writeXorAddress(InetSocketAddress address, byte[] transactionId, ByteBuf out) {
        InetAddress ip = address.getAddress();
        byte[] addr = ip.getAddress();
        out.writeByte(0);
        out.writeByte(ip instanceof Inet4Address ? FAMILY_IPV4 : FAMILY_IPV6);
        out.writeShort(address.getPort() ^ (StunMessage.MAGIC_COOKIE >>> 16));
        byte[] pad = new byte[16];
        ByteBuffer.wrap(pad).putInt(StunMessage.MAGIC_COOKIE).put(transactionId);
        if (ip instanceof Inet6Address && addr.length != 16 || ip instanceof Inet4Address && addr.length != 4) {
            throw new StunException("unexpected address length " + addr.length);
        }
        for (int i = 0; i < addr.length; i++) {
            out.writeByte(addr[i] ^ pad[i]);
        }
    }

    private static StunAttribute.ErrorCode errorCode(byte[] msg, int offset, int length) {
        if (length < 4) {
            throw new StunException("ERROR-CODE of " + length + " bytes");
        }
        int cls = msg[offset + 2] & 0x07;
        int number = msg[offset + 3] & 0xFF;
        // RFC 8489 §14.8: class 3..6, number 0..99
        if (cls < 3 || cls > 6 || number > 99) {
            throw new StunException("ERROR-CODE class " + cls + " number " + number);
        }
        String reason = utf8(msg, offset + 4, length - 4, MAX_TEXT_BYTES, "ERROR-CODE reason");
        return new StunAttribute.ErrorCode(cls * 100 + number, reason);
    }

    private static String utf8(byte[] msg, int offset, int length, int max, String what) {
        if (length > max) {
            throw new StunException(what + " of " + length + " bytes exceeds " + max);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(msg, offset, length)).toString();
        } catch (CharacterCodingException e) {
            throw new StunException(what + " is not valid UTF-8");
        }
    }

    private static byte[] text(String s, int max, String what) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > max) {
            throw new StunException(what + " of " + b.length + " bytes exceeds " + max);
        }
        return b;
    }

    private static void exact(int length, int expected, String what) {
        if (length != expected) {
            throw new StunException(what + " of " + length + " bytes, expected " + expected);
        }
    }

    private static byte[] copy(byte[] msg, int offset, int length) {
        byte[] b = new byte[length];
        System.arraycopy(msg, offset, b, 0, length);
        return b;
    }

    static int uint16(byte[] b, int i) {
        return (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF);
    }

    static int int32(byte[] b, int i) {
        return (b[i] & 0xFF) << 24 | (b[i + 1] & 0xFF) << 16 | (b[i + 2] & 0xFF) << 8 | (b[i + 3] & 0xFF);
    }

    static long int64(byte[] b, int i) {
        return (long) int32(b, i) << 32 | (int32(b, i + 4) & 0xFFFF_FFFFL);
    }
}
