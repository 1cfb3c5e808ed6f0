package dev.vireo.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.testing.Await;
import dev.vireo.webrtc.dtls.DtlsCertificate;
import dev.vireo.webrtc.dtls.DtlsSrtpClient;
import dev.vireo.webrtc.ice.IceCredentials;
import dev.vireo.webrtc.srtp.SrtpProfile;
import dev.vireo.webrtc.stun.StunAttribute;
import dev.vireo.webrtc.stun.StunClass;
import dev.vireo.webrtc.stun.StunMessage;
import dev.vireo.webrtc.testing.FakeBrowser;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.tls.SRTPProtectionProfile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** ICE-lite, DTLS-SRTP and the shared-port demultiplexing against a fake browser on a real socket. */
@Timeout(60)
class RtcTransportTest {

    private static final byte[] RTP = {(byte) 0x80, 96, 0x12, 0x34, 0, 0, 0x10, 0, 0x0a, 0x0b, 0x0c, 0x0d,
        'h', 'e', 'l', 'l', 'o'};
    /** A receiver report (RFC 3550 §6.4.2) with one report block. */
    private static final byte[] RR = {(byte) 0x81, (byte) 201, 0, 7, 1, 2, 3, 4, 0x0a, 0x0b, 0x0c, 0x0d,
        0, 0, 0, 0, 0, 0, 0x12, 0x34, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

    private EventLoopGroup group;
    private WebRtcServer server;
    private final List<FakeBrowser> browsers = new CopyOnWriteArrayList<>();

    /** Records what one transport reports. */
    private static final class Recorder implements RtcTransport.Listener {
        final AtomicInteger connected = new AtomicInteger();
        final List<byte[]> rtcp = new CopyOnWriteArrayList<>();
        final AtomicReference<String> closed = new AtomicReference<>();

        @Override
        public void onConnected() {
            connected.incrementAndGet();
        }

        @Override
        public void onRtcp(ByteBuf compound) {
            rtcp.add(ByteBufUtil.getBytes(compound));
        }

        @Override
        public void onClosed(String reason) {
            closed.set(reason);
        }
    }

    /**
     * The server with the default consent timeout (RFC 7675: 30 s): the tests that are not about consent
     * must not lose it to a slow handshake (a cold DTLS handshake at load 10 on 2 cores went over 2 s
     * without a check reaching the server, checks every 500 ms notwithstanding, and timed out).
     */
    @BeforeEach
    void start() {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        server = newServer(WebRtcConfig.defaults().consentTimeout());
    }

    private WebRtcServer newServer(Duration consent) {
        WebRtcServer s = new WebRtcServer(WebRtcConfig.defaults().withBind("127.0.0.1", 0).withConsentTimeout(consent),
                group, NioDatagramChannel.class, new SimpleMeterRegistry());
        s.start();
        return s;
    }

    /** For the tests of consent itself: the server again, with a 2 s consent timeout. */
    private void withShortConsent() {
        server.close();
        server = newServer(Duration.ofSeconds(2));
    }

    @AfterEach
    void stop() throws Exception {
        for (FakeBrowser b : browsers) {
            b.close();
        }
        server.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** RFC 6544 / RFC 4571: garbage, an oversized frame or silence close that connection alone. */
    @Test
    void iceTcpConnectionsThatDoNotStartWithACheckAreClosed() throws Exception {
        withShortConsent();
        assertThat(server.candidates()).extracting(c -> c.transport() + " " + c.tcpType())
                .contains("udp null", "tcp passive");
        byte[][] firsts = {
            {0x00, 0x04, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}, // not STUN/DTLS/RTP
            {0x00, 0x04, (byte) 0x80, 0x60, 0x00, 0x01},                        // RTP before any check
            {(byte) 0xFF, (byte) 0xFF},                                         // 65535 > the frame limit
        };
        for (byte[] first : firsts) {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
                socket.setSoTimeout(5_000);
                socket.getOutputStream().write(first);
                socket.getOutputStream().flush();
                assertThat(socket.getInputStream().read()).as("closed by the server").isEqualTo(-1);
            }
        }
        // Silence: closed after the consent timeout (2 s here) without a check.
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(server.stats().malformed()).isGreaterThanOrEqualTo(3);
    }

    private FakeBrowser browser() throws Exception {
        FakeBrowser b = new FakeBrowser(server.port());
        browsers.add(b);
        return b;
    }

    private RtcTransport open(FakeBrowser b, Recorder r) {
        return server.open("s" + browsers.indexOf(b), "test/live/demo", List.of(b.certificate.fingerprint()), r);
    }

    /** Checks, nominates and completes DTLS; returns the browser's keys. */
    private DtlsSrtpClient.Connected connect(FakeBrowser b, RtcTransport t, Recorder r) throws Exception {
        StunMessage response = b.check(t.localCredentials(), true);
        assertThat(response).isNotNull();
        assertThat(response.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
        // checking on while DTLS runs (as a browser does): the consent tests' server times out after 2 s
        DtlsSrtpClient.Connected c = b.connectDtlsChecking(t.localCredentials(), server.fingerprint(),
                SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM, SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80);
        Await.until(Duration.ofSeconds(5), "transport connected", () -> r.connected.get() == 1);
        return c;
    }

    private static void sendRtp(RtcTransport t, byte[] rtp) {
        t.executor().execute(() -> {
            ByteBuf p = t.alloc().heapBuffer(rtp.length + 16);
            p.writeBytes(rtp);
            t.writeRtp(p);
        });
    }

    /** The next SRTP packet from the server, decrypted with the browser's keys. */
    private static byte[] receiveRtp(FakeBrowser b, DtlsSrtpClient.Connected keys,
                                     dev.vireo.webrtc.srtp.SrtpContext inbound) throws Exception {
        byte[] d = b.nextMedia(Duration.ofSeconds(5));
        assertThat(d).as("an SRTP packet").isNotNull();
        ByteBuf p = Unpooled.wrappedBuffer(d);
        inbound.unprotectRtp(p);
        return ByteBufUtil.getBytes(p);
    }

    @Test
    void aValidCheckIsAnsweredAndDtlsSrtpCarriesMediaBothWays() throws Exception {
        FakeBrowser b = browser();
        Recorder r = new Recorder();
        RtcTransport t = open(b, r);
        StunMessage response = b.check(t.localCredentials(), true);
        assertThat(response.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
        // RFC 8445 §7.3.1.4: integrity with the server's password; the mapped address is ours.
        assertThat(response.verifyIntegrity(t.localCredentials().pwd().getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(response.hasFingerprint() && response.verifyFingerprint()).isTrue();
        assertThat(response.attribute(StunAttribute.XorMappedAddress.class)).get()
                .extracting(StunAttribute.XorMappedAddress::address).isEqualTo(b.localAddress());

        DtlsSrtpClient.Connected c = b.connectDtlsChecking(t.localCredentials(), server.fingerprint(),
                SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80);
        Await.until(Duration.ofSeconds(5), "transport connected", () -> r.connected.get() == 1);
        assertThat(t.srtpProfile()).isEqualTo(SrtpProfile.AES_CM_128_HMAC_SHA1_80);
        assertThat(t.remoteAddress()).isEqualTo(b.localAddress());

        sendRtp(t, RTP);
        assertThat(receiveRtp(b, c, c.keys().inbound(false))).isEqualTo(RTP);

        ByteBuf rr = Unpooled.buffer(64).writeBytes(RR);
        c.keys().outbound(false).protectRtcp(rr);
        b.send(rr);
        Await.until("RTCP delivered", () -> r.rtcp.size() == 1);
        assertThat(r.rtcp.getFirst()).isEqualTo(RR);
        assertThat(t.stats().connected()).isTrue();
        assertThat(t.stats().rtcpReceived()).isEqualTo(1);
        assertThat(server.stats().sessions()).isEqualTo(1);
    }

    @Test
    void aCheckWithAWrongPasswordGets401AndBindsNothing() throws Exception {
        FakeBrowser b = browser();
        Recorder r = new Recorder();
        RtcTransport t = open(b, r);
        StunMessage response = b.check(t.localCredentials().ufrag(), "x".repeat(32), true);
        assertThat(response.messageClass()).isEqualTo(StunClass.ERROR_RESPONSE);
        assertThat(response.attribute(StunAttribute.ErrorCode.class)).get()
                .extracting(StunAttribute.ErrorCode::code).isEqualTo(401);
        long unknownBefore = server.stats().unknownSource();
        b.send(new byte[] {22, (byte) 0xfe, (byte) 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        Await.until("the DTLS datagram is dropped as from an unknown source",
                () -> server.stats().unknownSource() == unknownBefore + 1);
        assertThat(t.remoteAddress()).isNull();
        assertThat(server.stats().badChecks()).isEqualTo(1);
    }

    @Test
    void aCheckForAnUnknownUfragIsDroppedSilently() throws Exception {
        FakeBrowser b = browser();
        IceCredentials nobody = IceCredentials.generate(FakeBrowser.RANDOM);
        assertThat(b.check(nobody.ufrag(), nobody.pwd(), true, Duration.ofSeconds(2))).isNull(); // no answer in 2 s
        assertThat(server.stats().unknownSource()).isEqualTo(1);
    }

    @Test
    void malformedAndForeignPacketsAreDroppedWhileASessionKeepsWorking() throws Exception {
        FakeBrowser b = browser();
        Recorder r = new Recorder();
        RtcTransport t = open(b, r);
        DtlsSrtpClient.Connected c = connect(b, t, r);
        dev.vireo.webrtc.srtp.SrtpContext inbound = c.keys().inbound(false);
        sendRtp(t, RTP);
        assertThat(receiveRtp(b, c, inbound)).isEqualTo(RTP);

        // From the session's own address: garbage STUN, an unclassifiable byte, forged SRTCP,
        // RTP a send-only session does not expect, a truncated DTLS record.
        b.send(new byte[] {0, 1, 0, 50, 0x21, 0x12});
        b.send(new byte[] {(byte) 0xff, 1, 2, 3});
        b.send(new byte[0]);
        byte[] forged = RR.clone();
        b.send(java.util.Arrays.copyOf(forged, forged.length + 14));
        b.send(RTP);
        b.send(new byte[] {23, (byte) 0xfe});
        // From an address nobody bound: DTLS, SRTP and SRTCP.
        try (FakeBrowser stranger = new FakeBrowser(server.port())) {
            stranger.send(new byte[] {22, (byte) 0xfe, (byte) 0xfd, 0, 0});
            stranger.send(RTP);
            stranger.send(RR);
            Await.until("three datagrams from an unknown source", () -> server.stats().unknownSource() == 3);
        }
        Await.until("the session's own bad datagrams counted", () -> server.stats().malformed() >= 3
                && server.stats().srtcpRejected() == 1 && server.stats().unexpected() >= 1);

        // The session is unharmed: media still flows, RTCP still arrives.
        assertThat(r.closed.get()).isNull();
        byte[] second = RTP.clone();
        second[3] = 0x35;
        sendRtp(t, second);
        assertThat(receiveRtp(b, c, inbound)).isEqualTo(second);
        ByteBuf rr = Unpooled.buffer(64).writeBytes(RR);
        c.keys().outbound(false).protectRtcp(rr);
        b.send(rr);
        Await.until("RTCP still delivered", () -> r.rtcp.size() == 1);
    }

    @Test
    void withoutChecksConsentExpiresAndTheTransportCloses() throws Exception {
        withShortConsent();
        FakeBrowser b = browser();
        Recorder r = new Recorder();
        RtcTransport t = open(b, r);
        // Consent runs from the last check, which connect() sends (before and during DTLS): timed from
        // before it (timed from after it, a handshake over 0.5 s on a loaded machine made the expiry look early).
        long checkedAt = System.nanoTime();
        connect(b, t, r);
        // The fake browser stops sending checks (RFC 7675 §5.1: consent lapses after the timeout).
        Await.until(Duration.ofSeconds(10), "consent expiry", () -> r.closed.get() != null);
        assertThat(r.closed.get()).startsWith("consent expired");
        assertThat(Duration.ofNanos(System.nanoTime() - checkedAt)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(server.stats().sessions()).isZero();
        // Its ufrag is gone with it.
        assertThat(b.check(t.localCredentials().ufrag(), t.localCredentials().pwd(), true, Duration.ofSeconds(2)))
                .isNull(); // no answer in 2 s
    }

    @Test
    void checksKeepConsentAlive() throws Exception {
        withShortConsent();
        FakeBrowser b = browser();
        Recorder r = new Recorder();
        RtcTransport t = open(b, r);
        connect(b, t, r);
        // Checks every 0.5 s for twice the 2 s consent timeout (a browser checks every 5 s against 30 s).
        for (int i = 0; i < 8; i++) {
            long next = System.nanoTime() + Duration.ofMillis(500).toNanos();
            assertThat(b.check(t.localCredentials(), false)).isNotNull();
            // Time has to pass here: consent is about time.
            Await.until("the next check is due", () -> System.nanoTime() >= next);
        }
        assertThat(r.closed.get()).isNull();
    }

    @Test
    void theBrowserClosingDtlsClosesTheTransport() throws Exception {
        FakeBrowser b = browser();
        Recorder r = new Recorder();
        RtcTransport t = open(b, r);
        DtlsSrtpClient.Connected c = connect(b, t, r);
        c.dtls().close();
        Await.until(Duration.ofSeconds(5), "closed on close_notify", () -> r.closed.get() != null);
        assertThat(r.closed.get()).isEqualTo("the peer closed DTLS");
    }

    @Test
    void aBrowserWithTheWrongCertificateFailsAloneAndDoesNotDisturbAnother() throws Exception {
        FakeBrowser good = browser();
        Recorder goodRecorder = new Recorder();
        RtcTransport goodTransport = open(good, goodRecorder);
        DtlsSrtpClient.Connected keys = connect(good, goodTransport, goodRecorder);

        FakeBrowser bad = browser();
        Recorder badRecorder = new Recorder();
        // The offer named some other certificate than the one this browser presents.
        RtcTransport badTransport = server.open("bad", "test/live/demo",
                List.of(DtlsCertificate.generate(FakeBrowser.RANDOM).fingerprint()), badRecorder);
        assertThat(bad.check(badTransport.localCredentials(), true)).isNotNull();
        try {
            bad.connectDtlsChecking(badTransport.localCredentials(), server.fingerprint(),
                    SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80);
        } catch (java.io.IOException expected) {
            // bad_certificate
        }
        Await.until(Duration.ofSeconds(5), "the bad session closes", () -> badRecorder.closed.get() != null);
        assertThat(badRecorder.closed.get()).contains("bad_certificate");
        assertThat(badRecorder.connected.get()).isZero();

        sendRtp(goodTransport, RTP);
        assertThat(receiveRtp(good, keys, keys.keys().inbound(false))).isEqualTo(RTP);
        assertThat(goodRecorder.closed.get()).isNull();
    }

    @Test
    void aSessionBindsAtMostEightAddressesAndForgetsTheOldestUnselectedOne() throws Exception {
        FakeBrowser first = browser();
        Recorder r = new Recorder();
        RtcTransport t = open(first, r);
        assertThat(first.check(t.localCredentials(), true)).isNotNull();
        List<FakeBrowser> others = new java.util.ArrayList<>();
        for (int i = 0; i < 9; i++) {
            FakeBrowser b = browser();
            others.add(b);
            // The same agent's checks from more local candidates (no nomination).
            assertThat(b.check(t.localCredentials(), false)).isNotNull();
        }
        assertThat(t.remoteAddress()).as("the nominated address stays selected").isEqualTo(first.localAddress());
        assertThat(server.stats().sessions()).isEqualTo(1);
        long unknown = server.stats().unknownSource();
        // The oldest unselected address was unbound: its DTLS is from an unknown source now.
        others.getFirst().send(new byte[] {22, (byte) 0xfe, (byte) 0xfd, 0, 0});
        Await.until("dropped as unknown", () -> server.stats().unknownSource() == unknown + 1);
        // A still-bound one reaches the session (its DTLS endpoint takes it).
        others.getLast().send(new byte[] {22, (byte) 0xfe, (byte) 0xfd, 0, 0});
        first.send(new byte[] {22, (byte) 0xfe, (byte) 0xfd, 0, 0});
        assertThat(server.stats().unknownSource()).isEqualTo(unknown + 1);
        t.close("test over");
        Await.until("closed", () -> r.closed.get() != null);
        assertThat(server.stats().sessions()).isZero();
    }

    @Test
    void anIceRestartHandsOutNewCredentialsAndRetiresTheOldOnesOnceUsed() throws Exception {
        FakeBrowser b = browser();
        Recorder r = new Recorder();
        RtcTransport t = open(b, r);
        connect(b, t, r);
        IceCredentials old = t.localCredentials();
        IceCredentials fresh = t.restartIce();
        assertThat(fresh.ufrag()).isNotEqualTo(old.ufrag());
        Await.until("restart applied on the loop", () -> t.localCredentials().equals(fresh));
        // Until the browser uses the new credentials, the old ones still work (media continues).
        assertThat(b.check(old, false).messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
        assertThat(b.check(fresh, true).messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
        // (a short look)
        assertThat(b.check(old.ufrag(), old.pwd(), false, Duration.ofMillis(500))).isNull();
        assertThat(r.closed.get()).isNull();
        assertThat(r.connected.get()).isEqualTo(1);
    }
}
