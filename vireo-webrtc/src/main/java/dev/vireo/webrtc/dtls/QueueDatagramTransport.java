package dev.vireo.webrtc.dtls;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.bouncycastle.tls.DatagramTransport;

/**
 * The datagram transport BouncyCastle's blocking DTLS engine runs on, fed from the shared UDP
 * socket: the event loop {@link #offer}s each DTLS datagram of this peer into a bounded queue
 * (never blocking; a full queue drops, as the network would), the handshake thread takes them in
 * {@link #receive}, and what the engine sends goes out through {@code sender}. The server's
 * sessions and DTLS clients (the bench's WHEP viewers, test peers) use the same transport.
 */
public final class QueueDatagramTransport implements DatagramTransport {

    /** DTLS records we send stay below common path MTUs (IPv6 minimum 1280 minus headers). */
    static final int SEND_LIMIT = 1200;
    /** Largest datagram accepted from the peer. */
    static final int RECEIVE_LIMIT = 1500;

    private static final byte[] CLOSED = new byte[0];

    private final BlockingQueue<byte[]> inbound;
    private final Consumer<byte[]> sender;
    private volatile boolean closed;
    private volatile boolean inboundClosed;

    public QueueDatagramTransport(int capacity, Consumer<byte[]> sender) {
        this.inbound = new ArrayBlockingQueue<>(capacity);
        this.sender = sender;
    }

    /** From the event loop: queues a copy of a datagram; false when it is dropped (full or closed). */
    public boolean offer(byte[] datagram) {
        return !inboundClosed && datagram.length <= RECEIVE_LIMIT && inbound.offer(datagram);
    }

    @Override
    public int getReceiveLimit() {
        return RECEIVE_LIMIT;
    }

    @Override
    public int getSendLimit() {
        return SEND_LIMIT;
    }

    /** @return the datagram's length, or -1 when none arrived within {@code waitMillis} */
    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
        if (inboundClosed) {
            throw new IOException("DTLS transport closed");
        }
        byte[] d;
        try {
            d = inbound.poll(Math.max(waitMillis, 0), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for a DTLS datagram");
        }
        if (d == null) {
            return -1;
        }
        if (d == CLOSED || inboundClosed) {
            throw new IOException("DTLS transport closed");
        }
        int n = Math.min(len, d.length);
        System.arraycopy(d, 0, buf, off, n);
        return n;
    }

    @Override
    public void send(byte[] buf, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("DTLS transport closed");
        }
        sender.accept(Arrays.copyOfRange(buf, off, off + len));
    }

    /**
     * Stops receiving: a waiting receiver wakes up and fails, and so does every later receive;
     * sending still works (for a last close_notify). Idempotent.
     */
    void closeInbound() {
        if (inboundClosed) {
            return;
        }
        inboundClosed = true;
        inbound.clear();
        inbound.offer(CLOSED);
    }

    /** Stops receiving and sending. Idempotent. */
    @Override
    public void close() {
        closed = true;
        closeInbound();
    }

    boolean isClosed() {
        return closed;
    }
}
