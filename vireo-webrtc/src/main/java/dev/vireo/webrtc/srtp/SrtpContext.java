package dev.vireo.webrtc.srtp;

import io.netty.buffer.ByteBuf;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * One SRTP/SRTCP cryptographic context (RFC 3711 §3.2): the session keys derived from one master
 * key and salt, plus per-SSRC state (rollover counter, SRTCP index, replay lists). A DTLS-SRTP
 * session has two: one keyed with the local write key to {@code protect*} what we send, one
 * keyed with the peer's write key to {@code unprotect*} what we receive
 * ({@link SrtpKeyingMaterial}).
 *
 * <p>Packets are transformed in place in their {@link ByteBuf}: the readable bytes are the packet;
 * protection appends the tag (and SRTCP index) after the writer index, growing the buffer if it
 * has no room (allocate {@link SrtpProfile#rtpTagLength()} / {@link SrtpProfile#rtcpOverhead()}
 * spare bytes to avoid that); unprotection shrinks the writer index. Heap buffers are worked on
 * directly; other buffers are copied into a scratch array and back. Cipher and Mac instances and
 * scratch arrays are reused, so a packet costs no allocation beyond what the JCE itself makes.
 *
 * <p>Not thread-safe: use a context from one thread (the session's event loop).
 */
public final class SrtpContext {

    /** Most SSRCs tracked at once; the least recently used is forgotten beyond this. */
    public static final int MAX_SSRCS = 64;
    /** SRTP replay window in packets (RFC 3711 §3.3.2 asks for at least 64; libwebrtc uses 1024). */
    public static final int RTP_REPLAY_WINDOW = 1024;
    /** SRTCP replay window in packets. */
    public static final int RTCP_REPLAY_WINDOW = 128;
    /** Largest packet accepted. */
    public static final int MAX_PACKET_SIZE = 65536;

    private static final int HMAC_SHA1_KEY_LENGTH = 20; // RFC 3711 §8.2: n_a = 160
    private static final int RTP_HEADER = 12;
    private static final int RTCP_HEADER = 8;
    private static final int GCM_TAG_BITS = 128;

    private final SrtpProfile profile;
    private final SecretKeySpec rtpKey;
    private final SecretKeySpec rtcpKey;
    private final byte[] rtpSalt;
    private final byte[] rtcpSalt;
    private final Cipher rtpCipher;
    private final Cipher rtcpCipher;
    private final Mac rtpMac;
    private final Mac rtcpMac;

    private final byte[] iv = new byte[16];
    private final byte[] tag = new byte[20];
    private final byte[] word = new byte[4];
    private final byte[] lastRtpGcmIv = new byte[12];
    private final byte[] lastRtcpGcmIv = new byte[12];
    private boolean rtpGcmUsed;
    private boolean rtcpGcmUsed;
    // grown on first use: a context that only ever receives RTCP (a WHEP viewer's inbound) stays small
    private byte[] work = new byte[0];
    private byte[] scratch = new byte[0];

    private final SsrcState[] states = new SsrcState[MAX_SSRCS];
    private int stateCount;
    private long tick;

    /**
     * A context for one master key and salt (RFC 3711 §4.3, key derivation rate 0).
     *
     * @throws IllegalArgumentException when the lengths do not fit the profile
     */
    public SrtpContext(SrtpProfile profile, byte[] masterKey, byte[] masterSalt) {
        this(profile, check(profile, masterKey, masterSalt),
                SrtpKeyDerivation.derive(masterKey, masterSalt, SrtpKeyDerivation.LABEL_RTP_SALT, profile.saltLength()),
                profile.isAead() ? null
                        : SrtpKeyDerivation.derive(masterKey, masterSalt, SrtpKeyDerivation.LABEL_RTP_AUTH, HMAC_SHA1_KEY_LENGTH),
                SrtpKeyDerivation.derive(masterKey, masterSalt, SrtpKeyDerivation.LABEL_RTCP_ENCRYPTION, profile.keyLength()),
                SrtpKeyDerivation.derive(masterKey, masterSalt, SrtpKeyDerivation.LABEL_RTCP_SALT, profile.saltLength()),
                profile.isAead() ? null
                        : SrtpKeyDerivation.derive(masterKey, masterSalt, SrtpKeyDerivation.LABEL_RTCP_AUTH, HMAC_SHA1_KEY_LENGTH));
    }

    private static byte[] check(SrtpProfile profile, byte[] masterKey, byte[] masterSalt) {
        if (masterKey.length != profile.keyLength() || masterSalt.length != profile.saltLength()) {
            throw new IllegalArgumentException(profile + " needs a " + profile.keyLength() + "-byte key and a "
                    + profile.saltLength() + "-byte salt, got " + masterKey.length + " and " + masterSalt.length);
        }
        return SrtpKeyDerivation.derive(masterKey, masterSalt, SrtpKeyDerivation.LABEL_RTP_ENCRYPTION, profile.keyLength());
    }

    /** A context from session keys directly (test vectors publish those). Auth keys are null for AEAD. */
    SrtpContext(SrtpProfile profile, byte[] rtpKey, byte[] rtpSalt, byte[] rtpAuthKey,
                byte[] rtcpKey, byte[] rtcpSalt, byte[] rtcpAuthKey) {
        this.profile = profile;
        this.rtpKey = new SecretKeySpec(rtpKey, "AES");
        this.rtcpKey = new SecretKeySpec(rtcpKey, "AES");
        this.rtpSalt = rtpSalt.clone();
        this.rtcpSalt = rtcpSalt.clone();
        try {
            String transformation = profile.isAead() ? "AES/GCM/NoPadding" : "AES/CTR/NoPadding";
            this.rtpCipher = Cipher.getInstance(transformation);
            this.rtcpCipher = Cipher.getInstance(transformation);
            if (profile.isAead()) {
                this.rtpMac = null;
                this.rtcpMac = null;
            } else {
                this.rtpMac = Mac.getInstance("HmacSHA1");
                this.rtpMac.init(new SecretKeySpec(rtpAuthKey, "HmacSHA1"));
                this.rtcpMac = Mac.getInstance("HmacSHA1");
                this.rtcpMac.init(new SecretKeySpec(rtcpAuthKey, "HmacSHA1"));
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks AES-CTR/AES-GCM/HmacSHA1", e);
        }
    }

    public SrtpProfile profile() {
        return profile;
    }

    // ---------------------------------------------------------------- SRTP

    /**
     * Protects the RTP packet in the readable bytes of {@code packet} (RFC 3711 §3.3, RFC 7714
     * §8): encrypts the payload in place and appends the authentication tag.
     *
     * @throws SrtpException when the bytes are not an RTP packet
     */
    public void protectRtp(ByteBuf packet) {
        int start = packet.readerIndex();
        packet.ensureWritable(profile.rtpTagLength());
        packet.writerIndex(start + protectRtp(packet, start, packet.readableBytes()));
    }

    /**
     * Protects in place the RTP packet at {@code packet[start, start+len)}, as {@link
     * #protectRtp(ByteBuf)} but with absolute indexes and without touching the reader and writer
     * indexes: for packets laid out back to back in one buffer (a UDP GSO burst). The
     * {@link SrtpProfile#rtpTagLength()} bytes after the packet must be within the capacity.
     *
     * @return the protected length ({@code len} plus the tag)
     * @throws SrtpException when the bytes are not an RTP packet
     */
    public int protectRtp(ByteBuf packet, int start, int len) {
        checkSize(len);
        int hdr = rtpHeaderLength(packet, start, len);
        int ssrc = packet.getInt(start + 8);
        int seq = packet.getUnsignedShort(start + 2);
        SsrcState st = state(ssrc, true);
        long index = st.index(seq); // RFC 3711 §3.3.1: the sender's ROC counts wraps of SEQ
        if (index < 0) {
            throw new SrtpException("RTP sequence number " + seq + " precedes the start of SSRC " + hex(ssrc));
        }
        st.update(index);
        int tagLen = profile.rtpTagLength();
        if (start + len + tagLen > packet.capacity()) {
            throw new IllegalArgumentException("no room for the SRTP tag after the packet");
        }
        boolean heap = packet.hasArray();
        byte[] a = heap ? packet.array() : copyOut(packet, start, len, tagLen);
        int base = heap ? packet.arrayOffset() + start : 0;
        int roc = (int) (index >>> 16);
        if (profile.isAead()) {
            // RFC 7714 §8.1/§8.2: IV from SSRC, ROC, SEQ; the header is the associated data
            gcmRtpIv(ssrc, roc, seq);
            gcm(false, Cipher.ENCRYPT_MODE, a, base, hdr, null, base + hdr, len - hdr);
        } else {
            aesCm(false, ssrc, index, a, base + hdr, len - hdr);
            // RFC 3711 §4.2: tag = HMAC-SHA1(auth key, packet || ROC), truncated
            hmac(rtpMac, a, base, len, roc);
            System.arraycopy(tag, 0, a, base + len, tagLen);
        }
        if (!heap) {
            packet.setBytes(start + hdr, a, hdr, len - hdr + tagLen);
        }
        return len + tagLen;
    }

    /**
     * Verifies and decrypts the SRTP packet in the readable bytes of {@code packet} in place and
     * removes the tag (RFC 3711 §3.3, RFC 7714 §8). The packet index comes from the rollover
     * counter estimate (§3.3.1); replayed and too old packets are refused (§3.3.2).
     *
     * @throws SrtpException when the packet is malformed, replayed, too old or not authentic;
     *                       the buffer is then left unchanged
     */
    public void unprotectRtp(ByteBuf packet) {
        int start = packet.readerIndex();
        int len = packet.readableBytes();
        checkSize(len);
        int tagLen = profile.rtpTagLength();
        if (len < RTP_HEADER + tagLen) {
            throw new SrtpException("SRTP packet of " + len + " bytes is too short");
        }
        int bodyLen = len - tagLen;
        int hdr = rtpHeaderLength(packet, start, bodyLen);
        int ssrc = packet.getInt(start + 8);
        int seq = packet.getUnsignedShort(start + 2);
        SsrcState st = state(ssrc, false);
        long index = st == null ? seq : st.index(seq);
        if (index < 0) {
            throw new SrtpException("SRTP packet " + seq + " precedes the start of SSRC " + hex(ssrc));
        }
        if (st != null && st.replayed(false, index)) {
            throw new SrtpException("SRTP packet " + seq + " of SSRC " + hex(ssrc) + " is replayed or too old");
        }
        boolean heap = packet.hasArray();
        byte[] a = heap ? packet.array() : copyOut(packet, start, len, 0);
        int base = heap ? packet.arrayOffset() + start : 0;
        int roc = (int) (index >>> 16);
        if (profile.isAead()) {
            gcmRtpIv(ssrc, roc, seq);
            gcm(false, Cipher.DECRYPT_MODE, a, base, hdr, null, base + hdr, len - hdr);
        } else {
            hmac(rtpMac, a, base, bodyLen, roc);
            if (!tagMatches(a, base + bodyLen, tagLen)) {
                throw new SrtpException("SRTP packet " + seq + " of SSRC " + hex(ssrc) + " failed authentication");
            }
            aesCm(false, ssrc, index, a, base + hdr, bodyLen - hdr);
        }
        accepted(st, ssrc, false, index).update(index);
        if (!heap) {
            packet.setBytes(start + hdr, a, hdr, bodyLen - hdr);
        }
        packet.writerIndex(start + bodyLen);
    }

    // ---------------------------------------------------------------- SRTCP

    /**
     * Protects the (compound) RTCP packet in the readable bytes of {@code packet} (RFC 3711 §3.4,
     * RFC 7714 §9): encrypts everything after the first 8 bytes, appends the E flag with the
     * SRTCP index of the sender SSRC and the authentication tag.
     *
     * @throws SrtpException when the bytes are not an RTCP packet
     */
    public void protectRtcp(ByteBuf packet) {
        int start = packet.readerIndex();
        int len = packet.readableBytes();
        checkSize(len);
        checkRtcpHeader(packet, start, len);
        int ssrc = packet.getInt(start + 4);
        SsrcState st = state(ssrc, true);
        int index = st.nextSrtcpIndex;
        st.nextSrtcpIndex = (index + 1) & 0x7FFF_FFFF; // RFC 3711 §3.4: incremented modulo 2^31
        int eIndex = 0x8000_0000 | index;
        int overhead = profile.rtcpOverhead();
        packet.ensureWritable(overhead);
        boolean heap = packet.hasArray();
        byte[] a = heap ? packet.array() : copyOut(packet, start, len, overhead);
        int base = heap ? packet.arrayOffset() + start : 0;
        putInt(word, 0, eIndex);
        if (profile.isAead()) {
            // RFC 7714 §9.1: AAD = first 8 bytes || E+index; output = header || ciphertext || tag || E+index
            gcmRtcpIv(ssrc, index);
            gcm(true, Cipher.ENCRYPT_MODE, a, base, RTCP_HEADER, word, base + RTCP_HEADER, len - RTCP_HEADER);
            System.arraycopy(word, 0, a, base + len + GCM_TAG_BITS / 8, 4);
        } else {
            aesCm(true, ssrc, index, a, base + RTCP_HEADER, len - RTCP_HEADER);
            System.arraycopy(word, 0, a, base + len, 4);
            // RFC 3711 §3.4: the tag covers the header, the encrypted part and the E+index word
            rtcpMac.update(a, base, len + 4);
            doFinal(rtcpMac);
            System.arraycopy(tag, 0, a, base + len + 4, profile.rtcpTagLength());
        }
        if (!heap) {
            packet.setBytes(start + RTCP_HEADER, a, RTCP_HEADER, len - RTCP_HEADER + overhead);
        }
        packet.writerIndex(start + len + overhead);
    }

    /**
     * Verifies (and decrypts, when the E flag is set) the SRTCP packet in the readable bytes of
     * {@code packet} in place, removing the index word and tag (RFC 3711 §3.4, RFC 7714 §9).
     *
     * @throws SrtpException when the packet is malformed, replayed, too old or not authentic
     */
    public void unprotectRtcp(ByteBuf packet) {
        int start = packet.readerIndex();
        int len = packet.readableBytes();
        checkSize(len);
        int tagLen = profile.rtcpTagLength();
        if (len < RTCP_HEADER + 4 + tagLen) {
            throw new SrtpException("SRTCP packet of " + len + " bytes is too short");
        }
        int indexPos = profile.isAead() ? len - 4 : len - tagLen - 4;
        int plainLen = profile.isAead() ? indexPos - tagLen : indexPos;
        checkRtcpHeader(packet, start, plainLen);
        int eIndex = packet.getInt(start + indexPos);
        boolean encrypted = eIndex < 0;
        int index = eIndex & 0x7FFF_FFFF;
        int ssrc = packet.getInt(start + 4);
        SsrcState st = state(ssrc, false);
        if (st != null && st.replayed(true, index)) {
            throw new SrtpException("SRTCP index " + index + " of SSRC " + hex(ssrc) + " is replayed or too old");
        }
        boolean heap = packet.hasArray();
        byte[] a = heap ? packet.array() : copyOut(packet, start, len, 0);
        int base = heap ? packet.arrayOffset() + start : 0;
        putInt(word, 0, eIndex);
        if (profile.isAead()) {
            gcmRtcpIv(ssrc, index);
            if (encrypted) {
                gcm(true, Cipher.DECRYPT_MODE, a, base, RTCP_HEADER, word, base + RTCP_HEADER, indexPos - RTCP_HEADER);
            } else {
                // RFC 7714 §9.2: without encryption the whole packet is associated data
                gcm(true, Cipher.DECRYPT_MODE, a, base, plainLen, word, base + plainLen, tagLen);
            }
        } else {
            rtcpMac.update(a, base, indexPos + 4);
            doFinal(rtcpMac);
            if (!tagMatches(a, base + indexPos + 4, tagLen)) {
                throw new SrtpException("SRTCP packet of SSRC " + hex(ssrc) + " failed authentication");
            }
            if (encrypted) {
                aesCm(true, ssrc, index, a, base + RTCP_HEADER, plainLen - RTCP_HEADER);
            }
        }
        accepted(st, ssrc, true, index);
        if (!heap && encrypted) {
            packet.setBytes(start + RTCP_HEADER, a, RTCP_HEADER, plainLen - RTCP_HEADER);
        }
        packet.writerIndex(start + plainLen);
    }

    // ---------------------------------------------------------------- state

    /** The rollover counter of an SSRC (RFC 3711 §3.3.1), or -1 when the SSRC is unknown. */
    public long rolloverCounter(int ssrc) {
        SsrcState st = state(ssrc, false);
        return st == null || !st.rtpStarted ? -1 : st.roc & 0xFFFF_FFFFL;
    }

    /** Forgets an SSRC (e.g. on RTCP BYE), freeing its slot. */
    public void removeSsrc(int ssrc) {
        for (int i = 0; i < stateCount; i++) {
            if (states[i].ssrc == ssrc) {
                states[i] = states[--stateCount];
                states[stateCount] = null;
                return;
            }
        }
    }

    /**
     * After a received packet authenticated: its SSRC's state (made for the SSRC's first packet)
     * records the packet's index in its SRTP ({@code rtcp} false) or SRTCP replay list.
     */
    private SsrcState accepted(SsrcState st, int ssrc, boolean rtcp, long index) {
        SsrcState s = st == null ? state(ssrc, true) : st;
        s.accept(rtcp, index);
        return s;
    }

    SsrcState state(int ssrc, boolean create) {
        long now = ++tick;
        for (int i = 0; i < stateCount; i++) {
            SsrcState s = states[i];
            if (s.ssrc == ssrc) {
                s.lastUse = now;
                return s;
            }
        }
        if (!create) {
            return null;
        }
        SsrcState s = new SsrcState(ssrc);
        s.lastUse = now;
        if (stateCount < MAX_SSRCS) {
            states[stateCount++] = s;
        } else {
            int lru = 0;
            for (int i = 1; i < stateCount; i++) {
                if (states[i].lastUse < states[lru].lastUse) {
                    lru = i;
                }
            }
            states[lru] = s;
        }
        return s;
    }

    // ---------------------------------------------------------------- crypto

    /** The AES-CM keystream for an RTP packet (RFC 3711 §4.1.1), for the Appendix B.2 vector. */
    byte[] rtpKeystream(int ssrc, long index, int length) {
        byte[] out = new byte[length];
        aesCm(false, ssrc, index, out, 0, length);
        return out;
    }

    /** RFC 3711 §4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16). */
    private void ctrIv(byte[] salt, int ssrc, long index) {
        System.arraycopy(salt, 0, iv, 0, 14);
        iv[14] = 0;
        iv[15] = 0;
        xorInt(iv, 4, ssrc);
        iv[8] ^= (byte) (index >>> 40);
        iv[9] ^= (byte) (index >>> 32);
        xorInt(iv, 10, (int) index);
    }

    /** RFC 7714 §8.1: IV = (00 00 || SSRC || ROC || SEQ) XOR salt. */
    private void gcmRtpIv(int ssrc, int roc, int seq) {
        System.arraycopy(rtpSalt, 0, iv, 0, 12);
        xorInt(iv, 2, ssrc);
        xorInt(iv, 6, roc);
        iv[10] ^= (byte) (seq >>> 8);
        iv[11] ^= (byte) seq;
    }

    /** RFC 7714 §9.1: IV = (00 00 || SSRC || 00 00 || 0 || SRTCP index) XOR salt. */
    private void gcmRtcpIv(int ssrc, int index) {
        System.arraycopy(rtcpSalt, 0, iv, 0, 12);
        xorInt(iv, 2, ssrc);
        xorInt(iv, 8, index);
    }

    /**
     * AES-CM (RFC 3711 §4.1.1) of {@code a[off, off+n)} in place with the SRTP ({@code rtcp}
     * false) or SRTCP session key and salt, for the packet {@code index} of {@code ssrc}.
     */
    private void aesCm(boolean rtcp, int ssrc, long index, byte[] a, int off, int n) {
        if (n == 0) {
            return;
        }
        ctrIv(rtcp ? rtcpSalt : rtpSalt, ssrc, index);
        Cipher cipher = rtcp ? rtcpCipher : rtpCipher;
        byte[] out = scratch(n);
        try {
            cipher.init(Cipher.ENCRYPT_MODE, rtcp ? rtcpKey : rtpKey, new IvParameterSpec(iv));
            // into a scratch array and back: the JCE copies its input when asked to work in place
            cipher.doFinal(a, off, n, out, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-CTR failed", e);
        }
        System.arraycopy(out, 0, a, off, n);
    }

    /**
     * AES-GCM with the SRTP ({@code rtcp} false) or SRTCP session key, IV in {@link #iv}, over
     * {@code a[dataOff, dataOff+n)} in place, associated data {@code a[aadOff, aadOff+aadLen)}
     * followed by {@code extraAad} (when not null). Encryption writes n + 16 bytes; decryption
     * reads n bytes (ciphertext and tag) and writes n - 16.
     */
    private void gcm(boolean rtcp, int mode, byte[] a, int aadOff, int aadLen, byte[] extraAad, int dataOff, int n) {
        Cipher cipher = rtcp ? rtcpCipher : rtpCipher;
        SecretKeySpec key = rtcp ? rtcpKey : rtpKey;
        try {
            if (mode == Cipher.ENCRYPT_MODE) {
                // The JCE refuses to encrypt twice in a row under one IV; a retransmission of the
                // same packet legitimately does (same plaintext, same output), so step aside once.
                byte[] lastIv = rtcp ? lastRtcpGcmIv : lastRtpGcmIv;
                boolean used = rtcp ? rtcpGcmUsed : rtpGcmUsed;
                if (used && Arrays.equals(lastIv, 0, 12, iv, 0, 12)) {
                    iv[11] ^= 1;
                    cipher.init(mode, key, new GCMParameterSpec(GCM_TAG_BITS, iv, 0, 12));
                    iv[11] ^= 1;
                }
                System.arraycopy(iv, 0, lastIv, 0, 12);
            }
            cipher.init(mode, key, new GCMParameterSpec(GCM_TAG_BITS, iv, 0, 12));
            cipher.updateAAD(a, aadOff, aadLen);
            if (extraAad != null) {
                cipher.updateAAD(extraAad);
            }
            if (mode == Cipher.ENCRYPT_MODE) {
                cipher.doFinal(a, dataOff, n, a, dataOff);
                if (rtcp) {
                    rtcpGcmUsed = true;
                } else {
                    rtpGcmUsed = true;
                }
            } else {
                // Into a scratch array, copied back once the tag verified: the JDK writes the plain
                // text of a packet that then fails authentication in place (found by SrtpJazzerTest),
                // and a refused packet must stay as it came, unauthenticated plain text unreleased.
                byte[] out = scratch(n);
                int plain = cipher.doFinal(a, dataOff, n, out, 0);
                System.arraycopy(out, 0, a, dataOff, plain);
            }
        } catch (AEADBadTagException e) {
            throw new SrtpException("SRTP/SRTCP packet failed AES-GCM authentication");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed", e);
        }
    }

    /** HMAC-SHA1 of {@code a[off, off+n) || ROC} into {@link #tag} (RFC 3711 §4.2). */
    private void hmac(Mac mac, byte[] a, int off, int n, int roc) {
        mac.update(a, off, n);
        putInt(word, 0, roc);
        mac.update(word, 0, 4);
        doFinal(mac);
    }

    private void doFinal(Mac mac) {
        try {
            mac.doFinal(tag, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA1 failed", e);
        }
    }

    /** Constant-time comparison of the first {@code n} bytes of {@link #tag} with {@code a[off..]}. */
    private boolean tagMatches(byte[] a, int off, int n) {
        int diff = 0;
        for (int i = 0; i < n; i++) {
            diff |= tag[i] ^ a[off + i];
        }
        return diff == 0;
    }

    // ---------------------------------------------------------------- bytes

    /** RFC 3550 §5.1: 12 bytes, CSRCs, then the header extension (§5.3.1) when X is set. */
    private static int rtpHeaderLength(ByteBuf p, int start, int len) {
        if (len < RTP_HEADER) {
            throw new SrtpException("RTP packet of " + len + " bytes is shorter than its header");
        }
        int b0 = p.getUnsignedByte(start);
        if (b0 >>> 6 != 2) {
            throw new SrtpException("RTP version " + (b0 >>> 6) + " is not 2");
        }
        int hdr = RTP_HEADER + 4 * (b0 & 0x0F);
        if ((b0 & 0x10) != 0) {
            if (len < hdr + 4) {
                throw new SrtpException("RTP header extension runs past the packet");
            }
            hdr += 4 + 4 * p.getUnsignedShort(start + hdr + 2);
        }
        if (hdr > len) {
            throw new SrtpException("RTP header of " + hdr + " bytes exceeds the " + len + "-byte packet");
        }
        return hdr;
    }

    private static void checkRtcpHeader(ByteBuf p, int start, int len) {
        if (len < RTCP_HEADER) {
            throw new SrtpException("RTCP packet of " + len + " bytes is shorter than 8");
        }
        int b0 = p.getUnsignedByte(start);
        if (b0 >>> 6 != 2) {
            throw new SrtpException("RTCP version " + (b0 >>> 6) + " is not 2");
        }
    }

    private static void checkSize(int len) {
        if (len > MAX_PACKET_SIZE) {
            throw new SrtpException("packet of " + len + " bytes exceeds " + MAX_PACKET_SIZE);
        }
    }

    /**
     * A copy of the packet's {@code len} bytes at the start of {@link #work}, with {@code room}
     * bytes to spare after them: what a buffer without an array of its own is transformed in.
     */
    private byte[] copyOut(ByteBuf packet, int start, int len, int room) {
        byte[] a = work(len + room);
        packet.getBytes(start, a, 0, len);
        return a;
    }

    private byte[] work(int n) {
        if (work.length < n) {
            work = new byte[Math.max(Math.max(n, 1500), work.length * 2)];
        }
        return work;
    }

    private byte[] scratch(int n) {
        if (scratch.length < n) {
            scratch = new byte[Math.max(Math.max(n, 1500), scratch.length * 2)];
        }
        return scratch;
    }

    private static void putInt(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 24);
        b[i + 1] = (byte) (v >>> 16);
        b[i + 2] = (byte) (v >>> 8);
        b[i + 3] = (byte) v;
    }

    /** XORs {@code v} big-endian into {@code b[i, i+4)}. */
    private static void xorInt(byte[] b, int i, int v) {
        b[i] ^= (byte) (v >>> 24);
        b[i + 1] ^= (byte) (v >>> 16);
        b[i + 2] ^= (byte) (v >>> 8);
        b[i + 3] ^= (byte) v;
    }

    private static String hex(int ssrc) {
        return String.format("0x%08x", ssrc);
    }
}
