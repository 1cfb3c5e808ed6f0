package dev.vireo.webrtc.stun;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Objects;

/**
 * A STUN attribute (RFC 8489 §14, RFC 8445 §16.1). The attributes ICE-lite needs are modelled;
 * anything else is kept as {@link Unknown} so that comprehension-required ones can be reported
 * (RFC 8489 §7.3.1, error 420).
 */
public sealed interface StunAttribute {

    // RFC 8489 §18.3 and RFC 8445 §16.1 attribute registry
    int MAPPED_ADDRESS = 0x0001;
    int USERNAME = 0x0006;
    int MESSAGE_INTEGRITY = 0x0008;
    int ERROR_CODE = 0x0009;
    int UNKNOWN_ATTRIBUTES = 0x000A;
    int MESSAGE_INTEGRITY_SHA256 = 0x001C;
    int XOR_MAPPED_ADDRESS = 0x0020;
    int PRIORITY = 0x0024;
    int USE_CANDIDATE = 0x0025;
    int SOFTWARE = 0x8022;
    int FINGERPRINT = 0x8028;
    int ICE_CONTROLLED = 0x8029;
    int ICE_CONTROLLING = 0x802A;

    /** The attribute type code. */
    int type();

    /** RFC 8489 §14: types 0x0000..0x7FFF must be understood by the receiver. */
    static boolean isComprehensionRequired(int type) {
        return type < 0x8000;
    }

    /** USERNAME, §14.3: UTF-8, fewer than 509 bytes. For ICE: "{receiver ufrag}:{sender ufrag}". */
    record Username(String value) implements StunAttribute {
        public Username {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public int type() {
            return USERNAME;
        }
    }

    /** SOFTWARE, §14.14: UTF-8, fewer than 128 characters. */
    record Software(String value) implements StunAttribute {
        public Software {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public int type() {
            return SOFTWARE;
        }
    }

    /** MESSAGE-INTEGRITY, §14.5: the 20-byte HMAC-SHA1 as received. */
    record MessageIntegrity(byte[] hmac) implements StunAttribute {
        public MessageIntegrity {
            hmac = hmac.clone();
        }

        @Override
        public byte[] hmac() {
            return hmac.clone();
        }

        @Override
        public int type() {
            return MESSAGE_INTEGRITY;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof MessageIntegrity m && Arrays.equals(hmac, m.hmac);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(hmac);
        }

        @Override
        public String toString() {
            return "MessageIntegrity[" + StunMessage.hex(hmac) + "]";
        }
    }

    /** MESSAGE-INTEGRITY-SHA256, §14.6: a 16..32-byte (multiple of 4) truncated HMAC-SHA256 as received. */
    record MessageIntegritySha256(byte[] hmac) implements StunAttribute {
        public MessageIntegritySha256 {
            hmac = hmac.clone();
        }

        @Override
        public byte[] hmac() {
            return hmac.clone();
        }

        @Override
        public int type() {
            return MESSAGE_INTEGRITY_SHA256;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof MessageIntegritySha256 m && Arrays.equals(hmac, m.hmac);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(hmac);
        }

        @Override
        public String toString() {
            return "MessageIntegritySha256[" + StunMessage.hex(hmac) + "]";
        }
    }

    /** FINGERPRINT, §14.7: CRC-32 of the message up to this attribute, XOR 0x5354554E. */
    record Fingerprint(int crc) implements StunAttribute {
        @Override
        public int type() {
            return FINGERPRINT;
        }
    }

    /** XOR-MAPPED-ADDRESS, §14.2: the reflexive transport address, IPv4 or IPv6. */
    record XorMappedAddress(InetSocketAddress address) implements StunAttribute {
        public XorMappedAddress {
            Objects.requireNonNull(address, "address");
            if (address.isUnresolved()) {
                throw new IllegalArgumentException("unresolved address " + address);
            }
        }

        @Override
        public int type() {
            return XOR_MAPPED_ADDRESS;
        }
    }

    /** ERROR-CODE, §14.8: code 300..699 and a UTF-8 reason phrase (fewer than 128 characters). */
    record ErrorCode(int code, String reason) implements StunAttribute {
        // RFC 8489 §14.8 error codes used by ICE
        public static final int TRY_ALTERNATE = 300;
        public static final int BAD_REQUEST = 400;
        public static final int UNAUTHORIZED = 401;
        public static final int UNKNOWN_ATTRIBUTE = 420;
        public static final int ROLE_CONFLICT = 487; // RFC 8445 §7.3.1.1
        public static final int SERVER_ERROR = 500;

        public ErrorCode {
            if (code < 300 || code > 699) {
                throw new IllegalArgumentException("STUN error code " + code + " outside 300..699");
            }
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public int type() {
            return ERROR_CODE;
        }
    }

    /** UNKNOWN-ATTRIBUTES, §14.9: the comprehension-required types a 420 response lists. */
    record UnknownAttributes(int[] types) implements StunAttribute {
        public UnknownAttributes {
            types = types.clone();
        }

        @Override
        public int[] types() {
            return types.clone();
        }

        @Override
        public int type() {
            return UNKNOWN_ATTRIBUTES;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof UnknownAttributes u && Arrays.equals(types, u.types);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(types);
        }

        @Override
        public String toString() {
            return "UnknownAttributes" + Arrays.toString(types);
        }
    }

    /** PRIORITY, RFC 8445 §7.1.1: the priority a peer-reflexive candidate would get (32-bit unsigned). */
    record Priority(long value) implements StunAttribute {
        public Priority {
            if (value < 0 || value > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("priority " + value + " is not a 32-bit unsigned value");
            }
        }

        @Override
        public int type() {
            return PRIORITY;
        }
    }

    /** USE-CANDIDATE, RFC 8445 §7.1.2: the controlling agent nominates this pair. No value. */
    record UseCandidate() implements StunAttribute {
        @Override
        public int type() {
            return USE_CANDIDATE;
        }
    }

    /** ICE-CONTROLLING, RFC 8445 §7.1.3: the sender is controlling; 64-bit tie-breaker. */
    record IceControlling(long tieBreaker) implements StunAttribute {
        @Override
        public int type() {
            return ICE_CONTROLLING;
        }
    }

    /** ICE-CONTROLLED, RFC 8445 §7.1.3: the sender is controlled; 64-bit tie-breaker. */
    record IceControlled(long tieBreaker) implements StunAttribute {
        @Override
        public int type() {
            return ICE_CONTROLLED;
        }
    }

    /** Any other attribute, value as received (without padding). */
    record Unknown(int type, byte[] value) implements StunAttribute {
        public Unknown {
            if (type < 0 || type > 0xFFFF) {
                throw new IllegalArgumentException("attribute type " + type + " is not 16-bit");
            }
            value = value.clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Unknown u && type == u.type && Arrays.equals(value, u.value);
        }

        @Override
        public int hashCode() {
            return 31 * type + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "Unknown[type=0x" + Integer.toHexString(type) + ", value=" + StunMessage.hex(value) + "]";
        }
    }
}
