package dev.vireo.webrtc.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.junit.jupiter.api.Test;

/**
 * Coverage-guided fuzzing of the DTLS entry of a WebRTC session (RFC 6347 §4.1 records, §4.2
 * handshake; RFC 5764 use_srtp; issue 17): the datagrams a peer sends first, through
 * BouncyCastle's {@link DTLSServerProtocol} with Vireo's {@link DtlsSrtpServer} (cipher suites,
 * use_srtp negotiation, fingerprint check) exactly as {@link DtlsEndpoint}'s handshake thread runs
 * it, but on the fuzzing thread and without timers: when the input's datagrams are used up the
 * transport fails, as {@link QueueDatagramTransport} does when the session closes. What
 * {@code DtlsEndpoint} turns into "DTLS handshake failed" (an {@link IOException}, TLS alerts
 * included, or a {@link RuntimeException}) may escape; an {@link Error} (a stack overflow, an
 * allocation without bound) or a hang is a finding. The input is a run of datagrams, each
 * prefixed with its 16-bit length (at most {@link QueueDatagramTransport#RECEIVE_LIMIT} bytes,
 * as the queue takes them). Seeds in {@code DtlsRecordJazzerTestInputs/} (ClientHellos of
 * OpenSSL's {@code s_client -dtls1_2 -use_srtp} and of BouncyCastle, captured on a UDP socket);
 * {@code JAZZER_FUZZ=1} fuzzes (docs/RELIABILITY.md).
 */
class DtlsRecordJazzerTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final DtlsCertificate CERTIFICATE = DtlsCertificate.generate(RANDOM);
    private static final BcTlsCrypto CRYPTO = new BcTlsCrypto(RANDOM);
    private static final List<CertificateFingerprint> PEER = List.of(CertificateFingerprint.parse("sha-256 "
            + "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89"));

    @Test
    void openSslsClientHelloIsAnsweredWithTheServersFlight() throws Exception {
        byte[] seed;
        try (var in = getClass().getResourceAsStream("DtlsRecordJazzerTestInputs/handshake/openssl-clienthello-srtp")) {
            seed = in.readAllBytes();
        }
        assertThat(run(seed)).as("datagrams of ServerHello..ServerHelloDone").isPositive();
    }

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void handshake(byte[] data) {
        run(data);
    }

    /** @return how many datagrams the server sent */
    private static int run(byte[] data) {
        List<byte[]> datagrams = new ArrayList<>();
        int i = 0;
        while (i + 2 <= data.length && datagrams.size() < 16) {
            int len = Math.min(((data[i] & 0xFF) << 8) | (data[i + 1] & 0xFF), data.length - i - 2);
            if (len <= QueueDatagramTransport.RECEIVE_LIMIT) { // larger ones the queue drops
                byte[] d = new byte[len];
                System.arraycopy(data, i + 2, d, 0, len);
                datagrams.add(d);
            }
            i += 2 + len;
        }
        DTLSServerProtocol protocol = new DTLSServerProtocol();
        protocol.setVerifyRequests(false); // as DtlsEndpoint: ICE already checked the address
        Replay transport = new Replay(datagrams);
        try {
            protocol.accept(new DtlsSrtpServer(CRYPTO, CERTIFICATE, PEER, 10_000), transport);
        } catch (IOException | RuntimeException expected) {
            // DtlsEndpoint reports "DTLS handshake failed" and closes the session
        }
        return transport.sent;
    }

    /** Hands out the input's datagrams, then fails like a closed {@link QueueDatagramTransport}. */
    private static final class Replay implements DatagramTransport {

        private final List<byte[]> datagrams;
        private int next;
        private int sent;

        Replay(List<byte[]> datagrams) {
            this.datagrams = datagrams;
        }

        @Override
        public int getReceiveLimit() {
            return QueueDatagramTransport.RECEIVE_LIMIT;
        }

        @Override
        public int getSendLimit() {
            return QueueDatagramTransport.SEND_LIMIT;
        }

        @Override
        public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
            if (next >= datagrams.size()) {
                throw new IOException("DTLS transport closed");
            }
            byte[] d = datagrams.get(next++);
            int n = Math.min(len, d.length);
            System.arraycopy(d, 0, buf, off, n);
            return n;
        }

        @Override
        public void send(byte[] buf, int off, int len) throws IOException {
            if (len > QueueDatagramTransport.SEND_LIMIT) {
                throw new AssertionError("a datagram of " + len + " bytes exceeds the send limit");
            }
            sent++;
        }

        @Override
        public void close() {
        }
    }
}
