package dev.vireo.srt;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A user-space UDP relay on loopback between one SRT caller and the server that drops a share of
 * the caller's data packets (SRT header bit 0 clear), never control packets, with a fixed seed.
 */
final class LossyRelay implements AutoCloseable {

    final AtomicLong dataPackets = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    private final DatagramChannel front;
    private final DatagramChannel back;
    private final Selector selector;
    private final Thread thread;
    private final double loss;
    private final Random random = new Random(42);
    private volatile boolean running = true;
    private SocketAddress caller;

    LossyRelay(int serverPort, double loss) throws IOException {
        this.loss = loss;
        front = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        back = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        back.connect(new InetSocketAddress("127.0.0.1", serverPort));
        front.configureBlocking(false);
        back.configureBlocking(false);
        selector = Selector.open();
        front.register(selector, SelectionKey.OP_READ);
        back.register(selector, SelectionKey.OP_READ);
        thread = new Thread(this::run, "lossy-relay");
        thread.setDaemon(true);
        thread.start();
    }

    int port() throws IOException {
        return ((InetSocketAddress) front.getLocalAddress()).getPort();
    }

    private void run() {
        ByteBuffer buf = ByteBuffer.allocateDirect(2048);
        try {
            while (running) {
                selector.select(100);
                selector.selectedKeys().clear();
                for (SocketAddress from; (from = receive(front, buf)) != null; ) {
                    caller = from;
                    boolean data = (buf.get(0) & 0x80) == 0;
                    if (data) {
                        dataPackets.incrementAndGet();
                        if (random.nextDouble() < loss) {
                            dropped.incrementAndGet();
                            continue;
                        }
                    }
                    back.write(buf);
                }
                while (receive(back, buf) != null) {
                    if (caller != null) {
                        front.send(buf, caller);
                    }
                }
            }
        } catch (IOException e) {
            // closed
        }
    }

    private static SocketAddress receive(DatagramChannel ch, ByteBuffer buf) throws IOException {
        buf.clear();
        SocketAddress from = ch.receive(buf);
        buf.flip();
        return from;
    }

    @Override
    public void close() throws Exception {
        running = false;
        selector.wakeup();
        thread.join(2000);
        front.close();
        back.close();
        selector.close();
    }
}
