package dev.vireo.webrtc.testing;

import dev.vireo.webrtc.dtls.CertificateFingerprint;
import dev.vireo.webrtc.dtls.DtlsCertificate;
import dev.vireo.webrtc.dtls.DtlsSrtpClient;
import dev.vireo.webrtc.dtls.QueueDatagramTransport;
import dev.vireo.webrtc.ice.IceCredentials;
import dev.vireo.webrtc.stun.StunBinding;
import dev.vireo.webrtc.stun.StunMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The network side of a browser for transport tests, on a real UDP socket: ICE connectivity
 * checks as a controlling full agent, a DTLS-SRTP client, and queues of what the server sends
 * (STUN responses, DTLS, SRTP/SRTCP) demultiplexed like RFC 7983 says.
 */
public final class FakeBrowser implements AutoCloseable {

    public static final SecureRandom RANDOM = new SecureRandom();

    /** How long {@link #check(String, String, boolean)} waits for the answer. */
    public static final Duration ANSWER_WAIT = Duration.ofSeconds(10);

    public final DatagramSocket socket;
    public final IceCredentials credentials = IceCredentials.generate(RANDOM);
    public final DtlsCertificate certificate = DtlsCertificate.generate(RANDOM);
    private final InetSocketAddress server;
    private final BlockingQueue<byte[]> stun = new LinkedBlockingQueue<>();
    private final QueueDatagramTransport dtls = new QueueDatagramTransport(256, d -> {
        try {
            send(d);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    });
    private final BlockingQueue<byte[]> media = new LinkedBlockingQueue<>();
    private final Thread reader;

    public FakeBrowser(int serverPort) throws SocketException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        server = new InetSocketAddress(InetAddress.getLoopbackAddress(), serverPort);
        // Platform threads, as a browser's own: the server runs each DTLS handshake on a virtual thread
        // that keeps its carrier while it computes (a cold one for seconds on a loaded machine), and a
        // fake browser whose reading or checking waited for a carrier meanwhile would look gone.
        reader = Thread.ofPlatform().daemon().name("fake-browser-reader").start(this::read);
    }

    private void read() {
        byte[] buf = new byte[2048];
        while (!socket.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (IOException e) {
                return;
            }
            byte[] d = Arrays.copyOf(p.getData(), p.getLength());
            int b0 = d.length == 0 ? -1 : d[0] & 0xff;
            if (b0 >= 0 && b0 <= 3) {
                stun.add(d);
            } else if (b0 >= 20 && b0 <= 63) {
                dtls.offer(d);
            } else if (b0 >= 128 && b0 <= 191) {
                media.add(d);
            }
        }
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    public void send(byte[] datagram) throws IOException {
        socket.send(new DatagramPacket(datagram, datagram.length, server));
    }

    public void send(ByteBuf datagram) throws IOException {
        try {
            send(ByteBufUtil.getBytes(datagram));
        } finally {
            datagram.release();
        }
    }

    /** Sends a connectivity check with the given server credentials and returns the response, or null. */
    public StunMessage check(IceCredentials serverCredentials, boolean useCandidate) throws IOException, InterruptedException {
        return check(serverCredentials.ufrag(), serverCredentials.pwd(), useCandidate);
    }

    /**
     * A check and its response, waited for up to 10 s: on loopback a datagram is not lost, only late
     * (a server answers in milliseconds on a quiet machine; a single 2 s wait could end before the
     * answer on a loaded one). Not retransmitted, so the server sees one check. A test that expects
     * no answer passes its own, shorter wait.
     */
    public StunMessage check(String serverUfrag, String serverPwd, boolean useCandidate) throws IOException, InterruptedException {
        return check(serverUfrag, serverPwd, useCandidate, ANSWER_WAIT);
    }

    /** A check answered within {@code wait}, or null (a server answers on loopback in milliseconds). */
    public StunMessage check(String serverUfrag, String serverPwd, boolean useCandidate, Duration wait)
            throws IOException, InterruptedException {
        byte[] tid = new byte[StunMessage.TRANSACTION_ID_SIZE];
        RANDOM.nextBytes(tid);
        send(StunBinding.request(ByteBufAllocator.DEFAULT, tid, serverUfrag, credentials.ufrag(), serverPwd,
                0x6e7f00ffL, RANDOM.nextLong(), useCandidate));
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            byte[] r = stun.poll(100, TimeUnit.MILLISECONDS);
            if (r != null) {
                StunMessage m = StunMessage.parse(Unpooled.wrappedBuffer(r));
                if (Arrays.equals(m.transactionId(), tid)) {
                    return m;
                }
            }
        }
        return null;
    }

    /** Runs the DTLS client handshake against the server (blocking). */
    public DtlsSrtpClient.Connected connectDtls(CertificateFingerprint serverFingerprint, int... profiles) throws IOException {
        return new DtlsSrtpClient(RANDOM, certificate, serverFingerprint, profiles).connect(dtls);
    }

    /**
     * Runs the DTLS client handshake while checking the server every 500 ms (not nominating) with
     * its credentials, as a browser goes on checking its selected pair meanwhile (RFC 7675 §5.1):
     * against a server with a short consent timeout, a handshake slower than it (a cold JIT on a
     * loaded machine took over 2 s) would otherwise lose consent half-way. The responses to these
     * checks are read here, so call it only while nothing else waits for STUN.
     */
    public DtlsSrtpClient.Connected connectDtlsChecking(IceCredentials server, CertificateFingerprint serverFingerprint,
                                                      int... profiles) throws IOException, InterruptedException {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        Thread checker = Thread.ofPlatform().daemon().name("fake-browser-consent").start(() -> {
            try {
                while (!done.await(500, TimeUnit.MILLISECONDS)) {
                    check(server.ufrag(), server.pwd(), false, Duration.ofMillis(500));
                }
            } catch (IOException | InterruptedException e) {
                // the socket closed, or the handshake is over
            }
        });
        try {
            return connectDtls(serverFingerprint, profiles);
        } finally {
            done.countDown();
            checker.join();
        }
    }

    /** The next SRTP/SRTCP datagram from the server, or null after {@code timeout}. */
    public byte[] nextMedia(Duration timeout) throws InterruptedException {
        return media.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next STUN datagram (an unsolicited one, e.g. an error response), or null. */
    public byte[] nextStun(Duration timeout) throws InterruptedException {
        return stun.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        socket.close();
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
