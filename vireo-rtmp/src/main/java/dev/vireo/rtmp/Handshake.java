package dev.vireo.rtmp;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.random.RandomGenerator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The RTMP handshake (RTMP spec §5.2) as pure functions over the 1536-byte C1/S1/C2/S2 packets.
 *
 * <p>Besides the simple handshake of the spec (S2 echoes C1), Flash Player 9+ and Flash Media
 * Server sign their C1/S1 with an HMAC-SHA256 digest hidden at an offset derived from the packet
 * itself ("complex" handshake), and a Flash-era player checks that S1 carries a digest made with
 * the Flash Media Server key and that S2 is signed with a key derived from its own C1 digest. The
 * digest block sits either at byte 8 ("scheme 0") or at byte 772 ("scheme 1"). When C1 carries
 * a valid digest the server answers in kind; otherwise it falls back to the simple handshake.
 */
final class Handshake {

    /** C0/S0: plain RTMP (RTMP spec §5.2.2); 6 and 8 are RTMPE, which is not supported. */
    static final int VERSION = 3;
    /** Size of C1, S1, C2, S2 (RTMP spec §5.2.3). */
    static final int PACKET_SIZE = 1536;
    static final int DIGEST_SIZE = 32;
    /** Where the digest block starts in each scheme; the 4 bytes there encode the offset. */
    static final int SCHEME0_BASE = 8;
    static final int SCHEME1_BASE = 772;
    private static final int OFFSET_MODULO = 728;

    private static final byte[] KEY_TAIL = {
        (byte) 0xF0, (byte) 0xEE, (byte) 0xC2, 0x4A, (byte) 0x80, 0x68, (byte) 0xBE, (byte) 0xE8,
        0x2E, 0x00, (byte) 0xD0, (byte) 0xD1, 0x02, (byte) 0x9E, 0x7E, 0x57,
        0x6E, (byte) 0xEC, 0x5D, 0x2D, 0x29, (byte) 0x80, 0x6F, (byte) 0xAB,
        (byte) 0x93, (byte) 0xB8, (byte) 0xE6, 0x36, (byte) 0xCF, (byte) 0xEB, 0x31, (byte) 0xAE,
    };
    /** "Genuine Adobe Flash Player 001" + tail: the first 30 bytes sign C1, all 62 sign C2. */
    static final byte[] FP_KEY = concat("Genuine Adobe Flash Player 001", KEY_TAIL);
    static final int FP_KEY_SHORT = 30;
    /** "Genuine Adobe Flash Media Server 001" + tail: 36 bytes sign S1, all 68 sign S2. */
    static final byte[] FMS_KEY = concat("Genuine Adobe Flash Media Server 001", KEY_TAIL);
    static final int FMS_KEY_SHORT = 36;

    /** The version this server puts in S1 when it answers a complex handshake (FMS 4.5.0.1). */
    private static final byte[] SERVER_VERSION = {4, 5, 0, 1};
    /** The version the client puts in C1 (Flash Player 9.0.124.2, the first to sign C1). */
    private static final byte[] CLIENT_VERSION = {9, 0, 124, 2};

    private Handshake() {
    }

    /** S1 and S2 for a C1, and whether the complex (digest) handshake was used. */
    record ServerReply(byte[] s1, byte[] s2, boolean digest) {
    }

    /** What a client learned from S1/S2, and the C2 to send. */
    record ClientReply(byte[] c2, boolean serverDigestValid, boolean s2SignatureValid) {
    }

    /** Builds S1/S2 for {@code c1} (exactly {@link #PACKET_SIZE} bytes). */
    static ServerReply serverReply(byte[] c1, int epochMillis, RandomGenerator random) {
        checkSize(c1, "C1");
        byte[] s1 = new byte[PACKET_SIZE];
        random.nextBytes(s1);
        putInt(s1, 0, epochMillis);
        int base = digestScheme(c1, FP_KEY, FP_KEY_SHORT);
        if (base < 0) {
            // RTMP spec §5.2.3/§5.2.4: S1 = time, zero, random; S2 echoes C1.
            putInt(s1, 4, 0);
            return new ServerReply(s1, c1.clone(), false);
        }
        System.arraycopy(SERVER_VERSION, 0, s1, 4, 4);
        // Answer in the client's scheme; ffmpeg and Flash accept either.
        imprint(s1, base, FMS_KEY, FMS_KEY_SHORT);
        byte[] s2 = signedResponse(random, digest(c1, base), FMS_KEY);
        return new ServerReply(s1, s2, true);
    }

    /** A digest-signed C1, as Flash Player sends it (digest in scheme 0). */
    static byte[] clientC1(int epochMillis, RandomGenerator random) {
        byte[] c1 = new byte[PACKET_SIZE];
        random.nextBytes(c1);
        putInt(c1, 0, epochMillis);
        System.arraycopy(CLIENT_VERSION, 0, c1, 4, 4);
        imprint(c1, SCHEME0_BASE, FP_KEY, FP_KEY_SHORT);
        return c1;
    }

    /**
     * Checks S1/S2 against the key of Flash Media Server and builds C2: signed when S1 carries a
     * digest, otherwise the echo of S1 (RTMP spec §5.2.4).
     */
    static ClientReply clientReply(byte[] c1, byte[] s1, byte[] s2, RandomGenerator random) {
        checkSize(c1, "C1");
        checkSize(s1, "S1");
        checkSize(s2, "S2");
        int s1Base = digestScheme(s1, FMS_KEY, FMS_KEY_SHORT);
        if (s1Base < 0) {
            return new ClientReply(s1.clone(), false, false);
        }
        int c1Base = digestScheme(c1, FP_KEY, FP_KEY_SHORT);
        boolean s2Valid = c1Base >= 0 && verifySigned(s2, digest(c1, c1Base), FMS_KEY);
        byte[] c2 = signedResponse(random, digest(s1, s1Base), FP_KEY);
        return new ClientReply(c2, true, s2Valid);
    }

    /**
     * The scheme base ({@link #SCHEME0_BASE} or {@link #SCHEME1_BASE}) under which {@code packet}
     * carries a digest made with the first {@code keyLen} bytes of {@code key}, or -1.
     */
    static int digestScheme(byte[] packet, byte[] key, int keyLen) {
        for (int base : new int[] {SCHEME1_BASE, SCHEME0_BASE}) {
            int off = digestOffset(packet, base);
            if (MessageDigest.isEqual(digestAt(packet, off, key, keyLen), digest(packet, base))) {
                return base;
            }
        }
        return -1;
    }

    /** The 32 digest bytes of {@code packet} under the scheme at {@code base}. */
    static byte[] digest(byte[] packet, int base) {
        int off = digestOffset(packet, base);
        return Arrays.copyOfRange(packet, off, off + DIGEST_SIZE);
    }

    /** The digest position encoded by the four bytes at {@code base}. */
    static int digestOffset(byte[] packet, int base) {
        int sum = (packet[base] & 0xFF) + (packet[base + 1] & 0xFF) + (packet[base + 2] & 0xFF)
                + (packet[base + 3] & 0xFF);
        return sum % OFFSET_MODULO + base + 4;
    }

    /** Writes the digest of {@code packet} at the position its scheme-{@code base} block encodes. */
    static int imprint(byte[] packet, int base, byte[] key, int keyLen) {
        int off = digestOffset(packet, base);
        byte[] digest = digestAt(packet, off, key, keyLen);
        System.arraycopy(digest, 0, packet, off, DIGEST_SIZE);
        return off;
    }

    /** HMAC over the packet without the 32 digest bytes at {@code off}. */
    private static byte[] digestAt(byte[] packet, int off, byte[] key, int keyLen) {
        Mac mac = mac(Arrays.copyOf(key, keyLen));
        mac.update(packet, 0, off);
        mac.update(packet, off + DIGEST_SIZE, PACKET_SIZE - off - DIGEST_SIZE);
        return mac.doFinal();
    }

    /** Random bytes whose last 32 are HMAC(random, HMAC(peerDigest, key)): S2 or C2. */
    private static byte[] signedResponse(RandomGenerator random, byte[] peerDigest, byte[] key) {
        byte[] out = new byte[PACKET_SIZE];
        random.nextBytes(out);
        byte[] sig = signature(out, peerDigest, key);
        System.arraycopy(sig, 0, out, PACKET_SIZE - DIGEST_SIZE, DIGEST_SIZE);
        return out;
    }

    static boolean verifySigned(byte[] packet, byte[] peerDigest, byte[] key) {
        byte[] sig = signature(packet, peerDigest, key);
        return MessageDigest.isEqual(sig, Arrays.copyOfRange(packet, PACKET_SIZE - DIGEST_SIZE, PACKET_SIZE));
    }

    private static byte[] signature(byte[] packet, byte[] peerDigest, byte[] key) {
        byte[] derived = mac(key).doFinal(peerDigest);
        Mac mac = mac(derived);
        mac.update(packet, 0, PACKET_SIZE - DIGEST_SIZE);
        return mac.doFinal();
    }

    private static Mac mac(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            // Every Java runtime must provide HmacSHA256 (Java SE spec of javax.crypto.Mac).
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static void checkSize(byte[] packet, String name) {
        if (packet.length != PACKET_SIZE) {
            throw new IllegalArgumentException(name + " must be " + PACKET_SIZE + " bytes");
        }
    }

    private static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    private static byte[] concat(String head, byte[] tail) {
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(h, h.length + tail.length);
        System.arraycopy(tail, 0, out, h.length, tail.length);
        return out;
    }
}
