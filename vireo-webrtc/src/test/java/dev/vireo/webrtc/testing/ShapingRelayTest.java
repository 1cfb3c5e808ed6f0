package dev.vireo.webrtc.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class ShapingRelayTest {

    private static byte[] rtp(int seq, int payloadType) {
        byte[] p = new byte[100];
        p[0] = (byte) 0x80;
        p[1] = (byte) payloadType;
        p[2] = (byte) (seq >> 8);
        p[3] = (byte) seq;
        p[8] = 0x12; // SSRC 0x12345678
        p[9] = 0x34;
        p[10] = 0x56;
        p[11] = 0x78;
        return p;
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void losesRtpOnOneDirectionCountsRetransmissionsAndEchoesBack() throws Exception {
        try (DatagramSocket server = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             DatagramSocket peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             ShapingRelay relay = new ShapingRelay(LinkModel.Impairment.NONE.withLoss(0.2),
                     LinkModel.Impairment.NONE, 5)) {
            relay.target(server.getLocalPort());
            AtomicInteger atServer = new AtomicInteger();
            Thread echo = Thread.ofVirtual().start(() -> {
                byte[] buf = new byte[2048];
                while (!server.isClosed()) {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    try {
                        server.receive(p);
                        atServer.incrementAndGet();
                        server.send(new DatagramPacket(buf, p.getLength(), p.getSocketAddress())); // back via the relay
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            InetSocketAddress relayAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), relay.port());
            ShapingRelay.Counters up = relay.counters(ShapingRelay.Direction.TO_SERVER);
            peer.setSoTimeout(2000);
            int back = 0;
            // in batches, so that no socket buffer on the way overflows (the kernel would drop, not the relay)
            for (int seq = 0; seq < 500; seq++) {
                peer.send(new DatagramPacket(rtp(seq, 96), 100, relayAddress));
                if (seq % 20 == 19) {
                    int sent = seq + 1;
                    await(() -> up.rtpPassed() + up.rtpDropped() == sent && atServer.get() == up.rtpPassed());
                    // everything that reached the server comes back: nothing is lost towards the peer
                    while (back < up.rtpPassed()) {
                        peer.receive(new DatagramPacket(new byte[2048], 2048));
                        back++;
                    }
                }
            }
            assertThat(up.rtpDropped()).isBetween(60L, 140L);
            assertThat(up.passed(96)).isEqualTo(up.rtpPassed());
            assertThat(back).isEqualTo((int) up.rtpPassed());
            assertThat(relay.counters(ShapingRelay.Direction.TO_PEER).rtpDropped()).isZero();
            // its own figures: the kernel dropped nothing at its sockets (/proc/net/udp read), and
            // it timed how long it held packets itself
            assertThat(relay.kernelDrops()).isZero();
            assertThat(up.longestOwnDelayMillis()).isPositive();

            // sending every sequence number again: each dropped one that now passes is a retransmission
            for (int seq = 0; seq < 500; seq++) {
                peer.send(new DatagramPacket(rtp(seq, 96), 100, relayAddress));
                if (seq % 20 == 19) {
                    int sent = 500 + seq + 1;
                    await(() -> up.rtpPassed() + up.rtpDropped() == sent);
                }
            }
            assertThat(up.retransmissionsArrived()).isPositive().isLessThanOrEqualTo(up.rtpDropped());

            server.close();
            echo.join();
        }
    }

    @Test
    void aBandwidthCapDelaysAndDropsAtTheQueue() throws Exception {
        try (DatagramSocket server = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             DatagramSocket peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             ShapingRelay relay = new ShapingRelay(LinkModel.Impairment.NONE.withBandwidth(400_000, 50),
                     LinkModel.Impairment.NONE, 1)) {
            relay.target(server.getLocalPort());
            InetSocketAddress relayAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), relay.port());
            // 200 packets of 100 bytes in quick batches: 2 ms each at 400 kbit/s, a 50 ms queue takes ~26
            ShapingRelay.Counters up = relay.counters(ShapingRelay.Direction.TO_SERVER);
            for (int seq = 0; seq < 200; seq++) {
                peer.send(new DatagramPacket(rtp(seq, 97), 100, relayAddress));
                if (seq % 20 == 19) {
                    int sent = seq + 1;
                    await(() -> up.rtpPassed() + up.queueDropped() == sent);
                }
            }
            assertThat(up.queueDropped()).isPositive();
            server.setSoTimeout(2000);
            int received = 0;
            try {
                while (received < up.rtpPassed()) {
                    server.receive(new DatagramPacket(new byte[2048], 2048));
                    received++;
                }
            } catch (SocketTimeoutException e) {
                // counted below
            }
            assertThat(received).isEqualTo((int) up.rtpPassed());
        }
    }
}
