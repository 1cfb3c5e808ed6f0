package dev.vireo.server;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP relay in front of the WebRTC media port that loses a share of the RTP the peers send to
 * the server (a publisher's lossy uplink; netem is not available here). STUN, DTLS and RTCP pass,
 * and so does everything the server sends back. The SRTP header is in the clear, so the relay
 * remembers which (SSRC, sequence number) it dropped and counts the ones that come through later:
 * retransmissions answering the server's NACKs. {@link #cut()} drops everything from then on, as a
 * publisher whose network went away. The server advertises the relay's address as its candidate.
 */
final class LossyUplink implements AutoCloseable {

    private final DatagramSocket front;
    private final double lossRate;
    private final Random random;
    private final ConcurrentHashMap<InetSocketAddress, DatagramSocket> upstreams = new ConcurrentHashMap<>();
    private final Set<Long> dropped = ConcurrentHashMap.newKeySet();
    private final AtomicLong droppedRtp = new AtomicLong();
    private final AtomicLong passedRtp = new AtomicLong();
    private final AtomicLong retransmitted = new AtomicLong();
    private volatile InetSocketAddress server;
    private volatile boolean cut;

    LossyUplink(double lossRate, long seed) throws SocketException {
        this.front = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.lossRate = lossRate;
        this.random = new Random(seed);
        Thread.ofVirtual().name("uplink-front").start(this::fromPeers);
    }

    int port() {
        return front.getLocalPort();
    }

    void target(int serverPort) {
        server = new InetSocketAddress(InetAddress.getLoopbackAddress(), serverPort);
    }

    /** From now on nothing reaches the server (the peers vanish without a word). */
    void cut() {
        cut = true;
    }

    long droppedRtp() {
        return droppedRtp.get();
    }

    long passedRtp() {
        return passedRtp.get();
    }

    /** Packets that were dropped once and came through later (resent for a NACK). */
    long retransmissionsArrived() {
        return retransmitted.get();
    }

    private void fromPeers() {
        byte[] buf = new byte[2048];
        while (!front.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                front.receive(p);
                InetSocketAddress peer = (InetSocketAddress) p.getSocketAddress();
                DatagramSocket up = upstreams.computeIfAbsent(peer, this::openUpstream);
                if (up == null || server == null || cut) {
                    continue;
                }
                int n = p.getLength();
                int b0 = n > 12 ? buf[0] & 0xff : 0;
                int b1 = n > 12 ? buf[1] & 0xff : 0;
                // RFC 7983: 128..191 is RTP or RTCP; RTCP by its packet type (RFC 5761 §4)
                if (b0 >= 128 && b0 <= 191 && !(b1 >= 192 && b1 <= 223)) {
                    long id = (((buf[8] & 0xffL) << 24 | (buf[9] & 0xff) << 16 | (buf[10] & 0xff) << 8 | buf[11] & 0xff)
                            << 16) | ((buf[2] & 0xff) << 8 | buf[3] & 0xff);
                    boolean drop;
                    synchronized (random) {
                        drop = random.nextDouble() < lossRate;
                    }
                    if (drop) {
                        dropped.add(id);
                        droppedRtp.incrementAndGet();
                        continue;
                    }
                    passedRtp.incrementAndGet();
                    if (dropped.remove(id)) {
                        retransmitted.incrementAndGet();
                    }
                }
                up.send(new DatagramPacket(Arrays.copyOf(buf, n), n, server));
            } catch (IOException e) {
                return;
            }
        }
    }

    private DatagramSocket openUpstream(InetSocketAddress peer) {
        try {
            DatagramSocket up = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread.ofVirtual().name("uplink-back").start(() -> toPeer(up, peer));
            return up;
        } catch (SocketException e) {
            return null;
        }
    }

    private void toPeer(DatagramSocket up, InetSocketAddress peer) {
        byte[] buf = new byte[2048];
        while (!up.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                up.receive(p);
                if (!cut) {
                    front.send(new DatagramPacket(Arrays.copyOf(buf, p.getLength()), p.getLength(), peer));
                }
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
