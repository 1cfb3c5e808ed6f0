package dev.vireo.webrtc.srtp;

import static dev.vireo.webrtc.srtp.SrtpVectorsTest.hex;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing of SRTP/SRTCP unprotect (RFC 3711 §3.3, §3.4; RFC 7714), the first thing
 * every WebRTC media datagram meets (issue 17). Authentication comes before anything is parsed, so
 * random bytes alone would only ever test the refusal: the input is a script that also protects
 * packets with a sender context of the same key and hands them over intact, with a bit flipped,
 * truncated, or replayed. Checked, for the three profiles:
 * <ul>
 *   <li>only {@link SrtpException} escapes, and a refused packet's buffer is left unchanged
 *       (indices and bytes, as {@link SrtpContext#unprotectRtp} documents);</li>
 *   <li>an accepted packet is the sender's plain packet, shorter by the profile's overhead; a
 *       packet with a flipped bit or cut short is never accepted, a replayed one never twice;</li>
 *   <li>refused packets leave no trace: a second receiver that sees only authentic packets (the
 *       sender's intact ones, and raw ones the fuzzed receiver accepted) accepts and refuses
 *       exactly what the fuzzed receiver does (no forged packet can move the rollover counter or
 *       the replay window, which would make real packets fail).</li>
 * </ul>
 * Ops: {@code 0} RTP and {@code 1} RTCP from the sender ({@code seq or SRTCP sender (2), SSRC
 * (1), length (1), body, mutation (1), position (2)}), {@code 2}/{@code 3} raw bytes to
 * unprotectRtp/Rtcp ({@code length (2), bytes}); bit 4 of an op puts the packet in a direct
 * buffer (the copying path). The keys are libsrtp's test keys, so the seeds in
 * {@code SrtpJazzerTestInputs/} hold libsrtp's SRTP and SRTCP vectors as raw, authentic packets
 * and ffmpeg's H.264/Opus RTP packets as the sender's; {@code JAZZER_FUZZ=1} fuzzes
 * (docs/RELIABILITY.md).
 */
class SrtpJazzerTest {

    private static final byte[] CM_KEY = hex("e1f97a0d3e018be0d64fa32c06de4139");
    private static final byte[] CM_SALT = hex("0ec675ad498afeebb6960b3aabe6");
    private static final byte[] GCM_KEY = hex("000102030405060708090a0b0c0d0e0f");
    private static final byte[] GCM_SALT = hex("a0a1a2a3a4a5a6a7a8a9aaab");
    private static final int[] SSRCS = {0xcafebabe, 0x11111111, 0x22222222, 0x33333333};
    private static final int MAX_OPS = 128;
    private static final UnpooledByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false, true);

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void unprotect(byte[] data) {
        if (data.length == 0) {
            return;
        }
        SrtpProfile profile = SrtpProfile.values()[(data[0] & 0xFF) % SrtpProfile.values().length];
        byte[] key = profile.isAead() ? GCM_KEY : CM_KEY;
        byte[] salt = profile.isAead() ? GCM_SALT : CM_SALT;
        SrtpContext tx = new SrtpContext(profile, key, salt);
        SrtpContext rx = new SrtpContext(profile, key, salt);
        SrtpContext clean = new SrtpContext(profile, key, salt);
        byte[] lastRtp = null;
        byte[] lastRtcp = null;
        int pos = 1;
        for (int n = 0; n < MAX_OPS && pos < data.length; n++) {
            int op = data[pos++] & 0xFF;
            boolean direct = (op & 0x10) != 0;
            boolean rtcp = (op & 1) != 0;
            if ((op & 2) != 0) { // raw bytes
                int len = pos + 2 <= data.length ? Math.min(((data[pos] & 0xFF) << 8) | (data[pos + 1] & 0xFF),
                        data.length - pos - 2) : 0;
                pos += 2;
                byte[] raw = Arrays.copyOfRange(data, Math.min(pos, data.length), Math.min(pos + len, data.length));
                pos += len;
                byte[] got = unprotect(rx, raw, rtcp, direct, profile);
                if (got != null) {
                    // authentic (libsrtp's vectors): the clean receiver must see it too, and take it alike
                    assertThat(unprotect(clean, raw, rtcp, false, profile)).isEqualTo(got);
                }
                continue;
            }
            if (pos + 4 > data.length) {
                break;
            }
            int seq = ((data[pos] & 0xFF) << 8) | (data[pos + 1] & 0xFF);
            int ssrc = SSRCS[data[pos + 2] & 3];
            int len = Math.min(data[pos + 3] & 0xFF, data.length - pos - 4);
            pos += 4;
            byte[] body = Arrays.copyOfRange(data, pos, pos + len);
            pos += len;
            int mutation = pos < data.length ? data[pos] & 0xFF : 0;
            int at = pos + 2 < data.length ? ((data[pos + 1] & 0xFF) << 8) | (data[pos + 2] & 0xFF) : 0;
            pos += 3;
            byte[] plain = rtcp ? rtcp(ssrc, body) : rtp(seq, ssrc, body);
            byte[] sent;
            if (mutation % 4 == 3 && (rtcp ? lastRtcp : lastRtp) != null) {
                sent = (rtcp ? lastRtcp : lastRtp).clone(); // a replay: accepted at most once
                plain = null;
            } else {
                ByteBuf b = ALLOC.heapBuffer(plain.length + 32).writeBytes(plain);
                try {
                    if (rtcp) {
                        tx.protectRtcp(b);
                    } else {
                        tx.protectRtp(b);
                    }
                } catch (SrtpException senderRefused) {
                    continue; // e.g. a sequence number before the sender's first: nothing to send
                }
                sent = new byte[b.readableBytes()];
                b.readBytes(sent);
                if (rtcp) {
                    lastRtcp = sent.clone();
                } else {
                    lastRtp = sent.clone();
                }
            }
            int overhead = rtcp ? profile.rtcpOverhead() : profile.rtpTagLength();
            switch (mutation % 4) {
                case 1 -> {
                    byte[] forged = sent.clone();
                    forged[at % forged.length] ^= (byte) (1 << (mutation >>> 2 & 7));
                    assertThat(unprotect(rx, forged, rtcp, direct, profile)).as("a flipped bit is refused").isNull();
                }
                case 2 -> {
                    byte[] cut = Arrays.copyOf(sent, at % sent.length);
                    assertThat(unprotect(rx, cut, rtcp, direct, profile)).as("a truncated packet is refused").isNull();
                }
                default -> {
                    byte[] got = unprotect(rx, sent.clone(), rtcp, direct, profile);
                    byte[] expected = unprotect(clean, sent.clone(), rtcp, false, profile);
                    assertThat(got).as("the fuzzed receiver answers as one that saw only real packets")
                            .isEqualTo(expected);
                    if (got != null) {
                        assertThat(got).hasSize(sent.length - overhead);
                        if (plain != null) {
                            assertThat(got).as("the sender's packet").isEqualTo(plain);
                        }
                        assertThat(unprotect(rx, sent.clone(), rtcp, direct, profile)).as("accepted once only").isNull();
                        assertThat(unprotect(clean, sent.clone(), rtcp, false, profile)).isNull();
                    }
                }
            }
        }
    }

    /** The plain packet, or null when refused; checks the refusal's contract. */
    private static byte[] unprotect(SrtpContext ctx, byte[] packet, boolean rtcp, boolean direct, SrtpProfile profile) {
        ByteBuf b = direct ? ALLOC.directBuffer(packet.length) : ALLOC.heapBuffer(packet.length);
        try {
            b.writeBytes(packet);
            try {
                if (rtcp) {
                    ctx.unprotectRtcp(b);
                } else {
                    ctx.unprotectRtp(b);
                }
            } catch (SrtpException refused) {
                assertThat(refused.getMessage()).isNotBlank();
                assertThat(b.readerIndex()).as("a refused packet's indices").isZero();
                assertThat(b.writerIndex()).as("a refused packet's indices").isEqualTo(packet.length);
                byte[] after = new byte[packet.length];
                b.getBytes(0, after);
                assertThat(after).as("a refused packet's bytes (%s)", refused.getMessage()).isEqualTo(packet);
                return null;
            }
            assertThat(b.readerIndex()).isZero();
            assertThat(packet.length - b.writerIndex())
                    .isEqualTo(rtcp ? profile.rtcpOverhead() : profile.rtpTagLength());
            byte[] out = new byte[b.readableBytes()];
            b.getBytes(0, out);
            return out;
        } finally {
            b.release();
        }
    }

    /** An RTP packet: V=2, PT 96, the body's first byte as the CSRC count and X bit. */
    private static byte[] rtp(int seq, int ssrc, byte[] body) {
        ByteBuf b = ALLOC.heapBuffer(12 + body.length + 20);
        int first = body.length > 0 ? body[0] & 0xFF : 0;
        int csrcs = first & 0x03;
        boolean ext = (first & 0x04) != 0;
        b.writeByte(0x80 | (ext ? 0x10 : 0) | csrcs).writeByte(96).writeShort(seq).writeInt(seq * 3000).writeInt(ssrc);
        for (int i = 0; i < csrcs; i++) {
            b.writeInt(0x1000 + i);
        }
        if (ext) {
            b.writeShort(0xBEDE).writeShort(1).writeInt(0x10AB0000);
        }
        b.writeBytes(body);
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        return out;
    }

    /** An RTCP packet whose length field counts the body padded to 32-bit words. */
    private static byte[] rtcp(int ssrc, byte[] body) {
        int words = (body.length + 3) / 4;
        ByteBuf b = ALLOC.heapBuffer(8 + words * 4);
        b.writeByte(0x80).writeByte(200 + (body.length > 0 ? body[0] & 3 : 0)).writeShort(words + 1).writeInt(ssrc);
        b.writeBytes(body).writeZero(words * 4 - body.length);
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        return out;
    }
}
