package dev.vireo.webrtc.whep;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP relay between browsers and the media port that loses a share of the server's RTP on the
 * way to the browser (RTCP, STUN and DTLS pass), like a lossy last mile. Its address is what the
 * server advertises as candidate; each browser address gets its own upstream socket.
 */
final class LossyRelay implements AutoCloseable {

    private final DatagramSocket front;
    private final double lossRate;
    private final Random random;
    private final ConcurrentHashMap<InetSocketAddress, DatagramSocket> upstreams = new ConcurrentHashMap<>();
    private final AtomicLong droppedRtp = new AtomicLong();
    private final AtomicLong passedRtp = new AtomicLong();
    private volatile InetSocketAddress server;

    LossyRelay(double lossRate, long seed) throws SocketException {
        this.front = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.lossRate = lossRate;
        this.random = new Random(seed);
        Thread.ofVirtual().name("relay-front").start(this::fromBrowsers);
    }

    int port() {
        return front.getLocalPort();
    }

    void target(int serverPort) {
        server = new InetSocketAddress(InetAddress.getLoopbackAddress(), serverPort);
    }

    long droppedRtp() {
        return droppedRtp.get();
    }

    long passedRtp() {
        return passedRtp.get();
    }

    private void fromBrowsers() {
        byte[] buf = new byte[2048];
        while (!front.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                front.receive(p);
                InetSocketAddress browser = (InetSocketAddress) p.getSocketAddress();
                DatagramSocket up = upstreams.computeIfAbsent(browser, this::openUpstream);
                if (up != null && server != null) {
                    up.send(new DatagramPacket(Arrays.copyOf(p.getData(), p.getLength()), p.getLength(), server));
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    private DatagramSocket openUpstream(InetSocketAddress browser) {
        try {
            DatagramSocket up = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread.ofVirtual().name("relay-up").start(() -> toBrowser(up, browser));
            return up;
        } catch (SocketException e) {
            return null;
        }
    }

    private void toBrowser(DatagramSocket up, InetSocketAddress browser) {
        byte[] buf = new byte[2048];
        while (!up.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                up.receive(p);
                int b0 = p.getLength() > 1 ? buf[0] & 0xff : 0;
                int b1 = p.getLength() > 1 ? buf[1] & 0xff : 0;
                boolean rtp = b0 >= 128 && b0 <= 191 && !(b1 >= 192 && b1 <= 223);
                if (rtp) {
                    boolean drop;
                    synchronized (random) {
                        drop = random.nextDouble() < lossRate;
                    }
                    if (drop) {
                        droppedRtp.incrementAndGet();
                        continue;
                    }
                    passedRtp.incrementAndGet();
                }
                front.send(new DatagramPacket(Arrays.copyOf(buf, p.getLength()), p.getLength(), browser));
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        front.close();
        upstreams.values().forEach(DatagramSocket::close);
    }
}
