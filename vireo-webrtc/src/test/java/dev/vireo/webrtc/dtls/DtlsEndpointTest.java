package dev.vireo.webrtc.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.testing.Await;
import dev.vireo.webrtc.srtp.SrtpKeyingMaterial;
import dev.vireo.webrtc.srtp.SrtpProfile;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.SRTPProtectionProfile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The DTLS-SRTP server against BouncyCastle's DTLS client standing in for a browser. */
@Timeout(30)
class DtlsEndpointTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final DtlsCertificate SERVER_CERT = DtlsCertificate.generate(RANDOM);
    private static final DtlsCertificate CLIENT_CERT = DtlsCertificate.generate(RANDOM);

    private final AtomicReference<SrtpKeyingMaterial> serverKeys = new AtomicReference<>();
    private final AtomicReference<String> serverClosed = new AtomicReference<>();
    private DtlsEndpoint server;
    private QueueDatagramTransport clientSide;

    /** Wires a server endpoint to an in-memory client transport. */
    private void startServer(List<CertificateFingerprint> expected, Duration timeout) {
        AtomicReference<DtlsEndpoint> ref = new AtomicReference<>();
        clientSide = new QueueDatagramTransport(64, bytes -> ref.get().receive(Unpooled.wrappedBuffer(bytes)));
        server = new DtlsEndpoint(new DtlsEndpoint.Context(SERVER_CERT, RANDOM), expected, timeout,
                bytes -> clientSide.offer(bytes), new DtlsEndpoint.Listener() {
                    @Override
                    public void onHandshakeComplete(SrtpKeyingMaterial keys) {
                        serverKeys.set(keys);
                    }

                    @Override
                    public void onClosed(String reason) {
                        serverClosed.set(reason);
                    }
                }, "test");
        ref.set(server);
        server.start();
    }

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
        if (clientSide != null) {
            clientSide.close();
        }
    }

    @Test
    void handshakeExportsTheSameSrtpKeysOnBothSidesAndPrefersGcm() throws Exception {
        startServer(List.of(CLIENT_CERT.fingerprint()), Duration.ofSeconds(10));
        DtlsSrtpClient client = new DtlsSrtpClient(RANDOM, CLIENT_CERT, SERVER_CERT.fingerprint(),
                SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80, SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM);
        DTLSTransport dtls = client.connect(clientSide).dtls();

        Await.until(Duration.ofSeconds(5), "server keys", () -> serverKeys.get() != null);
        SrtpKeyingMaterial keys = serverKeys.get();
        assertThat(keys.profile()).isEqualTo(SrtpProfile.AEAD_AES_128_GCM);
        assertThat(client.exported).hasSize(56);
        assertSameKeys(keys, client.exported);

        // The browser closing its DTLS association ends the session at once.
        dtls.close();
        Await.until(Duration.ofSeconds(5), "server notices close_notify", () -> serverClosed.get() != null);
        assertThat(serverClosed.get()).isEqualTo("the peer closed DTLS");
    }

    @Test
    void onceConfirmedTheThreadEndsAndCloseNotifyStillWorksBothWays() throws Exception {
        startServer(List.of(CLIENT_CERT.fingerprint()), Duration.ofSeconds(10));
        DtlsSrtpClient client = new DtlsSrtpClient(RANDOM, CLIENT_CERT, SERVER_CERT.fingerprint(),
                SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM);
        DTLSTransport dtls = client.connect(clientSide).dtls();
        Await.until(Duration.ofSeconds(5), "server keys", () -> serverKeys.get() != null);
        server.confirm(); // as the first authenticated SRTCP packet does
        Await.until(Duration.ofSeconds(5), "thread hands off", () -> server.handedOff());
        assertThat(server.isClosed()).isFalse();

        // The browser's close_notify is processed on the receiving thread now.
        dtls.close();
        Await.until(Duration.ofSeconds(5), "server notices close_notify", () -> serverClosed.get() != null);
        assertThat(serverClosed.get()).isEqualTo("the peer closed DTLS");
    }

    @Test
    void closingAfterTheHandOffSendsCloseNotify() throws Exception {
        startServer(List.of(CLIENT_CERT.fingerprint()), Duration.ofSeconds(10));
        DtlsSrtpClient client = new DtlsSrtpClient(RANDOM, CLIENT_CERT, SERVER_CERT.fingerprint(),
                SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM);
        DTLSTransport dtls = client.connect(clientSide).dtls();
        Await.until(Duration.ofSeconds(5), "server keys", () -> serverKeys.get() != null);
        server.confirm();
        Await.until(Duration.ofSeconds(5), "thread hands off", () -> server.handedOff());
        server.close();
        byte[] buf = new byte[1500];
        // BouncyCastle reports the peer's close_notify as the end of the stream (-1) or an exception
        int n;
        try {
            n = dtls.receive(buf, 0, buf.length, 5000);
        } catch (IOException closed) {
            n = -1;
        }
        assertThat(n).isEqualTo(-1);
        // BouncyCastle closes its transport on the peer's close_notify (a timeout would not)
        assertThat(clientSide.isClosed()).as("the client got close_notify").isTrue();
        assertThat(serverClosed.get()).as("a close we asked for is not reported").isNull();
    }

    /** What the server protects, the client (keyed from its own export) unprotects, and back. */
    private static void assertSameKeys(SrtpKeyingMaterial server, byte[] clientExport) throws Exception {
        SrtpKeyingMaterial client = SrtpKeyingMaterial.split(server.profile(), clientExport);
        byte[] rtp = {(byte) 0x80, 96, 0, 1, 0, 0, 0, 90, 0x12, 0x34, 0x56, 0x78, 1, 2, 3, 4, 5, 6, 7, 8};
        ByteBuf packet = Unpooled.buffer(64).writeBytes(rtp);
        server.outbound(true).protectRtp(packet);
        assertThat(ByteBufUtil.getBytes(packet)).isNotEqualTo(rtp);
        client.inbound(false).unprotectRtp(packet);
        assertThat(ByteBufUtil.getBytes(packet)).isEqualTo(rtp);
        byte[] rtcp = {(byte) 0x81, (byte) 201, 0, 7, 0x0a, 0x0b, 0x0c, 0x0d, 1, 2, 3, 4, 0, 0, 0, 0,
            0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        ByteBuf report = Unpooled.buffer(64).writeBytes(rtcp);
        client.outbound(false).protectRtcp(report);
        server.inbound(true).unprotectRtcp(report);
        assertThat(ByteBufUtil.getBytes(report)).isEqualTo(rtcp);
    }

    @Test
    void aes128CmSha1_80IsChosenWhenItIsTheOnlyProfileOffered() throws Exception {
        startServer(List.of(CLIENT_CERT.fingerprint()), Duration.ofSeconds(10));
        DtlsSrtpClient client = new DtlsSrtpClient(RANDOM, CLIENT_CERT, SERVER_CERT.fingerprint(),
                SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80);
        client.connect(clientSide);
        Await.until(Duration.ofSeconds(5), "server keys", () -> serverKeys.get() != null);
        assertThat(serverKeys.get().profile()).isEqualTo(SrtpProfile.AES_CM_128_HMAC_SHA1_80);
        assertThat(client.exported).hasSize(60);
        assertSameKeys(serverKeys.get(), client.exported);
    }

    @Test
    void aClientCertificateThatDoesNotMatchTheOfferFailsTheHandshake() {
        CertificateFingerprint someoneElse = DtlsCertificate.generate(RANDOM).fingerprint();
        startServer(List.of(someoneElse), Duration.ofSeconds(10));
        DtlsSrtpClient client = new DtlsSrtpClient(RANDOM, CLIENT_CERT, SERVER_CERT.fingerprint(),
                SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80);
        try {
            client.connect(clientSide);
        } catch (IOException expected) {
            // the server's alert aborts the client too
        }
        Await.until(Duration.ofSeconds(5), "server gives up", () -> serverClosed.get() != null);
        assertThat(serverClosed.get()).contains("DTLS handshake failed", "bad_certificate");
        assertThat(serverKeys.get()).isNull();
    }

    @Test
    void noCommonSrtpProfileFailsTheHandshake() {
        startServer(List.of(CLIENT_CERT.fingerprint()), Duration.ofSeconds(10));
        DtlsSrtpClient client = new DtlsSrtpClient(RANDOM, CLIENT_CERT, SERVER_CERT.fingerprint(),
                SRTPProtectionProfile.SRTP_NULL_HMAC_SHA1_80);
        try {
            client.connect(clientSide);
        } catch (IOException expected) {
            // handshake_failure
        }
        Await.until(Duration.ofSeconds(5), "server gives up", () -> serverClosed.get() != null);
        assertThat(serverClosed.get()).contains("handshake_failure");
    }

    @Test
    void aSilentPeerTimesOut() {
        startServer(List.of(CLIENT_CERT.fingerprint()), Duration.ofMillis(300));
        // A garbage datagram is not a ClientHello: ignored, the handshake keeps waiting.
        server.receive(Unpooled.wrappedBuffer(new byte[] {22, (byte) 0xfe, (byte) 0xfd, 0, 0}));
        Await.until(Duration.ofSeconds(10), "handshake timeout", () -> serverClosed.get() != null);
        assertThat(serverClosed.get()).startsWith("DTLS handshake failed");
    }

    @Test
    void closingDuringTheHandshakeReportsNothing() {
        startServer(List.of(CLIENT_CERT.fingerprint()), Duration.ofSeconds(10));
        server.close();
        assertThat(server.isClosed()).isTrue();
        assertThat(server.receive(Unpooled.wrappedBuffer(new byte[] {22}))).isFalse();
        assertThat(serverClosed.get()).isNull();
    }

    @Test
    void fingerprintsParseFormatAndMatch() {
        CertificateFingerprint f = SERVER_CERT.fingerprint();
        assertThat(f.hashFunction()).isEqualTo("sha-256");
        assertThat(f.toSdpValue()).matches("sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}");
        assertThat(CertificateFingerprint.parse(f.toSdpValue().toLowerCase())).isEqualTo(f);
        assertThat(f.matches(SERVER_CERT.encoded())).isTrue();
        assertThat(f.matches(CLIENT_CERT.encoded())).isFalse();
        assertThat(CertificateFingerprint.parse("SHA-1 " + "AB:".repeat(19) + "AB").hashFunction()).isEqualTo("sha-1");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CertificateFingerprint.parse("md5 AB:CD"))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CertificateFingerprint.parse("sha-256 AB:CD"))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CertificateFingerprint.parse("sha-256"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theDebugLogNamesEachRecordOfADatagram() {
        // RFC 6347 §4.1: type, version, epoch, sequence (6), length; a ClientHello (1) in epoch 0,
        // then a ChangeCipherSpec and an epoch-1 record in one datagram, then a truncated header
        byte[] d = {22, (byte) 0xFE, (byte) 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 1, 0,
            20, (byte) 0xFE, (byte) 0xFD, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1,
            22, (byte) 0xFE, (byte) 0xFD, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 9,
            23, (byte) 0xFE};
        assertThat(DtlsEndpoint.records(d, 0, d.length))
                .startsWith("handshake/e0/hs1 2B ccs/e0 1B handshake/e1 1B at ");
    }
}
