package dev.vireo.bench.soak;

import dev.vireo.bench.FreePort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The background of {@link ConnsBench}: thousands of TCP connections to one server in mixed
 * states, held by one selector thread (cheap for the bench, so the server is what is measured):
 * idle HTTP keep-alive connections (one {@code /healthz} answered), HTTP-FLV viewers playing
 * (every byte read and dropped) and RTMP handshakes left half done (C0+C1 sent, never C2). The
 * server closes a half handshake after its handshake timeout and an idle connection after its
 * idle timeout: such a connection is opened again at once, so the count of each kind stays what
 * it was asked to be (the reopened ones are counted).
 */
final class HeldConnections implements AutoCloseable {

    static final int IDLE = 0;
    static final int PLAYING = 1;
    static final int HANDSHAKING = 2;
    static final String[] KINDS = {"idle", "playing", "handshaking"};

    private final int httpPort;
    private final int rtmpPort;
    private final byte[][] first;
    private final Selector selector;
    private final Set<SocketChannel> channels = ConcurrentHashMap.newKeySet();
    private final AtomicLongArray closedByServer = new AtomicLongArray(3);
    private final AtomicLongArray reopened = new AtomicLongArray(3);
    private final AtomicLongArray bytesIn = new AtomicLongArray(3);
    private final Thread thread;
    private volatile boolean closing;

    HeldConnections(int httpPort, int rtmpPort, String flvPath) throws IOException {
        this.httpPort = httpPort;
        this.rtmpPort = rtmpPort;
        byte[] c0c1 = new byte[1 + 1536];
        c0c1[0] = 3; // RTMP version; C1 all zeros (time 0, zero field, no random)
        first = new byte[][] {
            "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
            ("GET " + flvPath + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII),
            c0c1};
        selector = Selector.open();
        thread = Thread.ofPlatform().name("conns-held").daemon().start(this::run);
    }

    /**
     * Opens {@code n} connections of {@code kind} one after the other (a blocking connect each, so
     * the bench never floods the server's accept queue beyond what a sequence of clients does).
     */
    void open(int kind, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            SocketChannel ch = SocketChannel.open(new InetSocketAddress(FreePort.LOOPBACK, port(kind)));
            ch.write(ByteBuffer.wrap(first[kind]));
            ch.configureBlocking(false);
            channels.add(ch);
            ch.register(selector, SelectionKey.OP_READ, kind); // JDK 11+: does not wait for select()
        }
    }

    private int port(int kind) {
        return kind == HANDSHAKING ? rtmpPort : httpPort;
    }

    long closedByServer(int kind) {
        return closedByServer.get(kind);
    }

    long reopened(int kind) {
        return reopened.get(kind);
    }

    long bytesIn(int kind) {
        return bytesIn.get(kind);
    }

    private void run() {
        ByteBuffer buf = ByteBuffer.allocateDirect(64 << 10);
        try {
            while (!closing) {
                selector.select(200);
                for (SelectionKey key : selector.selectedKeys()) {
                    int kind = (Integer) key.attachment();
                    SocketChannel ch = (SocketChannel) key.channel();
                    try {
                        if (key.isConnectable()) {
                            ch.finishConnect();
                            ch.write(ByteBuffer.wrap(first[kind]));
                            key.interestOps(SelectionKey.OP_READ);
                            continue;
                        }
                        int n;
                        do {
                            buf.clear();
                            n = ch.read(buf);
                            if (n > 0) {
                                bytesIn.addAndGet(kind, n);
                            }
                        } while (n > 0);
                        if (n < 0) {
                            lost(key, kind);
                        }
                    } catch (IOException e) {
                        lost(key, kind);
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | ClosedSelectorException e) {
            // closed
        }
    }

    /** The server closed a connection: an idle or handshaking one is opened again (non-blocking). */
    private void lost(SelectionKey key, int kind) {
        key.cancel();
        channels.remove(key.channel());
        try {
            key.channel().close();
        } catch (IOException e) {
            // gone anyway
        }
        closedByServer.incrementAndGet(kind);
        if (closing || kind == PLAYING) {
            return;
        }
        try {
            SocketChannel ch = SocketChannel.open();
            ch.configureBlocking(false);
            channels.add(ch);
            if (ch.connect(new InetSocketAddress(FreePort.LOOPBACK, port(kind)))) {
                ch.write(ByteBuffer.wrap(first[kind]));
                ch.register(selector, SelectionKey.OP_READ, kind);
            } else {
                ch.register(selector, SelectionKey.OP_CONNECT, kind);
            }
            reopened.incrementAndGet(kind);
        } catch (IOException e) {
            // counted as closed; the next loss tries again
        }
    }

    @Override
    public void close() throws InterruptedException {
        closing = true;
        selector.wakeup();
        thread.join(5_000);
        for (SocketChannel ch : channels) {
            try {
                ch.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        channels.clear();
        try {
            selector.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
