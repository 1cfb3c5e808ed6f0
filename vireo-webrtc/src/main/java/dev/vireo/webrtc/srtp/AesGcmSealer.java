package dev.vireo.webrtc.srtp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-GCM encryption (NIST SP 800-38D §7.1) for SRTP's sending side (RFC 7714 §8.2), built so
 * that a packet costs no cipher initialisation and no allocation: the JCE's GCM must be
 * re-initialised for every IV, which rebuilds its GHASH and counter engines and compares keys
 * (the dominant cost of a WHEP viewer at a few µs per packet). Here the AES key schedule is set up
 * once in an ECB cipher that encrypts all counter blocks of a packet in one call (the JDK's AES
 * intrinsics), and GHASH runs in Java with Shoup's 4-bit tables (256 bytes per key; the same
 * method as OpenSSL's {@code gcm_gmult_4bit}).
 *
 * <p>Decryption keeps using the JCE (receiving is rare on a sender). Not thread-safe.
 */
final class AesGcmSealer {

    static final int TAG_LENGTH = 16;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    /** Reduction of the 4 bits shifted out of a 128-bit value (x^128 = x^7 + x^2 + x + 1), in the top 16 bits. */
    private static final long[] REM_4BIT = new long[16];

    static {
        int[] rem = {0x0000, 0x1C20, 0x3840, 0x2460, 0x7080, 0x6CA0, 0x48C0, 0x54E0,
            0xE100, 0xFD20, 0xD940, 0xC560, 0x9180, 0x8DA0, 0xA9C0, 0xB5E0};
        for (int i = 0; i < 16; i++) {
            REM_4BIT[i] = (long) rem[i] << 48;
        }
    }

    private final Cipher ecb;
    /** n·H for every 4-bit n, as high and low 64 bits in GCM's bit order. */
    private final long[] tableHi = new long[16];
    private final long[] tableLo = new long[16];
    private final byte[] pad = new byte[16];
    private byte[] counters = new byte[0];
    private byte[] keystream = new byte[0];
    private long yHi;
    private long yLo;

    AesGcmSealer(SecretKeySpec key) {
        try {
            ecb = Cipher.getInstance("AES/ECB/NoPadding");
            ecb.init(Cipher.ENCRYPT_MODE, key);
            byte[] h = ecb.doFinal(new byte[16]);
            initTable((long) LONGS.get(h, 0), (long) LONGS.get(h, 8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks AES/ECB", e);
        }
    }

    /** OpenSSL gcm_init_4bit: H, H·x^-1, ... at the powers of two, the rest by linearity. */
    private void initTable(long hHi, long hLo) {
        long vh = hHi;
        long vl = hLo;
        tableHi[8] = vh;
        tableLo[8] = vl;
        for (int i = 4; i > 0; i >>= 1) {
            // one bit "right" in GCM's reflected order is multiplication by x, reduced
            long t = 0xE100_0000_0000_0000L & -(vl & 1);
            vl = (vh << 63) | (vl >>> 1);
            vh = (vh >>> 1) ^ t;
            tableHi[i] = vh;
            tableLo[i] = vl;
        }
        for (int i = 2; i < 16; i <<= 1) {
            for (int j = 1; j < i; j++) {
                tableHi[i + j] = tableHi[i] ^ tableHi[j];
                tableLo[i + j] = tableLo[i] ^ tableLo[j];
            }
        }
    }

    /**
     * Encrypts {@code a[dataOff, dataOff + n)} in place and writes the 16-byte tag right after it,
     * with {@code a[aadOff, aadOff + aadLen)} as the additional authenticated data.
     *
     * @param iv the 96-bit IV in {@code iv[0..12)}
     */
    void seal(byte[] iv, byte[] a, int aadOff, int aadLen, int dataOff, int n) {
        int blocks = (n + 15) >>> 4;
        int size = (blocks + 1) << 4;
        if (counters.length < size) {
            counters = new byte[Math.max(size, 1536)];
            keystream = new byte[counters.length];
        }
        // J0 = IV || 1 (SP 800-38D §7.1 step 2), then inc32(J0) for each data block
        for (int b = 0; b <= blocks; b++) {
            int at = b << 4;
            System.arraycopy(iv, 0, counters, at, 12);
            INTS.set(counters, at + 12, b + 1);
        }
        try {
            ecb.update(counters, 0, size, keystream, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/ECB failed", e);
        }
        int full = n & ~7;
        for (int i = 0; i < full; i += 8) {
            LONGS.set(a, dataOff + i, (long) LONGS.get(a, dataOff + i) ^ (long) LONGS.get(keystream, 16 + i));
        }
        for (int i = full; i < n; i++) {
            a[dataOff + i] ^= keystream[16 + i];
        }
        yHi = 0;
        yLo = 0;
        ghash(a, aadOff, aadLen);
        ghash(a, dataOff, n);
        yHi ^= (long) aadLen << 3;
        yLo ^= (long) n << 3;
        multiplyH();
        LONGS.set(a, dataOff + n, yHi ^ (long) LONGS.get(keystream, 0));
        LONGS.set(a, dataOff + n + 8, yLo ^ (long) LONGS.get(keystream, 8));
    }

    /** GHASH over {@code a[off, off + n)}, zero-padded to whole blocks. */
    private void ghash(byte[] a, int off, int n) {
        int end = off + (n & ~15);
        for (int i = off; i < end; i += 16) {
            yHi ^= (long) LONGS.get(a, i);
            yLo ^= (long) LONGS.get(a, i + 8);
            multiplyH();
        }
        int rest = n & 15;
        if (rest > 0) {
            java.util.Arrays.fill(pad, (byte) 0);
            System.arraycopy(a, end, pad, 0, rest);
            yHi ^= (long) LONGS.get(pad, 0);
            yLo ^= (long) LONGS.get(pad, 8);
            multiplyH();
        }
    }

    /** Y = Y·H in GF(2^128), four bits at a time from the last byte (OpenSSL gcm_gmult_4bit). */
    private void multiplyH() {
        long xh = yHi;
        long xl = yLo;
        int b = (int) xl & 0xFF;
        int nlo = b & 0xF;
        int nhi = b >>> 4;
        long zh = tableHi[nlo];
        long zl = tableLo[nlo];
        for (int cnt = 15; ; ) {
            int rem = (int) zl & 0xF;
            zl = (zh << 60) | (zl >>> 4);
            zh = (zh >>> 4) ^ REM_4BIT[rem] ^ tableHi[nhi];
            zl ^= tableLo[nhi];
            if (--cnt < 0) {
                break;
            }
            b = (int) ((cnt < 8 ? xh >>> (56 - (cnt << 3)) : xl >>> (56 - ((cnt - 8) << 3)))) & 0xFF;
            nlo = b & 0xF;
            nhi = b >>> 4;
            rem = (int) zl & 0xF;
            zl = (zh << 60) | (zl >>> 4);
            zh = (zh >>> 4) ^ REM_4BIT[rem] ^ tableHi[nlo];
            zl ^= tableLo[nlo];
        }
        yHi = zh;
        yLo = zl;
    }
}
