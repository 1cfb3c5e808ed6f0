package dev.vireo.rtmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class HandshakeTest {

    private static final byte[] TAIL = HexFormat.of().parseHex(
            "F0EEC24A8068BEE82E00D0D1029E7E576EEC5D2D29806FAB93B8E636CFEB31AE");
    private static final byte[] FP_KEY_30 = "Genuine Adobe Flash Player 001".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FMS_KEY_36 = "Genuine Adobe Flash Media Server 001".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FMS_KEY_68 = concat(FMS_KEY_36, TAIL);
    private static final byte[] FP_KEY_62 = concat(FP_KEY_30, TAIL);

    private final Random random = new Random(7);

    @Test
    void plainC1GetsAnEchoInS2AndATimeZeroS1() {
        byte[] c1 = new byte[Handshake.PACKET_SIZE];
        random.nextBytes(c1);
        Arrays.fill(c1, 4, 8, (byte) 0);
        Handshake.ServerReply reply = Handshake.serverReply(c1, 12345, random);
        assertThat(reply.digest()).isFalse();
        assertThat(reply.s2()).isEqualTo(c1);
        assertThat(Arrays.copyOfRange(reply.s1(), 0, 8)).containsExactly(0, 0, 0x30, 0x39, 0, 0, 0, 0);
    }

    @Test
    void signedC1InScheme0GetsS1SignedWithTheFmsKeyAndAnS2SignedFromTheC1Digest() {
        byte[] c1 = signedC1(8);
        Handshake.ServerReply reply = Handshake.serverReply(c1, 1, random);
        assertThat(reply.digest()).isTrue();
        // Independent check (not Handshake's own code): the scheme-0 digest of S1 under the FMS key.
        assertThat(validDigest(reply.s1(), 8, FMS_KEY_36)).isTrue();
        assertThat(reply.s1()[4]).as("a server version, so that clients check the digest").isGreaterThanOrEqualTo((byte) 3);
        assertThat(validS2(reply.s2(), digestOf(c1, 8))).isTrue();
    }

    @Test
    void signedC1InScheme1IsAnsweredInScheme1() {
        byte[] c1 = signedC1(772);
        Handshake.ServerReply reply = Handshake.serverReply(c1, 1, random);
        assertThat(reply.digest()).isTrue();
        assertThat(validDigest(reply.s1(), 772, FMS_KEY_36)).isTrue();
        assertThat(validS2(reply.s2(), digestOf(c1, 772))).isTrue();
    }

    @Test
    void c1WithABrokenDigestFallsBackToThePlainHandshake() {
        byte[] c1 = signedC1(8);
        int off = offset(c1, 8);
        c1[off] ^= 1;
        Handshake.ServerReply reply = Handshake.serverReply(c1, 1, random);
        assertThat(reply.digest()).isFalse();
        assertThat(reply.s2()).isEqualTo(c1);
    }

    @Test
    void clientSideValidatesTheServerAndSignsC2() {
        byte[] c1 = Handshake.clientC1(99, random);
        assertThat(validDigest(c1, 8, FP_KEY_30)).as("client C1 is signed like Flash Player's").isTrue();
        Handshake.ServerReply server = Handshake.serverReply(c1, 1, random);
        Handshake.ClientReply client = Handshake.clientReply(c1, server.s1(), server.s2(), random);
        assertThat(client.serverDigestValid()).isTrue();
        assertThat(client.s2SignatureValid()).isTrue();
        // C2 = random + HMAC(random, HMAC(S1 digest, FP key 62)).
        byte[] key = hmac(FP_KEY_62, digestOf(server.s1(), 8));
        byte[] expected = hmac(key, Arrays.copyOf(client.c2(), Handshake.PACKET_SIZE - 32));
        assertThat(Arrays.copyOfRange(client.c2(), Handshake.PACKET_SIZE - 32, Handshake.PACKET_SIZE)).isEqualTo(expected);

        // A server without digests: C2 echoes S1, nothing validates.
        byte[] plainS1 = new byte[Handshake.PACKET_SIZE];
        Handshake.ClientReply plain = Handshake.clientReply(c1, plainS1, c1, random);
        assertThat(plain.serverDigestValid()).isFalse();
        assertThat(plain.c2()).isEqualTo(plainS1);
    }

    @Test
    void handlerAnswersExactlyAndPassesBytesAfterC2On() {
        EmbeddedChannel ch = new EmbeddedChannel(new HandshakeHandler(new SessionLog("t", "peer"), Duration.ofSeconds(10)));
        byte[] c1 = new byte[Handshake.PACKET_SIZE];
        // C0 and C1 split at an odd place.
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {3}, Arrays.copyOf(c1, 700)));
        assertThat((Object) ch.readOutbound()).isNull();
        ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(c1, 700, c1.length)));
        ByteBuf s = ch.readOutbound();
        assertThat(s.readableBytes()).isEqualTo(1 + 2 * Handshake.PACKET_SIZE);
        assertThat(s.getByte(0)).isEqualTo((byte) 3);
        s.release();
        // C2 plus the first bytes of the chunk stream in the same packet.
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[Handshake.PACKET_SIZE], new byte[] {1, 2, 3}));
        assertThat(ch.pipeline().get(HandshakeHandler.class)).isNull();
        ByteBuf rest = ch.readInbound();
        assertThat(ByteBufUtil.getBytes(rest)).containsExactly(1, 2, 3);
        rest.release();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void handlerTimesOutAnIncompleteHandshake() {
        SessionLog log = new SessionLog("t", "peer");
        EmbeddedChannel ch = new EmbeddedChannel(new HandshakeHandler(log, Duration.ofSeconds(10)));
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {3, 0, 0, 0}));
        ch.advanceTimeBy(9, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();
        ch.advanceTimeBy(2, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        assertThat(log.closeReason()).isEqualTo("handshake not completed within 10000 ms (4 of 3073 bytes received)");
    }

    @Test
    void handlerRejectsRtmpe() {
        EmbeddedChannel ch = new EmbeddedChannel(new HandshakeHandler(new SessionLog("t", "peer"), Duration.ofSeconds(10)));
        assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {6, 0})))
                .isInstanceOf(DecoderException.class)
                .cause().isInstanceOf(RtmpProtocolException.class)
                .hasMessage("encrypted RTMPE handshake (version 6) is not supported");
        ch.close();
    }

    // ---- an independent implementation of the digest rules, for checking ----

    private byte[] signedC1(int base) {
        byte[] c1 = new byte[Handshake.PACKET_SIZE];
        random.nextBytes(c1);
        c1[4] = 9;
        int off = offset(c1, base);
        Mac mac = mac(FP_KEY_30);
        mac.update(c1, 0, off);
        mac.update(c1, off + 32, Handshake.PACKET_SIZE - off - 32);
        System.arraycopy(mac.doFinal(), 0, c1, off, 32);
        return c1;
    }

    private static int offset(byte[] p, int base) {
        return ((p[base] & 0xFF) + (p[base + 1] & 0xFF) + (p[base + 2] & 0xFF) + (p[base + 3] & 0xFF)) % 728 + base + 4;
    }

    private static byte[] digestOf(byte[] p, int base) {
        int off = offset(p, base);
        return Arrays.copyOfRange(p, off, off + 32);
    }

    private static boolean validDigest(byte[] p, int base, byte[] key) {
        int off = offset(p, base);
        Mac mac = mac(key);
        mac.update(p, 0, off);
        mac.update(p, off + 32, Handshake.PACKET_SIZE - off - 32);
        return Arrays.equals(mac.doFinal(), digestOf(p, base));
    }

    private static boolean validS2(byte[] s2, byte[] c1Digest) {
        byte[] key = hmac(FMS_KEY_68, c1Digest);
        byte[] sig = hmac(key, Arrays.copyOf(s2, Handshake.PACKET_SIZE - 32));
        return Arrays.equals(sig, Arrays.copyOfRange(s2, Handshake.PACKET_SIZE - 32, Handshake.PACKET_SIZE));
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        return mac(key).doFinal(data);
    }

    private static Mac mac(byte[] key) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            return m;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
